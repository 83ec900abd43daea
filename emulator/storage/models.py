"""Emulated Cloud Storage and Resource Manager records; object bytes live on disk (see blobs.py)."""

from django.db import models


class Project(models.Model):
    project_id = models.CharField(max_length=30, unique=True)
    number = models.CharField(max_length=12, unique=True)  # 12 digits, derived from project_id: stable
    display_name = models.CharField(max_length=100, blank=True)
    labels = models.JSONField(default=dict, blank=True)
    parent = models.CharField(max_length=100, blank=True)  # "folders/123" / "organizations/456" or empty
    create_time = models.DateTimeField(auto_now_add=True)
    update_time = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project_id"]

    def __str__(self) -> str:
        return self.project_id


class Bucket(models.Model):
    name = models.CharField(max_length=222, unique=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buckets")
    location = models.CharField(max_length=64, default="US")
    storage_class = models.CharField(max_length=32, default="STANDARD")
    labels = models.JSONField(default=dict, blank=True)
    metageneration = models.BigIntegerField(default=1)
    time_created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Object(models.Model):
    """The live generation of one object (the emulator keeps no noncurrent versions)."""

    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="bucket_objects")
    name = models.CharField(max_length=1024)
    generation = models.BigIntegerField()
    metageneration = models.BigIntegerField(default=1)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    md5 = models.CharField(max_length=24)  # base64 of the 16-byte digest, as md5Hash
    crc32c = models.CharField(max_length=8)  # base64 of the big-endian uint32, as crc32c
    storage_class = models.CharField(max_length=32, default="STANDARD")
    metadata = models.JSONField(default=dict, blank=True)
    blob_key = models.CharField(max_length=64)  # file name under EMULATOR_DATA_DIR/objects: random, never the name
    time_created = models.DateTimeField()
    updated = models.DateTimeField()
    # contentEncoding, contentDisposition, cacheControl, contentLanguage, customTime, as the resource names them.
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "name"], name="emulator_storage_object_unique_name")]

    def __str__(self) -> str:
        return f"gs://{self.bucket_id}/{self.name}"


class UploadSession(models.Model):
    """A resumable upload: its state is here and its bytes in a file, so any server process can continue it."""

    upload_id = models.CharField(max_length=64, unique=True)
    bucket = models.ForeignKey(Bucket, on_delete=models.CASCADE, related_name="upload_sessions")
    name = models.CharField(max_length=1024)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    metadata = models.JSONField(default=dict, blank=True)  # the object resource sent when the session started
    preconditions = models.JSONField(default=dict, blank=True)
    total_size = models.BigIntegerField(null=True, blank=True)
    received = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.upload_id
