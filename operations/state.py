"""Pure functions: read an Operation JSON into row fields, and the poll backoff schedule."""

import re
from datetime import datetime

from django.utils.dateparse import parse_datetime

from .models import Operation

NAME_RE = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/datasets/(?P<dataset>[^/]+)"
    r"/operations/(?P<operation_id>[^/]+)$"
)
STORE_RE = re.compile(
    r"^projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/datasets/(?P<dataset>[^/]+)"
    r"/dicomStores/(?P<store>[^/]+)$"
)
CANCELLED = 1  # google.rpc.Code.CANCELLED


def parse_operation_name(name: str) -> dict:
    """Split a full operation name into project, location, dataset and operation_id; ValueError if malformed."""
    match = NAME_RE.match(name or "")
    if not match:
        raise ValueError(f"Not an operation name: {name!r}")
    return match.groupdict()


def parse_store_name(name: str) -> dict:
    """Split a full DICOM store name into project, location, dataset and store; ValueError if malformed."""
    match = STORE_RE.match(name or "")
    if not match:
        raise ValueError(
            f"Not a DICOM store name: {name!r} (expected projects/P/locations/L/datasets/D/dicomStores/S)."
        )
    return match.groupdict()


def kind_from_method(api_method: str) -> str:
    """Return the Operation.Kind of an apiMethodName such as ...DicomService.ImportDicomData."""
    method = api_method.rsplit(".", 1)[-1]
    if method == "ImportDicomData":
        return Operation.Kind.IMPORT
    if method == "ExportDicomData":
        return Operation.Kind.EXPORT
    return Operation.Kind.OTHER


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _time(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) and value else None


def _http_url(value) -> str:
    """Return the URL if it is http(s), else "": it becomes a link, so no javascript: or data: URLs."""
    if isinstance(value, str) and value.lower().startswith(("https://", "http://")) and len(value) <= 2048:
        return value
    return ""


def state_from_json(payload: dict) -> str:
    """Return the Operation.State an Operation JSON describes.

    Not done → running. Done with a `response` → succeeded, unless failures were counted. Done with an
    `error`: code 1 → cancelled; some instances succeeded → succeeded with failures; otherwise failed.
    """
    if not payload.get("done"):
        return Operation.State.RUNNING
    counter = (payload.get("metadata") or {}).get("counter") or {}
    success, failure = _int(counter.get("success")), _int(counter.get("failure"))
    error = payload.get("error")
    if error is None:
        return Operation.State.SUCCEEDED_WITH_FAILURES if failure else Operation.State.SUCCEEDED
    if _int(error.get("code")) == CANCELLED:
        return Operation.State.CANCELLED
    return Operation.State.SUCCEEDED_WITH_FAILURES if success else Operation.State.FAILED


def fields_from_json(payload: dict) -> dict:
    """Return the Operation row fields an Operation JSON carries (state, counters, times, error, raw)."""
    metadata = payload.get("metadata") or {}
    counter = metadata.get("counter") or {}
    error = payload.get("error") or {}
    fields = {
        "state": state_from_json(payload),
        "success_count": _int(counter.get("success")),
        "failure_count": _int(counter.get("failure")),
        "pending_count": _int(counter.get("pending")),
        "cancel_requested": bool(metadata.get("cancelRequested")),
        "end_time": _time(metadata.get("endTime")),
        "logs_url": _http_url(metadata.get("logsUrl")),
        "error_code": _int(error.get("code")) if error else None,
        "error_message": error.get("message", "") if error else "",
        "raw": payload,
    }
    if metadata.get("apiMethodName"):
        fields["api_method"] = metadata["apiMethodName"][:256]
    if _time(metadata.get("createTime")):
        fields["create_time"] = _time(metadata.get("createTime"))
    return fields


def poll_delay(poll_count: int, *, first: float, steady: float, ceiling: float) -> float:
    """Return the seconds before poll number `poll_count + 1`: first, 2×first, 4×first … up to steady.

    `ceiling` (a fraction of the broker's visibility timeout) caps everything, so that a delayed
    task is never redelivered while it waits.
    """
    exponent = min(max(poll_count, 0), 30)
    return max(0.0, min(first * 2**exponent, steady, ceiling))


def retry_delay(retries: int, *, cap: float = 60.0) -> float:
    """Return the countdown before retry number `retries + 1` after a transient error (1, 2, 4 … cap)."""
    return min(2 ** min(max(retries, 0), 30), cap)
