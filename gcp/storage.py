"""Cloud Storage through google-cloud-storage: buckets, folder listings, object listings, uploads.

The client rides on the session's credentials and HTTP connection; google-api-core's `Retry` retries
transient errors with capped exponential backoff, and every exception is turned into `gcp.errors`.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import google.auth.exceptions
import requests
from django.conf import settings
from google.api_core import exceptions as core_exceptions
from google.api_core import retry as core_retry
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from .errors import ApiError, Transient, Unauthenticated, error_for, from_requests_exception, from_response
from .session import endpoint

# google-cloud-storage 3.17 starts a background thread per client and bucket that GETs the bucket's
# metadata for tracing attributes: an extra request needing storage.buckets.get, racing the real call.
os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "1")

LIST_FIELDS = "items(name,size,updated,contentType),prefixes,nextPageToken"


def _retry() -> core_retry.Retry:
    return core_retry.Retry(
        predicate=core_retry.if_transient_error,
        initial=settings.GCP_RETRY_INITIAL_DELAY,
        maximum=settings.GCP_RETRY_MAX_DELAY,
        multiplier=2.0,
        timeout=settings.GCP_TIMEOUT * 2,
    )


def _client(session: requests.Session, project: str = "") -> storage.Client:
    credentials = getattr(session, "credentials", None) or AnonymousCredentials()
    return storage.Client(
        project=project or "-",
        credentials=credentials,
        _http=session,
        client_options={"api_endpoint": endpoint("storage")},
    )


@contextlib.contextmanager
def _errors():
    """Translate google-cloud-storage, api-core, auth and requests exceptions into gcp.errors."""
    try:
        yield
    except core_exceptions.RetryError as exc:
        raise Transient(f"Cloud Storage did not answer in time: {exc.cause or exc}", code=504) from None
    except core_exceptions.GoogleAPICallError as exc:
        # Google's error body, as for every other API (api-core's message starts with the request line).
        if isinstance(exc.response, requests.Response):
            raise from_response(exc.response) from None
        raise error_for(exc.code or 500, exc.message or str(exc)) from None
    except google.auth.exceptions.GoogleAuthError as exc:
        raise Unauthenticated(f"Google credentials could not be used: {exc}", code=401) from None
    except requests.RequestException as exc:
        raise from_requests_exception(exc) from None


def _object_dict(blob) -> dict:
    return {"name": blob.name, "size": int(blob.size or 0), "contentType": blob.content_type or ""}


def buckets_list(session: requests.Session, *, project_id: str, prefix: str = "", max_results: int = 500) -> list[dict]:
    """Return the buckets of a project (name, location, storageClass), at most `max_results`."""
    with _errors():
        client = _client(session, project_id)
        buckets = client.list_buckets(
            project=project_id, prefix=prefix or None, max_results=max_results, retry=_retry(),
            timeout=settings.GCP_TIMEOUT,
        )
        return [{"name": b.name, "location": b.location or "", "storageClass": b.storage_class or ""} for b in buckets]


def bucket_get(session: requests.Session, *, bucket: str) -> dict:
    """Return a bucket's metadata; NotFound when it does not exist."""
    with _errors():
        b = _client(session).get_bucket(bucket, retry=_retry(), timeout=settings.GCP_TIMEOUT)
        return {"name": b.name, "location": b.location or "", "storageClass": b.storage_class or ""}


@dataclass
class FolderListing:
    """One page of a bucket listed like a folder tree: sub-folders (prefixes) and objects."""

    folders: list[str] = field(default_factory=list)
    objects: list[dict] = field(default_factory=list)
    next_page_token: str = ""


def folder_list(
    session: requests.Session, *, bucket: str, prefix: str = "", page_size: int = 200, page_token: str = ""
) -> FolderListing:
    """List one page of `prefix` with delimiter "/": its sub-folders and the objects directly in it."""
    with _errors():
        iterator = _client(session).list_blobs(
            bucket, prefix=prefix or None, delimiter="/", page_size=page_size, page_token=page_token or None,
            fields=LIST_FIELDS, retry=_retry(), timeout=settings.GCP_TIMEOUT,
        )
        page = next(iterator.pages, None)
        if page is None:
            return FolderListing()
        objects = [_object_dict(blob) for blob in page]
        return FolderListing(sorted(page.prefixes), objects, iterator.next_page_token or "")


@dataclass
class ObjectListing:
    """Objects under a prefix, from at most `pages` pages; `truncated` when more pages were left."""

    objects: list[dict]
    pages: int
    truncated: bool


def object_pages(
    session: requests.Session, *, bucket: str, prefix: str = "", page_size: int = 1000
) -> Iterator[tuple[list[dict], bool]]:
    """Yield (objects, more_pages_follow) for every page of objects whose names start with `prefix`."""
    with _errors():
        iterator = _client(session).list_blobs(
            bucket, prefix=prefix or None, page_size=page_size, fields=LIST_FIELDS, retry=_retry(),
            timeout=settings.GCP_TIMEOUT,
        )
        for page in iterator.pages:
            objects = [_object_dict(blob) for blob in page]
            yield objects, bool(iterator.next_page_token)


def objects_list(
    session: requests.Session, *, bucket: str, prefix: str = "", max_pages: int = 5, page_size: int = 1000
) -> ObjectListing:
    """Return the objects under `prefix`, reading at most `max_pages` pages."""
    objects: list[dict] = []
    pages, truncated = 0, False
    for page, more in object_pages(session, bucket=bucket, prefix=prefix, page_size=page_size):
        objects.extend(page)
        pages += 1
        if more and pages >= max_pages:
            truncated = True
            break
    return ObjectListing(objects, pages, truncated)


def bucket_check_readable(session: requests.Session, *, bucket: str) -> None:
    """Raise NotFound / PermissionDenied unless the caller can list the bucket's objects."""
    # Listing needs storage.objects.list (roles/storage.objectViewer), which is what an import reads with;
    # buckets.get would need more than that role grants.
    for _page, _more in object_pages(session, bucket=bucket, page_size=1):
        break


def bucket_check_writable(session: requests.Session, *, bucket: str) -> None:
    """Raise NotFound / PermissionDenied unless the caller can create objects in the bucket."""
    with _errors():
        b = _client(session).bucket(bucket)
        try:
            granted = b.test_iam_permissions(["storage.objects.create"], timeout=settings.GCP_TIMEOUT)
        except (core_exceptions.NotFound, core_exceptions.MethodNotImplemented, core_exceptions.BadRequest):
            granted = None
    if granted is None:
        # No testIamPermissions (or a missing bucket): write and remove a small probe object instead.
        _probe_write(session, bucket=bucket)
    elif "storage.objects.create" not in granted:
        raise error_for(403, f"The caller does not have storage.objects.create access to the bucket {bucket}.")


def _probe_write(session: requests.Session, *, bucket: str) -> None:
    name = f".dicomweb-ui-write-check-{uuid.uuid4().hex}"
    with _errors():
        blob = _client(session).bucket(bucket).blob(name)
        blob.upload_from_string(b"", content_type="text/plain", timeout=settings.GCP_TIMEOUT)
    with contextlib.suppress(ApiError), _errors():
        blob.delete(timeout=settings.GCP_TIMEOUT)


def object_get(session: requests.Session, *, bucket: str, name: str) -> dict:
    """Return an object's metadata (name, size, contentType); NotFound when it does not exist."""
    with _errors():
        blob = _client(session).bucket(bucket).get_blob(name, retry=_retry(), timeout=settings.GCP_TIMEOUT)
    if blob is None:
        raise error_for(404, f"No such object: {bucket}/{name}")
    return _object_dict(blob)


def object_upload(
    session: requests.Session, *, bucket: str, name: str, data: bytes, content_type: str = "text/plain"
) -> dict:
    """Write an object (overwriting); return its metadata."""
    with _errors():
        blob = _client(session).bucket(bucket).blob(name)
        # A whole-object upload of the same bytes is idempotent, so transient failures may be retried.
        blob.upload_from_string(data, content_type=content_type, retry=_retry(), timeout=settings.GCP_TIMEOUT)
    return _object_dict(blob)


def object_download(session: requests.Session, *, bucket: str, name: str) -> bytes:
    """Return an object's bytes."""
    with _errors():
        blob = _client(session).bucket(bucket).blob(name)
        return blob.download_as_bytes(retry=_retry(), timeout=settings.GCP_TIMEOUT)


def bucket_create(session: requests.Session, *, project_id: str, bucket: str, location: str = "US") -> dict:
    """Create a bucket (used by tests and the demo); return its metadata."""
    with _errors():
        b = _client(session, project_id).create_bucket(bucket, project=project_id, location=location,
                                                       timeout=settings.GCP_TIMEOUT)
        return {"name": b.name, "location": b.location or "", "storageClass": b.storage_class or ""}
