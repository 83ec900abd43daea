"""Uploads on /upload/storage/v1/b/B/o: uploadType=media, multipart and resumable.

Resumable sessions keep their state in the database and their bytes in a file under
EMULATOR_DATA_DIR/uploads, so any server process (there are several) can take the next chunk.
"""

import contextlib
import json
import os
import re
import secrets
from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from emulator.wire import ApiError

from . import service
from .blobs import CHUNK, BlobInfo, blob_adopt, blob_delete, blob_write, upload_path, uploads_dir
from .models import Bucket, UploadSession
from .resources import object_resource
from .views import lean_json_response, preconditions_from

SESSION_LIFETIME = timedelta(days=7)
CONTENT_RANGE_RE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def upload(request: HttpRequest, bucket: str) -> HttpResponse:
    """POST starts an upload of any type; PUT carries resumable chunks; DELETE cancels a resumable session."""
    upload_type = request.GET.get("uploadType", "")
    if request.method == "POST":
        bucket_obj = service.bucket_get(bucket)
        if upload_type == "media":
            return _media_upload(request, bucket_obj)
        if upload_type == "multipart":
            return _multipart_upload(request, bucket_obj)
        if upload_type == "resumable":
            return _resumable_start(request, bucket_obj)
        raise ApiError(400, f"Invalid uploadType {upload_type!r}: use media, multipart or resumable.")
    if request.method in ("PUT", "DELETE"):
        session = _session(request)
        if request.method == "DELETE":
            _session_discard(session)
            return HttpResponse(status=499)
        return _resumable_put(request, session)
    raise ApiError(405, f"Method {request.method} is not allowed on {request.path}.")


def _store(request: HttpRequest, bucket: Bucket, name: str, blob: BlobInfo, metadata: dict,
           content_type: str, preconditions: dict | None = None) -> HttpResponse:
    try:
        service.object_validate_name(name)
        _verify_checksums(blob, metadata)
    except ApiError:
        blob_delete(blob.key)
        raise
    if preconditions is None:
        preconditions = preconditions_from(request)
    obj = service.object_commit(bucket, name, blob, content_type=metadata.get("contentType") or content_type,
                                metadata=metadata.get("metadata") or {}, storage_class=metadata.get("storageClass", ""),
                                preconditions=preconditions, attributes=metadata)
    return lean_json_response(request, object_resource(obj, bucket.name))


def _verify_checksums(blob: BlobInfo, metadata: dict) -> None:
    """Refuse bytes whose checksum differs from the one the client sent, as Cloud Storage does."""
    if metadata.get("crc32c") and metadata["crc32c"] != blob.crc32c:
        raise ApiError(400, f"Provided CRC32C \"{metadata['crc32c']}\" doesn't match calculated CRC32C "
                            f"\"{blob.crc32c}\".")
    if metadata.get("md5Hash") and metadata["md5Hash"] != blob.md5:
        raise ApiError(400, f"Provided MD5 hash \"{metadata['md5Hash']}\" doesn't match calculated MD5 hash "
                            f"\"{blob.md5}\".")


def _media_upload(request: HttpRequest, bucket: Bucket) -> HttpResponse:
    name = request.GET.get("name", "")
    service.object_validate_name(name)
    blob = blob_write(request)  # streamed from the socket, never whole in memory
    return _store(request, bucket, name, blob, {}, request.content_type or "application/octet-stream")


def _multipart_upload(request: HttpRequest, bucket: Bucket) -> HttpResponse:
    match = BOUNDARY_RE.search(request.headers.get("Content-Type", ""))
    if not request.content_type.startswith("multipart/") or not match:
        raise ApiError(400, "uploadType=multipart needs a multipart/related body with a boundary.")
    metadata_part, media_part = _split_multipart(request.body, match.group(1).encode())
    try:
        metadata = json.loads(metadata_part[1] or b"{}")
    except ValueError:
        raise ApiError(400, "The first part of a multipart upload must be the object's JSON metadata.") from None
    name = metadata.get("name") or request.GET.get("name", "")
    service.object_validate_name(name)
    content_type = media_part[0].get("content-type", "application/octet-stream")
    return _store(request, bucket, name, blob_write(media_part[1]), metadata, content_type)


def _split_multipart(body: bytes, boundary: bytes) -> tuple[tuple[dict, bytes], tuple[dict, bytes]]:
    delimiter = b"--" + boundary
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, content = b"", chunk.removeprefix(b"\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key:
                headers[key.strip().lower()] = value.strip()
        parts.append((headers, content))
    if len(parts) != 2:
        raise ApiError(400, f"A multipart upload has exactly two parts (metadata, media); got {len(parts)}.")
    return parts[0], parts[1]


# -- resumable --------------------------------------------------------------------------------------------


def _resumable_start(request: HttpRequest, bucket: Bucket) -> HttpResponse:
    try:
        metadata = json.loads(request.body or b"{}")
    except ValueError:
        raise ApiError(400, "Invalid JSON payload received.") from None
    name = metadata.get("name") or request.GET.get("name", "")
    service.object_validate_name(name)
    total = request.headers.get("X-Upload-Content-Length")
    _sessions_expire()
    upload_id = secrets.token_hex(16)
    uploads_dir().mkdir(parents=True, exist_ok=True)
    upload_path(upload_id).touch()
    UploadSession.objects.create(
        upload_id=upload_id, bucket=bucket, name=name,
        content_type=metadata.get("contentType") or request.headers.get("X-Upload-Content-Type")
        or "application/octet-stream",
        metadata=metadata, preconditions=preconditions_from(request),
        total_size=int(total) if total and total.isdigit() else None,
    )
    # The session URI points at the host the client used (not validated against ALLOWED_HOSTS: the emulator
    # answers whatever name it is reached by, e.g. a compose service name), else at EMULATOR_PUBLIC_URL.
    host = request.META.get("HTTP_HOST")
    base = f"{request.scheme}://{host}" if host else settings.EMULATOR_PUBLIC_URL.rstrip("/")
    location = f"{base}/upload/storage/v1/b/{quote(bucket.name, safe='')}/o?uploadType=resumable&upload_id={upload_id}"
    response = HttpResponse(status=200)
    response["Location"] = location
    response["X-GUploader-UploadID"] = upload_id
    return response


def _sessions_expire() -> None:
    """Drop sessions older than a week, as Cloud Storage does, with their partial bytes."""
    cutoff = timezone.now() - SESSION_LIFETIME
    for session in UploadSession.objects.filter(created__lt=cutoff).only("pk", "upload_id")[:100]:
        _session_discard(session)


def _session(request: HttpRequest) -> UploadSession:
    upload_id = request.GET.get("upload_id", "")
    session = UploadSession.objects.select_related("bucket").filter(upload_id=upload_id).first()
    if not upload_id.isalnum() or session is None:
        raise ApiError(404, "No such upload session (it finished, was cancelled, or never existed).")
    return session


def _session_discard(session: UploadSession) -> None:
    UploadSession.objects.filter(pk=session.pk).delete()
    with contextlib.suppress(OSError):
        os.unlink(upload_path(session.upload_id))


def _resumable_put(request: HttpRequest, session: UploadSession) -> HttpResponse:
    header = request.headers.get("Content-Range", "").strip()
    match = CONTENT_RANGE_RE.match(header) if header else None
    if header and not match:
        raise ApiError(400, f"Invalid Content-Range header: {header!r}")
    first, last, total = match.groups() if match else (None, None, None)
    if not header:
        # A single PUT of the whole object (no Content-Range): its length is the total.
        first, total = "0", None
    total_size = int(total) if total and total != "*" else session.total_size
    if first is not None:
        received = _append(request, session, int(first))
        if not header:
            total_size = received
    else:
        received = session.received  # status query: bytes */N
    if total_size is not None and received >= total_size:
        return _resumable_finish(request, session, total_size)
    if total_size is not None and total_size != session.total_size:
        UploadSession.objects.filter(pk=session.pk).update(total_size=total_size)
    response = HttpResponse(status=308)
    if received:
        response["Range"] = f"bytes=0-{received - 1}"
    return response


def _append(request: HttpRequest, session: UploadSession, first: int) -> int:
    """Write the chunk at its offset (skipping bytes already stored) and return the new received count."""
    if first > session.received:
        raise ApiError(400, f"Invalid request: the chunk starts at byte {first} but only {session.received} "
                            "bytes were received so far.")
    skip = session.received - first
    received = session.received
    with open(upload_path(session.upload_id), "r+b") as out:
        out.seek(received)
        while chunk := request.read(CHUNK):
            if skip:
                dropped = min(skip, len(chunk))
                chunk, skip = chunk[dropped:], skip - dropped
            out.write(chunk)
            received += len(chunk)
        out.truncate()
    UploadSession.objects.filter(pk=session.pk).update(received=received)
    return received


def _resumable_finish(request: HttpRequest, session: UploadSession, total_size: int) -> HttpResponse:
    path = upload_path(session.upload_id)
    if os.path.getsize(path) != total_size:
        raise ApiError(400, f"The upload holds {os.path.getsize(path)} bytes but its total is {total_size}.")
    with transaction.atomic():
        claimed = UploadSession.objects.filter(pk=session.pk).delete()[0]
    if not claimed:
        raise ApiError(404, "No such upload session (it finished, was cancelled, or never existed).")
    blob = blob_adopt(path)
    return _store(request, session.bucket, session.name, blob, session.metadata, session.content_type,
                  preconditions=session.preconditions)
