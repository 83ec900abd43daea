"""Projects, buckets and objects of the emulated Cloud Storage: the one place that changes them.

Other emulator apps (healthcare's seed, jobs' import/export) use these functions directly; the HTTP
views use them too.
"""

import hashlib
import re
import threading
import time
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone

from emulator.wire import ApiError

from . import queries
from .blobs import BlobInfo, blob_clone, blob_delete, blob_open, blob_write
from .models import Bucket, Object, Project

BUCKET_NOT_FOUND = "The specified bucket does not exist."
OBJECT_NOT_FOUND = "No such object: {bucket}/{name}"
PROJECT_ID_RE = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
# SQLite has one writer at a time and its busy handler polls with sleeps of 1 ms and more; threads of the
# same process queue on this lock instead, which hands over at once (other processes still use the busy wait).
_WRITE_LOCK = threading.Lock()
ATTRIBUTE_KEYS = ("contentEncoding", "contentDisposition", "cacheControl", "contentLanguage", "customTime")
STORAGE_CLASSES = {"STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE", "MULTI_REGIONAL", "REGIONAL",
                   "DURABLE_REDUCED_AVAILABILITY"}


# -- projects ---------------------------------------------------------------------------------------------


def project_number(project_id: str) -> str:
    """Return a stable 12-digit project number derived from the project id."""
    digest = int(hashlib.sha256(project_id.encode()).hexdigest(), 16)
    return str(10**11 + digest % (9 * 10**11))


def project_create(*, project_id: str, display_name: str = "", labels: dict | None = None, parent: str = "") -> Project:
    """Return the project `project_id`, creating it when missing (idempotent)."""
    if not PROJECT_ID_RE.match(project_id):
        raise ApiError(400, f"Invalid project id {project_id!r}: 6 to 30 lowercase letters, digits or hyphens, "
                            "starting with a letter.")
    project, created = Project.objects.get_or_create(
        project_id=project_id,
        defaults={"number": project_number(project_id), "display_name": display_name or project_id,
                  "labels": labels or {}, "parent": parent},
    )
    # A project first made implicitly (by a bucket insert) takes the display name and labels given later.
    changes = {k: v for k, v in (("display_name", display_name), ("labels", labels), ("parent", parent))
               if v and getattr(project, k) != v}
    if not created and changes:
        for key, value in changes.items():
            setattr(project, key, value)
        project.save(update_fields=[*changes, "update_time"])
    return project


def project_get(project_id: str) -> Project:
    """Return the project by id or by number; raise ApiError(404) when there is none."""
    field = "number" if project_id.isdigit() else "project_id"
    try:
        return Project.objects.get(**{field: project_id})
    except Project.DoesNotExist:
        raise ApiError(404, f"Project '{project_id}' not found.") from None


# -- buckets ----------------------------------------------------------------------------------------------


def bucket_validate_name(name: str) -> None:
    if not BUCKET_NAME_RE.match(name) or ".." in name or (len(name) > 63 and "." not in name):
        raise ApiError(400, f"Invalid bucket name: '{name}'")


def bucket_create(*, project_id: str, name: str, location: str = "US", storage_class: str = "STANDARD",
                  labels: dict | None = None) -> Bucket:
    """Return the bucket `name`, creating it (and its project) when missing (idempotent)."""
    bucket_validate_name(name)
    storage_class = (storage_class or "STANDARD").upper()
    if storage_class not in STORAGE_CLASSES:
        raise ApiError(400, f"Invalid argument: storage class {storage_class!r}.")
    project = project_create(project_id=project_id)
    now = timezone.now()
    bucket, _ = Bucket.objects.get_or_create(
        name=name,
        defaults={"project": project, "location": (location or "US").upper(), "storage_class": storage_class,
                  "labels": labels or {}, "time_created": now, "updated": now},
    )
    return bucket


def bucket_insert(*, project_id: str, name: str, location: str = "US", storage_class: str = "STANDARD",
                  labels: dict | None = None) -> Bucket:
    """Create a new bucket; raise ApiError(409) when the name is taken (buckets.insert)."""
    bucket_validate_name(name)
    if Bucket.objects.filter(name=name).exists():
        raise ApiError(409, "Your previous request to create the named bucket succeeded and you already own it.",
                       status="CONFLICT")
    return bucket_create(project_id=project_id, name=name, location=location, storage_class=storage_class,
                         labels=labels)


def bucket_get(name: str) -> Bucket:
    """Return the bucket; raise ApiError(404) when there is none."""
    bucket = queries.bucket_by_name(name)
    if bucket is None:
        raise ApiError(404, BUCKET_NOT_FOUND)
    return bucket


def bucket_delete(name: str) -> None:
    """Delete an empty bucket; raise ApiError(409) when it still holds objects."""
    bucket = bucket_get(name)
    if Object.objects.filter(bucket=bucket).exists():
        raise ApiError(409, "The bucket you tried to delete is not empty.", status="CONFLICT")
    bucket.delete()


def bucket_page(*, project_id: str, prefix: str = "", after: str = "", limit: int = 1000) -> list[Bucket]:
    """Return up to `limit` buckets of the project, by name, after `after` (keyset)."""
    owner = {"project__number": project_id} if project_id.isdigit() else {"project__project_id": project_id}
    qs = Bucket.objects.select_related("project").filter(**owner)
    if prefix:
        qs = qs.filter(name__gte=prefix, **({"name__lt": successor(prefix)} if successor(prefix) else {}))
    if after:
        qs = qs.filter(name__gt=after)
    return list(qs.order_by("name")[:limit])


# -- objects ----------------------------------------------------------------------------------------------


def successor(prefix: str) -> str:
    """Return the smallest string greater than every string that starts with `prefix` ("" when unbounded)."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return ""


def object_validate_name(name: str) -> None:
    """Reject names Cloud Storage rejects (and NUL, which no file system or database here takes)."""
    if not name:
        raise ApiError(400, "Object name is required.", status="INVALID_ARGUMENT")
    if name in (".", ".."):
        raise ApiError(400, "Object name cannot be '.' or '..'.")
    if len(name.encode("utf-8", "surrogatepass")) > 1024:
        raise ApiError(400, "The maximum object length is 1024 characters, but got a name with more.")
    if any(c in name for c in "\r\n\x00"):
        raise ApiError(400, "Object name contains an invalid character (carriage return, line feed or NUL).")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, "Object name is not valid UTF-8.") from None


def object_iter(bucket: str, *, prefix: str = "", start_offset: str = "", end_offset: str = "",
                batch: int = 1000) -> Iterator[Object]:
    """Yield the bucket's objects by name, in keyset batches (memory stays flat for any bucket size)."""
    bucket_obj = bucket_get(bucket)
    yield from object_scan(bucket_obj, start=max(prefix, start_offset), inclusive=True,
                           stop=_upper(prefix, end_offset), batch=batch)


def _upper(prefix: str, end_offset: str) -> str:
    bounds = [b for b in (successor(prefix) if prefix else "", end_offset) if b]
    return min(bounds) if bounds else ""


def object_scan(bucket: Bucket, *, start: str, inclusive: bool, stop: str = "", batch: int = 1000) -> Iterator[Object]:
    """Yield objects with start <(=) name < stop in name order, querying `batch` rows at a time."""
    while True:
        qs = Object.objects.filter(bucket=bucket)
        qs = qs.filter(name__gte=start) if inclusive else qs.filter(name__gt=start)
        if stop:
            qs = qs.filter(name__lt=stop)
        rows = list(qs.order_by("name")[:batch])
        for row in rows:
            row.bucket = bucket  # spare a query per object when callers read obj.bucket
            yield row
        if len(rows) < batch:
            return
        start, inclusive = rows[-1].name, False


def object_get(bucket: str, name: str) -> Object:
    """Return the live generation of the object; raise ApiError(404) when there is none."""
    bucket_obj = bucket_get(bucket)
    return object_get_in(bucket_obj, name)


def object_get_in(bucket: Bucket, name: str) -> Object:
    obj = queries.object_by_name(bucket.pk, name)
    if obj is None:
        raise ApiError(404, OBJECT_NOT_FOUND.format(bucket=bucket.name, name=name))
    obj.bucket = bucket
    return obj


def object_open(obj: Object) -> BinaryIO:
    """Return the bytes of the object's current generation (a file the caller closes)."""
    try:
        return blob_open(obj.blob_key)
    except FileNotFoundError:
        # Overwritten or deleted between reading the row and opening the file.
        raise ApiError(404, OBJECT_NOT_FOUND.format(bucket=obj.bucket.name, name=obj.name)) from None


def object_write(bucket: str, name: str, data: bytes | BinaryIO | Iterable[bytes], *,
                 content_type: str = "application/octet-stream") -> Object:
    """Store `data` as a new generation of the object (overwriting); readers never see half-written bytes."""
    bucket_obj = bucket_get(bucket)
    object_validate_name(name)
    return object_commit(bucket_obj, name, blob_write(data), content_type=content_type)


def object_commit(bucket: Bucket, name: str, blob: BlobInfo, *, content_type: str = "",
                  metadata: dict | None = None, storage_class: str = "", preconditions: dict | None = None,
                  attributes: dict | None = None) -> Object:
    """Make the stored `blob` the object's new generation, checking ifGeneration(Not)Match preconditions."""
    fields = {"content_type": content_type or "application/octet-stream", "metadata": metadata or {},
              "storage_class": storage_class or bucket.storage_class, "preconditions": preconditions or {},
              "attributes": {k: str(v) for k, v in (attributes or {}).items() if k in ATTRIBUTE_KEYS and v}}
    try:
        obj, old_key = _commit_row(bucket, name, blob, **fields)
    except IntegrityError:
        # Another request created the same name between our read and our insert: ours becomes the next generation.
        # (Or the bucket was deleted meanwhile: then the retry fails too, and the answer is the bucket's 404.)
        try:
            obj, old_key = _commit_row(bucket, name, blob, **fields)
        except IntegrityError:
            blob_delete(blob.key)
            bucket_get(bucket.name)
            raise
        except BaseException:
            blob_delete(blob.key)
            raise
    except BaseException:
        blob_delete(blob.key)
        raise
    if old_key:
        blob_delete(old_key)  # open readers keep their file handle (POSIX unlink)
    obj.bucket = bucket
    return obj


def _commit_row(bucket: Bucket, name: str, blob: BlobInfo, *, content_type: str, metadata: dict,
                storage_class: str, preconditions: dict, attributes: dict) -> tuple[Object, str]:
    now = timezone.now()
    generation = time.time_ns() // 1000  # Cloud Storage generations are microsecond timestamps
    with _WRITE_LOCK, transaction.atomic():
        existing = queries.object_by_name(bucket.pk, name)
        check_preconditions(existing, preconditions)
        fields = {"size": blob.size, "md5": blob.md5, "crc32c": blob.crc32c, "blob_key": blob.key,
                  "content_type": content_type, "metadata": metadata, "storage_class": storage_class,
                  "attributes": attributes,
                  "metageneration": 1, "time_created": now, "updated": now}
        if existing is None:
            obj = Object(bucket_id=bucket.pk, name=name, generation=generation, **fields)
            queries.object_insert(obj)
            return obj, ""
        old_key = existing.blob_key
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.generation = max(generation, existing.generation + 1)
        queries.object_update(existing)
        return existing, old_key


def check_preconditions(obj: Object | None, preconditions: dict) -> None:
    """Apply ifGenerationMatch / ifGenerationNotMatch / ifMetagenerationMatch / ifMetagenerationNotMatch."""
    generation = obj.generation if obj else 0
    metageneration = obj.metageneration if obj else 0
    checks = (
        ("ifGenerationMatch", lambda v: generation == v),
        ("ifGenerationNotMatch", lambda v: generation != v),
        ("ifMetagenerationMatch", lambda v: obj is not None and metageneration == v),
        ("ifMetagenerationNotMatch", lambda v: obj is None or metageneration != v),
    )
    for key, ok in checks:
        if preconditions.get(key) not in (None, ""):
            try:
                value = int(preconditions[key])
            except (TypeError, ValueError):
                raise ApiError(400, f"Invalid value for {key}: {preconditions[key]!r}") from None
            if not ok(value):
                raise ApiError(412, "At least one of the pre-conditions you specified did not hold.",
                               status="FAILED_PRECONDITION")


def object_delete(bucket: str, name: str, *, preconditions: dict | None = None) -> None:
    """Delete the object's live generation and its bytes; raise ApiError(404) when there is none."""
    bucket_obj = bucket_get(bucket)
    with transaction.atomic():
        obj = object_get_in(bucket_obj, name)
        check_preconditions(obj, preconditions or {})
        obj.delete()
    blob_delete(obj.blob_key)


def object_patch(bucket: str, name: str, *, changes: dict, preconditions: dict | None = None) -> Object:
    """Update contentType and custom metadata (objects.patch), bumping the metageneration."""
    bucket_obj = bucket_get(bucket)
    with transaction.atomic():
        obj = object_get_in(bucket_obj, name)
        check_preconditions(obj, preconditions or {})
        if "contentType" in changes:
            obj.content_type = changes["contentType"] or "application/octet-stream"
        for key in ATTRIBUTE_KEYS:
            if key in changes:
                if changes[key]:
                    obj.attributes[key] = str(changes[key])
                else:
                    obj.attributes.pop(key, None)
        if "metadata" in changes:
            merged = dict(obj.metadata)
            for key, value in (changes["metadata"] or {}).items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = str(value)
            obj.metadata = merged if changes["metadata"] is not None else {}
        obj.metageneration += 1
        obj.updated = timezone.now()
        obj.save()
    obj.bucket = bucket_obj
    return obj


def object_copy(source_bucket: str, source_name: str, bucket: str, name: str, *, overrides: dict | None = None,
                preconditions: dict | None = None) -> Object:
    """Copy an object (objects.copy / objects.rewrite in one step); `overrides` may set contentType, metadata."""
    source = object_get(source_bucket, source_name)
    target = bucket_get(bucket)
    object_validate_name(name)
    overrides = overrides or {}
    try:
        key = blob_clone(source.blob_key)
    except FileNotFoundError:
        raise ApiError(404, OBJECT_NOT_FOUND.format(bucket=source_bucket, name=source_name)) from None
    blob = BlobInfo(key=key, size=source.size, md5=source.md5, crc32c=source.crc32c)
    metadata = overrides["metadata"] if overrides.get("metadata") is not None else source.metadata
    attributes = {**source.attributes, **{k: overrides[k] for k in ATTRIBUTE_KEYS if overrides.get(k)}}
    return object_commit(target, name, blob, content_type=overrides.get("contentType") or source.content_type,
                         metadata=metadata, storage_class=overrides.get("storageClass") or source.storage_class,
                         preconditions=preconditions, attributes=attributes)


def object_compose(bucket: str, name: str, *, sources: list[str], destination: dict | None = None,
                   preconditions: dict | None = None) -> Object:
    """Concatenate up to 32 objects of the bucket into `name` (objects.compose)."""
    target = bucket_get(bucket)
    object_validate_name(name)
    if not 1 <= len(sources) <= 32:
        raise ApiError(400, "A compose request needs between 1 and 32 source objects.")
    parts = [object_get_in(target, source) for source in sources]

    def chunks():
        for part in parts:
            with object_open(part) as fh:
                while chunk := fh.read(1024 * 1024):
                    yield chunk

    destination = destination or {}
    return object_commit(target, name, blob_write(chunks()),
                         content_type=destination.get("contentType") or parts[0].content_type,
                         metadata=destination.get("metadata") or {}, preconditions=preconditions,
                         attributes=destination)
