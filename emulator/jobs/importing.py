"""dicomStores.import: check the request, list the matching objects into chunks, store each object."""

import logging
from collections.abc import Callable, Iterator

from django.db import transaction

from emulator.wire import ApiError

from .chunks import chunks_cut, listing_fail
from .models import Operation
from .service import operation_create, status
from .wildcards import InvalidUri, gcs_pattern_parse

logger = logging.getLogger(__name__)

STORAGE_CLASSES = ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")
LOG_ENTRY_TYPE = "type.googleapis.com/google.cloud.healthcare.logging.ImportDicomLogEntry"


def import_start(*, store_name: str, api_version: str, body: dict) -> Operation:
    """Validate an ImportDicomDataRequest, create the operation and enqueue its listing on commit."""
    from emulator.healthcare.service import store_get

    from .tasks import import_list_task

    store = store_get(store_name)
    source = body.get("gcsSource")
    uri = source.get("uri") if isinstance(source, dict) else None
    if not isinstance(uri, str) or not uri:
        raise ApiError(400, "gcsSource.uri is required, e.g. gs://bucket/folder/**.dcm.")
    try:
        gcs_pattern_parse(uri)
    except InvalidUri as exc:
        raise ApiError(400, str(exc)) from None
    storage_class = _storage_class(body.get("blobStorageSettings"))
    with transaction.atomic():
        op = operation_create(
            dataset_name=store.dataset.name, store_name=store.name, kind=Operation.Kind.IMPORT,
            api_version=api_version, request={"uri": uri, "storage_class": storage_class},
            api_method_name=f"google.cloud.healthcare.{api_version}.dicom.DicomService.ImportDicomData",
        )
        transaction.on_commit(lambda: import_list_task.delay(op.pk))
    return op


def _storage_class(settings: object) -> str:
    if settings is None:
        return "STANDARD"
    value = settings.get("blobStorageClass", "") if isinstance(settings, dict) else None
    if value in ("", "BLOB_STORAGE_CLASS_UNSPECIFIED"):
        return "STANDARD"
    if value not in STORAGE_CLASSES:
        raise ApiError(400, f"Invalid blobStorageSettings.blobStorageClass {value!r}; expected one of "
                       f"{', '.join(STORAGE_CLASSES)} (or BLOB_STORAGE_CLASS_UNSPECIFIED for STANDARD).")
    return value


def import_list(op: Operation) -> None:
    """List the objects the URI matches (only under its literal prefix), streamed into chunks."""
    if op.cancel_requested:
        return listing_fail(op, None)
    pattern = gcs_pattern_parse(op.request["uri"])
    from emulator.storage.service import bucket_get

    try:
        bucket_get(pattern.bucket)
    except ApiError as exc:
        return listing_fail(op, status("NOT_FOUND", f"Cannot read gs://{pattern.bucket}: {exc.message}"))
    chunks_cut(op, _matching_names(pattern), empty_error=status("NOT_FOUND", f"No objects match {op.request['uri']}."))


def _matching_names(pattern) -> Iterator[str]:
    from emulator.storage.service import object_iter

    for obj in object_iter(pattern.bucket, prefix=pattern.prefix):
        # Folder placeholders ("dir/", zero bytes) are not files.
        if not obj.name.endswith("/") and pattern.matches(obj.name):
            yield obj.name


def import_processor(op: Operation) -> Callable[[str], dict | None]:
    """Return the function that imports one object of the operation's bucket."""
    from emulator.healthcare.service import store_get
    from emulator.storage.service import bucket_get

    bucket_name = gcs_pattern_parse(op.request["uri"]).bucket
    try:
        store = store_get(op.store_name)
        bucket = bucket_get(bucket_name)
    except ApiError as exc:  # deleted while the operation ran: every remaining object fails
        error = status("NOT_FOUND", exc.message)
        return lambda name: _log_payload(f"gs://{bucket_name}/{name}", error)
    return _Importer(store, bucket, op.request.get("storage_class", "STANDARD"))


class _Importer:
    """Parse each object and write its bytes at once; insert the rows in one statement per checkpoint.

    The chunk engine calls `flush()` inside its checkpoint transaction, so the instances of the items
    since the previous checkpoint are committed together with the counts for them — or not at all (a
    redelivered chunk re-imports them). A SOP Instance UID already stored (or twice in one batch) is
    ignored by the insert and counted as a success, as before.
    """

    def __init__(self, store, bucket, storage_class: str):
        self.store, self.bucket, self.storage_class = store, bucket, storage_class
        self.pending: list = []  # prepared, not yet inserted
        self.flushing: list = []  # inserted in the current checkpoint transaction

    def __call__(self, name: str) -> dict | None:
        from emulator.healthcare.service import InvalidDicom, instance_prepare
        from emulator.storage.service import object_get_in, object_open

        source = f"gs://{self.bucket.name}/{name}"
        try:
            with object_open(object_get_in(self.bucket, name)) as data:
                # Storage blob files are never changed in place (a new generation is a new file), so the
                # store may hard-link the file instead of copying its bytes.
                path = getattr(data, "name", None)
                self.pending.append(instance_prepare(self.store, data, storage_class=self.storage_class,
                                                     source=path if isinstance(path, str) else None))
        except InvalidDicom as exc:
            return _log_payload(source, status("INVALID_ARGUMENT", str(exc)))
        except ApiError as exc:
            return _log_payload(source, status("NOT_FOUND" if exc.code == 404 else "INTERNAL", exc.message))
        except Exception as exc:  # noqa: BLE001 — one bad file must not stop the operation
            logger.exception("import of %s failed", source)
            return _log_payload(source, status("INTERNAL", f"{type(exc).__name__}: {exc}"))
        return None

    def flush(self) -> None:
        from emulator.healthcare.service import instances_save

        self.flushing, self.pending = self.pending, []
        instances_save(self.flushing)

    def discard(self) -> None:
        from emulator.healthcare.service import instances_discard

        instances_discard(self.flushing + self.pending)
        self.flushing, self.pending = [], []


def _log_payload(source: str, error: dict) -> dict:
    return {"@type": LOG_ENTRY_TYPE, "source": source, "error": error}
