"""dicomStores.export: check the request (destination, mimeType, filter file), list instances, write files."""

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction

from emulator.wire import ApiError

from . import transcode
from .chunks import chunks_cut, writers_queue
from .models import Operation
from .service import operation_create, status

logger = logging.getLogger(__name__)

LOG_ENTRY_TYPE = "type.googleapis.com/google.cloud.healthcare.logging.ExportDicomLogEntry"
_UID = r"[0-9]+(?:\.[0-9]+)*"
FILTER_LINE = re.compile(rf"/studies/(?P<study>{_UID})(?:/series/(?P<series>{_UID})(?:/instances/(?P<sop>{_UID}))?)?")
MISSING = "!"  # item prefix: a filter line that matched nothing in the store


@dataclass(frozen=True)
class Format:
    """What an export writes: DICOM in a transfer syntax, raw pixel data, or rendered images."""

    kind: str  # "dicom" | "raw" | "png" | "jpeg"
    syntax: str = "*"

    @property
    def extension(self) -> str:
        return {"dicom": ".dcm", "raw": "", "png": ".png", "jpeg": ".jpg"}[self.kind]

    @property
    def content_type(self) -> str:
        return {"dicom": "application/dicom", "raw": "application/octet-stream", "png": "image/png",
                "jpeg": "image/jpeg"}[self.kind]


def supported_mime_types() -> list[str]:
    dicom = [f"application/dicom; transfer-syntax={ts}" for ts in ("*", *transcode.DICOM_SYNTAXES)]
    return [*dicom, "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1",
            "application/octet-stream; transfer-syntax=*", "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50",
            "image/png"]


def format_parse(mime_type: str) -> Format:
    """Parse a gcsDestination.mimeType; raise ApiError(400) naming the supported values."""
    if not mime_type:
        return Format("dicom")
    media, *params = [part.strip() for part in mime_type.split(";")]
    options = dict(p.partition("=")[::2] for p in params if p)
    syntax = options.pop("transfer-syntax", "").strip().strip('"')
    media = media.lower()
    result = None
    if not options:
        if media == "application/dicom" and (syntax in ("", "*") or syntax in transcode.DICOM_SYNTAXES):
            result = Format("dicom", syntax or "*")
        elif media == "application/octet-stream" and syntax in ("", "*", transcode.EXPLICIT_LE):
            result = Format("raw", syntax or "*")
        elif media == "image/jpeg" and syntax in ("", "1.2.840.10008.1.2.4.50"):
            result = Format("jpeg")
        elif media == "image/png" and not syntax:
            result = Format("png")
    if result is None:
        raise ApiError(400, f"Unsupported gcsDestination.mimeType {mime_type!r}; the emulator supports: "
                       f"{', '.join(supported_mime_types())}.")
    return result


def destination_parse(uri_prefix: str) -> tuple[str, str]:
    """Return (bucket, object prefix ending in "/" or empty) of a gcsDestination.uriPrefix."""
    match = re.fullmatch(r"gs://([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:/(.*))?", uri_prefix or "")
    if not match:
        raise ApiError(400, f"Invalid gcsDestination.uriPrefix {uri_prefix!r}: expected gs://BUCKET/PATH.")
    path = match[2] or ""
    return match[1], path if not path or path.endswith("/") else path + "/"


def filter_lines(bucket: str, name: str) -> Iterator[tuple[int, str, re.Match]]:
    """Yield (line number, line, match) of a resource-paths filter file; blank lines are skipped.

    Raise ApiError(400) naming the first malformed line.
    """
    from emulator.storage.service import object_get, object_open

    with object_open(object_get(bucket, name)) as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.decode("utf-8", "replace").strip()
            if not line:
                continue
            match = FILTER_LINE.fullmatch(line)
            if match is None:
                raise ApiError(400, f"Invalid filter file gs://{bucket}/{name}: line {number} ({line[:200]!r}) is "
                               "not /studies/UID, /studies/UID/series/UID or /studies/UID/series/UID/instances/UID.")
            yield number, line, match


def export_start(*, store_name: str, api_version: str, body: dict) -> Operation:
    """Validate an ExportDicomDataRequest, create the operation and enqueue its listing on commit."""
    from emulator.healthcare.service import store_get
    from emulator.storage.service import bucket_get

    from .tasks import export_list_task

    store = store_get(store_name)
    if "bigqueryDestination" in body:
        raise ApiError(400, "bigqueryDestination is not supported by the emulator; use gcsDestination.")
    destination = body.get("gcsDestination")
    if not isinstance(destination, dict):
        raise ApiError(400, "gcsDestination is required, e.g. {\"uriPrefix\": \"gs://bucket/folder\"}.")
    mime_type = destination.get("mimeType") or ""
    fmt = format_parse(mime_type)
    bucket, prefix = destination_parse(destination.get("uriPrefix", ""))
    _bucket_must_exist(bucket_get, bucket, "destination")
    filter_uri = (body.get("filterConfig") or {}).get("resourcePathsGcsUri") or ""
    if filter_uri:
        filter_bucket, filter_name = _filter_location(filter_uri)
        _bucket_must_exist(bucket_get, filter_bucket, "filter file")
        try:
            for _ in filter_lines(filter_bucket, filter_name):
                pass
        except ApiError as exc:
            if exc.code == 404:
                raise ApiError(400, f"Filter file {filter_uri} does not exist.") from None
            raise
    with transaction.atomic():
        op = operation_create(
            dataset_name=store.dataset.name, store_name=store.name, kind=Operation.Kind.EXPORT,
            api_version=api_version, api_method_name=f"google.cloud.healthcare.{api_version}.dicom.DicomService."
            "ExportDicomData", request={"bucket": bucket, "prefix": prefix, "kind": fmt.kind, "syntax": fmt.syntax,
                                        "mime_type": mime_type, "filter_uri": filter_uri},
        )
        transaction.on_commit(lambda: export_list_task.delay(op.pk))
    return op


def _bucket_must_exist(bucket_get, bucket: str, what: str) -> None:
    try:
        bucket_get(bucket)
    except ApiError:
        raise ApiError(400, f"The {what} bucket gs://{bucket} does not exist; create it first.") from None


def _filter_location(uri: str) -> tuple[str, str]:
    match = re.fullmatch(r"gs://([^/]+)/(.+)", uri)
    if not match:
        raise ApiError(400, f"Invalid filterConfig.resourcePathsGcsUri {uri!r}: expected gs://BUCKET/OBJECT.")
    return match[1], match[2]


def export_list(op: Operation) -> None:
    """List the instances to export (the whole store, or what the filter file names) into chunks."""
    if op.cancel_requested:
        return chunks_cut(op, iter(()))
    chunks_cut(op, _items(op))


def _items(op: Operation) -> Iterator[str]:
    from emulator.healthcare.service import instance_iter, store_get

    store = store_get(op.store_name)
    if not op.request.get("filter_uri"):
        for instance in instance_iter(store, metadata=False):
            yield _path(instance)
        return
    for _, line, match in filter_lines(*_filter_location(op.request["filter_uri"])):
        found = False
        for instance in instance_iter(store, study_uid=match["study"], series_uid=match["series"] or "",
                                      sop_uid=match["sop"] or "", metadata=False):
            found = True
            yield _path(instance)
        if not found:
            yield MISSING + line


def _path(instance) -> str:
    return f"/studies/{instance.study_uid}/series/{instance.series_uid}/instances/{instance.sop_uid}"


def export_processor(op: Operation) -> Callable[[str], dict | None]:
    """Return the function that exports one instance path of the operation's store."""
    from emulator.healthcare.service import instance_open, store_get
    from emulator.storage.service import object_write

    try:
        store = store_get(op.store_name)
    except ApiError as exc:  # deleted while the operation ran: every remaining instance fails
        error = status("NOT_FOUND", exc.message)
        return lambda item: _log_payload(f"{op.store_name}/dicomWeb{item.removeprefix(MISSING)}", error)
    request = op.request
    fmt = Format(request["kind"], request["syntax"])
    bucket, prefix = request["bucket"], request["prefix"]

    def process(item: str) -> dict | None:
        resource = f"{op.store_name}/dicomWeb{item.removeprefix(MISSING)}"
        if item.startswith(MISSING):
            return _log_payload(resource, status("NOT_FOUND", f"{item[1:]} was not found in the DICOM store."))
        sop_uid = item.rsplit("/", 1)[1]
        instance = rows.pop(sop_uid) if sop_uid in rows else _rows(store, [sop_uid]).get(sop_uid)
        if instance is None:
            return _log_payload(resource, status("NOT_FOUND", "The instance was deleted before it was exported."))
        try:
            try:
                with instance_open(instance) as handle:
                    data = handle.read()
            except FileNotFoundError:  # deleted since its row was read
                return _log_payload(resource, status("NOT_FOUND", "The instance was deleted before it was exported."))
            base = f"{prefix}{instance.study_uid}/{instance.series_uid}/{instance.sop_uid}"
            for output in _encode(data, fmt):
                with writers_queue():
                    object_write(bucket, f"{base}{output.suffix}{fmt.extension}", output.data,
                                 content_type=fmt.content_type)
        except transcode.TranscodeError as exc:
            return _log_payload(resource, status("INVALID_ARGUMENT", str(exc)))
        except ApiError as exc:
            return _log_payload(resource, status("NOT_FOUND" if exc.code == 404 else "INTERNAL", exc.message))
        except Exception as exc:  # noqa: BLE001 — one bad instance must not stop the operation
            logger.exception("export of %s failed", resource)
            return _log_payload(resource, status("INTERNAL", f"{type(exc).__name__}: {exc}"))
        return None

    rows: dict = {}

    def begin(items: list[str]) -> None:
        """Read the rows of a chunk's instances in one query rather than one per item."""
        rows.clear()
        rows.update(_rows(store, [item.rsplit("/", 1)[1] for item in items if not item.startswith(MISSING)]))

    process.begin = begin
    return process


def _rows(store, sop_uids: list[str]) -> dict:
    from emulator.healthcare.models import Instance

    # Not the DICOM JSON metadata: decoding it would cost more than rendering a small image.
    query = Instance.objects.filter(store=store, sop_uid__in=sop_uids).defer("metadata")
    return {instance.sop_uid: instance for instance in query}


def _encode(data: bytes, fmt: Format) -> list[transcode.Output]:
    if fmt.kind == "dicom":
        return [transcode.Output("", transcode.to_dicom(data, fmt.syntax))]
    if fmt.kind == "raw":
        return transcode.to_raw(data, fmt.syntax)
    return transcode.to_images(data, fmt.kind)


def _log_payload(resource: str, error: dict) -> dict:
    return {"@type": LOG_ENTRY_TYPE, "resourceName": resource, "error": error}
