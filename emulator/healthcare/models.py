"""Emulated Healthcare API resources: datasets, DICOM stores and the instances they hold."""

import json

from django.db import models


class EncodedJSON(dict):
    """A dict that carries its compact JSON text, so that a row's metadata is encoded once, not twice."""

    __slots__ = ("text",)

    def __init__(self, data: dict, text: str):
        super().__init__(data)
        self.text = text

    @classmethod
    def of(cls, data: dict) -> "EncodedJSON":
        return cls(data, json.dumps(data, separators=(",", ":")))


class MetadataEncoder(json.JSONEncoder):
    """JSON encoder of Instance.metadata: an EncodedJSON value is written as the text it carries."""

    def encode(self, o):
        if isinstance(o, EncodedJSON):
            return o.text
        return super().encode(o)


class Dataset(models.Model):
    project_id = models.CharField(max_length=64)
    location = models.CharField(max_length=64)
    dataset_id = models.CharField(max_length=256)
    time_zone = models.CharField(max_length=64, default="UTC")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project_id", "location", "dataset_id"], name="emulator_dataset_unique")
        ]
        ordering = ["project_id", "location", "dataset_id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"projects/{self.project_id}/locations/{self.location}/datasets/{self.dataset_id}"


class DicomStore(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="stores")
    store_id = models.CharField(max_length=256)
    labels = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "store_id"], name="emulator_dicomstore_unique")]
        ordering = ["store_id"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.dataset.name}/dicomStores/{self.store_id}"


class Instance(models.Model):
    """One stored SOP instance: its UIDs, the attributes QIDO matches on, and where its bytes live."""

    store = models.ForeignKey(DicomStore, on_delete=models.CASCADE, related_name="instances")
    study_uid = models.CharField(max_length=64)
    series_uid = models.CharField(max_length=64)
    sop_uid = models.CharField(max_length=64)
    sop_class_uid = models.CharField(max_length=64, blank=True)
    transfer_syntax_uid = models.CharField(max_length=64, blank=True)
    number_of_frames = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    columns = models.PositiveIntegerField(default=0)
    size = models.BigIntegerField(default=0)
    storage_class = models.CharField(max_length=16, default="STANDARD")
    blob_key = models.CharField(max_length=64, unique=True)
    # QIDO attributes (strings as stored, PN as its Alphabetic form).
    patient_name = models.CharField(max_length=256, blank=True)
    patient_id = models.CharField(max_length=128, blank=True)
    study_date = models.CharField(max_length=8, blank=True)
    study_time = models.CharField(max_length=32, blank=True)
    accession_number = models.CharField(max_length=64, blank=True)
    modality = models.CharField(max_length=16, blank=True)
    study_description = models.CharField(max_length=256, blank=True)
    series_description = models.CharField(max_length=256, blank=True)
    series_number = models.IntegerField(null=True, blank=True)
    instance_number = models.IntegerField(null=True, blank=True)
    referring_physician_name = models.CharField(max_length=256, blank=True)
    study_id = models.CharField(max_length=64, blank=True)
    # The header as DICOM JSON (PS3.18 F.2) without PixelData and other bulk data.
    metadata = models.JSONField(default=dict, encoder=MetadataEncoder)
    metadata_size = models.PositiveIntegerField(default=0)  # structured storage, for getDICOMStoreMetrics
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "sop_uid"], name="emulator_instance_unique_sop")]
        indexes = [
            models.Index(fields=["store", "study_uid", "series_uid"]),
            models.Index(fields=["store", "series_uid"]),
            models.Index(fields=["store", "patient_id"]),
            models.Index(fields=["store", "study_date"]),
        ]

    def __str__(self) -> str:
        return self.sop_uid
