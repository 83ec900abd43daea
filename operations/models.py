"""Long-running operations (LROs) of the Cloud Healthcare API, tracked by the console."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Operation(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("Import")
        EXPORT = "export", _("Export")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        SUCCEEDED_WITH_FAILURES = "succeeded_with_failures", _("Succeeded with failures")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    # "projects/P/locations/L/datasets/D/operations/ID": LROs live under the dataset.
    name = models.CharField(max_length=512, unique=True)
    project = models.CharField(max_length=128)
    location = models.CharField(max_length=64)
    dataset = models.CharField(max_length=256)
    operation_id = models.CharField(max_length=128)
    # Empty for operations discovered through operations.list: the Operation JSON does not name the store.
    store = models.CharField(max_length=256, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    api_version = models.CharField(max_length=16, default="v1")
    api_method = models.CharField(max_length=256, blank=True)
    # What was asked: {"gcs_uri", "storage_class"} for imports, {"uri_prefix", "mime_type", "filter_uri"} for exports.
    request = models.JSONField(default=dict, blank=True)
    # The source (import) or destination (export) URI, copied out of `request` for search and display.
    uri = models.CharField(max_length=1024, blank=True)

    state = models.CharField(max_length=32, choices=State.choices, default=State.RUNNING)
    success_count = models.BigIntegerField(default=0)
    failure_count = models.BigIntegerField(default=0)
    pending_count = models.BigIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    create_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    logs_url = models.URLField(max_length=2048, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_message = models.TextField(blank=True)
    raw = models.JSONField(default=dict, blank=True, help_text=_("The last Operation JSON read from the API."))

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="operations"
    )
    # Polling bookkeeping: only the task chain holding the current token may poll (see tasks.py).
    poll_token = models.CharField(max_length=32, blank=True)
    poll_count = models.PositiveIntegerField(default=0)
    poll_error = models.TextField(blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-create_time", "-id"]
        indexes = [
            # Each list query orders by (-create_time, -id): the id in the index spares a sort.
            models.Index(fields=["project", "location", "dataset", "-create_time", "-id"], name="op_dataset_newest"),
            models.Index(fields=["-create_time", "-id"], name="op_created"),
            models.Index(fields=["state", "next_poll_at"], name="op_state_next_poll"),
            models.Index(fields=["state", "-create_time", "-id"], name="op_state_newest"),
            models.Index(fields=["store", "-create_time", "-id"], name="op_store_newest"),
            models.Index(fields=["started_by", "-create_time", "-id"], name="op_user_newest"),
        ]
        permissions = [
            ("start_operation", "Can start imports and exports"),
            ("cancel_operation", "Can cancel operations"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("operations-detail", args=[self.project, self.location, self.dataset, self.operation_id])

    @property
    def is_running(self) -> bool:
        return self.state == self.State.RUNNING

    @property
    def is_ok(self) -> bool:
        """Return True only for a clean success: failures are never shown as plain OK."""
        return self.state == self.State.SUCCEEDED and self.failure_count == 0

    @property
    def can_run_again(self) -> bool:
        return self.kind in (self.Kind.IMPORT, self.Kind.EXPORT) and bool(self.store) and bool(self.request)

    @property
    def dataset_name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/datasets/{self.dataset}"

    @property
    def store_name(self) -> str:
        return f"{self.dataset_name}/dicomStores/{self.store}" if self.store else ""

    @property
    def total_count(self) -> int:
        return self.success_count + self.failure_count + self.pending_count

    @property
    def progress_percent(self) -> int:
        """Return the share of finished units (success + failure) in percent, 100 once done."""
        total = self.total_count
        if not self.is_running:
            return 100
        return int(100 * (self.success_count + self.failure_count) / total) if total else 0

    @property
    def success_percent(self) -> float:
        total = self.total_count
        if not total:  # no counters at all: a full bar only for a success
            return 100.0 if self.state == self.State.SUCCEEDED else 0.0
        return round(100 * self.success_count / total, 1)

    @property
    def failure_percent(self) -> float:
        total = self.total_count
        return round(100 * self.failure_count / total, 1) if total else 0.0

    @property
    def duration(self):
        if self.create_time and self.end_time:
            return self.end_time - self.create_time
        return None


class WatchedDataset(models.Model):
    """A dataset the console has shown: the sweeper syncs its operations.list so outside operations appear."""

    project = models.CharField(max_length=128)
    location = models.CharField(max_length=64)
    dataset = models.CharField(max_length=256)
    last_seen_at = models.DateTimeField()
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "location", "dataset"], name="watched_dataset_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/datasets/{self.dataset}"
