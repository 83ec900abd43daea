"""Emulated long-running operations, their work chunks and their Cloud Logging entries."""

from django.db import models


class Operation(models.Model):
    """A dataset-level LRO (import, export, or a finished-at-once one such as datasets.create)."""

    class Kind(models.TextChoices):
        IMPORT = "import"
        EXPORT = "export"
        OTHER = "other"

    # Long decimal ids like Google's (19 digits, fits a signed 64-bit integer).
    id = models.BigIntegerField(primary_key=True)
    dataset_name = models.CharField(max_length=400, db_index=True)  # projects/P/locations/L/datasets/D
    store_name = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    api_version = models.CharField(max_length=10, default="v1")
    api_method_name = models.CharField(max_length=200)
    request = models.JSONField(default=dict, blank=True)
    create_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)
    cancel_requested = models.BooleanField(default=False)
    # Counters: only ever changed with F() expressions inside guarded updates.
    success = models.BigIntegerField(default=0)
    failure = models.BigIntegerField(default=0)
    listed = models.BigIntegerField(default=0)  # units enumerated so far (pending = listed - success - failure)
    listing_done = models.BooleanField(default=False)
    chunks_left = models.IntegerField(default=0)
    response = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["dataset_name", "-create_time"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.dataset_name}/operations/{self.id}"

    @property
    def pending(self) -> int:
        return 0 if self.done else max(self.listed - self.success - self.failure, 0)


class Chunk(models.Model):
    """A slice of an operation's work (object names or instance paths) processed by one task.

    `position` is a checkpoint: items before it are processed and counted. It only moves forward
    through a guarded update, so a redelivered or concurrent copy of the task never counts twice.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="chunks")
    seq = models.IntegerField()
    items = models.JSONField(default=list)
    position = models.IntegerField(default=0)
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["operation", "seq"], name="emulator_jobs_chunk_seq")]

    def __str__(self) -> str:
        return f"{self.operation_id}#{self.seq}"


class LogEntry(models.Model):
    """A Cloud Logging entry written by an operation (ImportDicomLogEntry / ExportDicomLogEntry)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="log_entries")
    project_id = models.CharField(max_length=100)
    location = models.CharField(max_length=100)
    dataset_id = models.CharField(max_length=100)
    dicom_store_id = models.CharField(max_length=100)
    log_id = models.CharField(max_length=100)  # "healthcare.googleapis.com/import_dicom"
    severity = models.IntegerField(default=500)  # google.logging.type.LogSeverity number (ERROR = 500)
    timestamp = models.DateTimeField(db_index=True)
    insert_id = models.CharField(max_length=40, unique=True)
    payload = models.JSONField(default=dict)  # jsonPayload

    class Meta:
        indexes = [models.Index(fields=["operation", "timestamp"]), models.Index(fields=["project_id", "timestamp"])]

    def __str__(self) -> str:
        return self.insert_id
