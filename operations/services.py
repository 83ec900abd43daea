"""Start, track, cancel and discover Healthcare API long-running operations."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gcp import errors as gcp_errors
from gcp import healthcare as gcp_healthcare
from gcp.session import get_session

from .models import Operation, WatchedDataset
from .state import fields_from_json, kind_from_method, parse_operation_name, parse_store_name, poll_delay

logger = logging.getLogger(__name__)

IMPORT_METHOD = "google.cloud.healthcare.{version}.dicom.DicomService.ImportDicomData"
EXPORT_METHOD = "google.cloud.healthcare.{version}.dicom.DicomService.ExportDicomData"


# -- start ------------------------------------------------------------------------------------------------


def _request_for(kind: str, params: dict) -> tuple[dict, str]:
    """Return the stored request parameters and the URI to show (source or destination)."""
    if kind == Operation.Kind.IMPORT:
        request = {"gcs_uri": params["gcs_uri"], "storage_class": params.get("storage_class") or ""}
        return request, request["gcs_uri"]
    if kind == Operation.Kind.EXPORT:
        request = {
            "uri_prefix": params["uri_prefix"],
            "mime_type": params.get("mime_type") or "",
            "filter_uri": params.get("filter_uri") or "",
        }
        return request, request["uri_prefix"]
    raise ValueError(f"Cannot start an operation of kind {kind!r}.")


def _call_start(kind: str, store_name: str, request: dict, api_version: str) -> dict:
    session = get_session()
    if kind == Operation.Kind.IMPORT:
        return gcp_healthcare.import_dicom(
            session,
            store_name=store_name,
            gcs_uri=request["gcs_uri"],
            storage_class=request["storage_class"],
            api_version=api_version,
        )
    return gcp_healthcare.export_dicom(
        session,
        store_name=store_name,
        uri_prefix=request["uri_prefix"],
        mime_type=request["mime_type"],
        filter_uri=request["filter_uri"],
        api_version=api_version,
    )


def operation_start(*, kind: str, store_name: str, params: dict, user=None, api_version: str = "v1") -> Operation:
    """Start an import or export, store its row and enqueue polling on commit.

    `params` for an import: {"gcs_uri", "storage_class"}; for an export: {"uri_prefix", "mime_type",
    "filter_uri"}. gcp.errors.ApiError subclasses raised by the API pass through unchanged.
    """
    parts = parse_store_name(store_name)
    request, uri = _request_for(kind, params)
    payload = _call_start(kind, store_name, request, api_version)
    name_parts = parse_operation_name(payload["name"])
    method = (IMPORT_METHOD if kind == Operation.Kind.IMPORT else EXPORT_METHOD).format(version=api_version)
    fields = fields_from_json(payload)
    fields.setdefault("api_method", method)
    fields.setdefault("create_time", timezone.now())
    ours = {
        "store": parts["store"],
        "kind": kind,
        "api_version": api_version,
        "request": request,
        "uri": uri[:1024],
        "started_by": user if user is not None and user.is_authenticated else None,
    }
    with transaction.atomic():
        operation, created = Operation.objects.get_or_create(
            name=payload["name"], defaults={**name_parts, **fields, **ours}
        )
        if not created:
            # The sweeper's sync found it first: add what only we know, keep the state it has seen.
            Operation.objects.filter(id=operation.id).update(**ours)
            operation.refresh_from_db()
        dataset_watch(project=parts["project"], location=parts["location"], dataset=parts["dataset"])
        if operation.is_running:
            operation_schedule_poll(operation=operation)
    return operation


def operation_rerun(*, operation: Operation, user=None) -> Operation:
    """Start the same import or export again with the same parameters."""
    if not operation.can_run_again:
        raise ValueError("Only imports and exports started from this console can be run again.")
    return operation_start(
        kind=operation.kind,
        store_name=operation.store_name,
        params=operation.request,
        user=user,
        api_version=operation.api_version,
    )


# -- polling ------------------------------------------------------------------------------------------------


def visibility_ceiling() -> float:
    """Return the longest countdown allowed: half the broker's visibility timeout."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    return float(options.get("visibility_timeout", 3600)) / 2


def next_delay(poll_count: int) -> float:
    """Return the seconds until the next poll of an operation polled `poll_count` times."""
    return poll_delay(
        poll_count,
        first=settings.OPERATIONS_POLL_FIRST_SECONDS,
        steady=settings.OPERATIONS_POLL_STEADY_SECONDS,
        ceiling=visibility_ceiling(),
    )


def operation_schedule_poll(*, operation: Operation, countdown: float = 0.0) -> str:
    """Give the operation a new poll token and enqueue a poll task carrying it, on commit.

    Any older task chain for the row holds a stale token and stops at its next run, so a re-enqueue
    (sweeper, admin re-poll, cancel) never doubles the polling rate.
    """
    from .tasks import operation_poll_task

    token = uuid.uuid4().hex
    due = timezone.now() + timedelta(seconds=countdown)
    updated = Operation.objects.filter(id=operation.id, state=Operation.State.RUNNING).update(
        poll_token=token, next_poll_at=due
    )
    if updated:
        operation.poll_token, operation.next_poll_at = token, due
        op_id = operation.id
        transaction.on_commit(lambda: operation_poll_task.apply_async((op_id, token), countdown=countdown))
    return token


def _apply(operation_id: int, payload: dict, **guard) -> bool:
    """Write an Operation JSON onto a running row with a guarded update; return True if it was applied.

    Done stays done: only rows still RUNNING (and matching `guard`) are touched. When the update ends
    the operation, the end-of-operation notification is enqueued.
    """
    fields = fields_from_json(payload)
    fields["poll_error"] = ""
    now = timezone.now()
    if fields["state"] != Operation.State.RUNNING:
        fields["next_poll_at"] = None
        fields["poll_token"] = ""
        fields["end_time"] = fields["end_time"] or now
    updated = Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING, **guard).update(
        **fields, updated_at=now
    )
    if updated and fields["state"] != Operation.State.RUNNING:
        operation_ended(operation_id=operation_id)
    return bool(updated)


def operation_refresh(*, operation: Operation, payload: dict | None = None) -> Operation:
    """Read the operation from the API (unless `payload` is given) and apply it to the row; return the row."""
    if payload is None:
        try:
            payload = gcp_healthcare.operation_get(
                get_session(), name=operation.name, api_version=operation.api_version
            )
        except gcp_errors.NotFound:
            operation_expire(operation_id=operation.id)
            operation.refresh_from_db()
            return operation
    _apply(operation.id, payload)
    operation.refresh_from_db()
    return operation


def operation_lookup(*, name: str) -> Operation:
    """Return the row of an operation; one the console does not know yet is read from the API and stored.

    Raises gcp.errors.NotFound when neither knows it (or the name is malformed).
    """
    operation = Operation.objects.select_related("started_by").filter(name=name).first()
    if operation is not None:
        return operation
    try:
        parse_operation_name(name)
    except ValueError as exc:
        raise gcp_errors.NotFound(str(exc), code=404, status="NOT_FOUND") from None
    operation = operation_discover(payload=gcp_healthcare.operation_get(get_session(), name=name))
    if operation is None:
        raise gcp_errors.NotFound(f"No operation {name}", code=404, status="NOT_FOUND")
    return operation


def operation_expire(*, operation_id: int, **guard) -> bool:
    """Mark a running operation that Google no longer knows (404 after ~30 days) as expired."""
    now = timezone.now()
    updated = Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING, **guard).update(
        state=Operation.State.EXPIRED,
        end_time=now,
        next_poll_at=None,
        poll_token="",
        poll_error="",
        error_message="The API no longer knows this operation (operations are kept about 30 days).",
        updated_at=now,
    )
    if updated:
        operation_ended(operation_id=operation_id)
    return bool(updated)


def operation_poll(*, operation_id: int, token: str) -> float | None:
    """Poll once for the task chain holding `token`; return the countdown to the next poll, or None to stop.

    Raises gcp.errors.Transient for the caller to retry.
    """
    claim = Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING, poll_token=token)
    operation = claim.only("id", "name", "api_version", "poll_count").first()
    if operation is None:
        return None  # done, or superseded by a newer chain
    try:
        payload = gcp_healthcare.operation_get(get_session(), name=operation.name, api_version=operation.api_version)
    except gcp_errors.NotFound:
        operation_expire(operation_id=operation_id, poll_token=token)
        return None
    except gcp_errors.Transient:
        raise
    except gcp_errors.ApiError as exc:
        operation_poll_failed(operation_id=operation_id, token=token, message=str(exc))
        return None
    now = timezone.now()
    delay = next_delay(operation.poll_count)
    claim.update(poll_count=operation.poll_count + 1, last_polled_at=now, next_poll_at=now + timedelta(seconds=delay))
    if not _apply(operation_id, payload, poll_token=token):
        return None
    still_running = claim.exists()
    return delay if still_running else None


def operation_poll_failed(*, operation_id: int, token: str, message: str) -> None:
    """Mark the operation failed after polling errors that retrying cannot fix; log its id."""
    logger.error("Giving up polling operation %s: %s", operation_id, message)
    now = timezone.now()
    updated = Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING, poll_token=token).update(
        state=Operation.State.FAILED,
        end_time=now,
        next_poll_at=None,
        poll_token="",
        poll_error=message,
        error_message=f"The console could not read this operation: {message}",
        updated_at=now,
    )
    if updated:
        operation_ended(operation_id=operation_id)


def operation_note_poll_error(*, operation_id: int, token: str, message: str, retry_in: float) -> None:
    """Record a transient polling error on the row (shown on the page) and when the retry is due."""
    due = timezone.now() + timedelta(seconds=retry_in)
    Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING, poll_token=token).update(
        poll_error=message, next_poll_at=due
    )


# -- cancel -------------------------------------------------------------------------------------------------


def operation_cancel(*, operation: Operation) -> Operation:
    """Ask the API to cancel a running operation (best effort) and poll it at once to see the outcome."""
    if not operation.is_running:
        raise ValueError("Only a running operation can be cancelled.")
    gcp_healthcare.operation_cancel(get_session(), name=operation.name, api_version=operation.api_version)
    Operation.objects.filter(id=operation.id).update(cancel_requested=True)
    with transaction.atomic():
        operation_schedule_poll(operation=operation, countdown=0)
    operation.refresh_from_db()
    return operation


def operation_repoll(*, operation: Operation) -> bool:
    """Enqueue an immediate poll of a running operation (a fresh chain); return False if it is done."""
    if not operation.is_running:
        return False
    with transaction.atomic():
        operation_schedule_poll(operation=operation, countdown=0)
    return True


# -- discovery and the sweeper -----------------------------------------------------------------------------


def dataset_watch(*, project: str, location: str, dataset: str) -> None:
    """Remember that the console showed this dataset, so the sweeper syncs its operations."""
    now = timezone.now()
    key = {"project": project, "location": location, "dataset": dataset}
    # One cheap UPDATE per hour at most: the tab is viewed far more often than that matters.
    if WatchedDataset.objects.filter(**key, last_seen_at__lt=now - timedelta(hours=1)).update(last_seen_at=now):
        return
    watched, created = WatchedDataset.objects.get_or_create(**key, defaults={"last_seen_at": now})
    if created:
        # Sync at once rather than at the next sweep, so that earlier operations show up quickly.
        from .tasks import operations_sync_task

        transaction.on_commit(lambda: operations_sync_task.delay(watched.id))


def operation_discover(*, payload: dict) -> Operation | None:
    """Store an Operation JSON not yet known (started in gcloud or the Cloud Console); refresh a known one."""
    try:
        parts = parse_operation_name(payload.get("name", ""))
    except ValueError:
        return None
    operation = Operation.objects.filter(name=payload["name"]).first()
    if operation is not None:
        if operation.is_running:
            _apply(operation.id, payload)
        return operation
    fields = fields_from_json(payload)
    fields.setdefault("create_time", timezone.now())
    if fields["state"] != Operation.State.RUNNING and fields["end_time"] is None:
        fields["end_time"] = fields["create_time"]
    with transaction.atomic():
        operation, created = Operation.objects.get_or_create(
            name=payload["name"], defaults={**parts, **fields, "kind": kind_from_method(fields.get("api_method", ""))}
        )
        if created and operation.is_running:
            operation_schedule_poll(operation=operation)
    return operation


def operations_sync(*, dataset_name: str, max_pages: int = 10) -> int:
    """Read operations.list of a dataset and store what the console does not know yet; return how many."""
    session = get_session()
    seen, token = 0, ""
    for _page in range(max_pages):
        page = gcp_healthcare.operations_list(session, dataset_name=dataset_name, page_size=100, page_token=token)
        payloads = page.get("operations") or []
        names = [p.get("name", "") for p in payloads]
        done = Operation.objects.filter(name__in=names).exclude(state=Operation.State.RUNNING)
        known_done = set(done.values_list("name", flat=True))
        for payload in payloads:
            if payload.get("name") not in known_done:
                operation_discover(payload=payload)
                seen += 1
        token = page.get("nextPageToken") or ""
        if not token:
            break
    return seen


def operations_sweep(*, grace_seconds: float | None = None, sync: bool = True) -> dict:
    """Re-enqueue running operations whose poll is overdue, then sync operations.list of watched datasets."""
    grace = settings.OPERATIONS_SWEEP_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = timezone.now() - timedelta(seconds=grace)
    overdue = Operation.objects.filter(
        Q(next_poll_at__lt=cutoff) | Q(next_poll_at__isnull=True), state=Operation.State.RUNNING
    ).only("id", "state")
    requeued = 0
    for operation in overdue.iterator():
        with transaction.atomic():
            operation_schedule_poll(operation=operation)
        requeued += 1
    synced = 0
    if sync:
        for watched in WatchedDataset.objects.all():
            synced += _sync_watched(watched)
    return {"requeued": requeued, "synced": synced}


def dataset_sync(*, watched_id: int) -> int:
    """Sync operations.list of one watched dataset now; return how many operations were stored or refreshed."""
    watched = WatchedDataset.objects.filter(id=watched_id).first()
    return _sync_watched(watched) if watched else 0


def _sync_watched(watched: WatchedDataset) -> int:
    try:
        count = operations_sync(dataset_name=watched.name)
    except gcp_errors.ApiError as exc:
        logger.warning("Could not sync operations of %s: %s", watched.name, exc)
        WatchedDataset.objects.filter(id=watched.id).update(sync_error=str(exc)[:2000])
        return 0
    WatchedDataset.objects.filter(id=watched.id).update(last_synced_at=timezone.now(), sync_error="")
    return count


# -- notifications ------------------------------------------------------------------------------------------


def operation_ended(*, operation_id: int) -> None:
    """Enqueue the end-of-operation notification on commit, when any notification is configured."""
    if not (settings.OPERATIONS_NOTIFY_EMAILS or settings.OPERATIONS_NOTIFY_STARTER or settings.OPERATIONS_WEBHOOK_URL):
        return
    from .tasks import operation_notify_task

    transaction.on_commit(lambda: operation_notify_task.delay(operation_id))
