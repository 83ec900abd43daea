"""Per-file errors of an operation, read from Cloud Logging entries:list."""

from collections.abc import Iterator

from gcp import errors as gcp_errors
from gcp import logging as gcp_logging
from gcp.session import get_session

from .models import Operation

PAGE_SIZE = 100
CSV_MAX_PAGES = 100


def _filter(operation: Operation) -> str:
    return f'operation.id="{operation.name}"'


def entry_row(entry: dict) -> dict:
    """Return timestamp, file (source or resource), code and message of one log entry."""
    payload = entry.get("jsonPayload") or entry.get("protoPayload") or {}
    error = payload.get("error") or {}
    return {
        "timestamp": entry.get("timestamp", ""),
        "file": payload.get("source") or payload.get("resourceName") or "",
        "code": error.get("code", ""),
        "message": error.get("message") or entry.get("textPayload") or "",
        "severity": entry.get("severity", ""),
    }


def operation_errors(*, operation: Operation) -> dict:
    """Return the first page of per-file errors, whether there are more, and a sampling note.

    Google may sample per-file log entries, so `sampled` is True when fewer entries than
    `counter.failure` are found. An unreadable log becomes `error` (the page still renders).
    """
    try:
        page = gcp_logging.entries_list(
            get_session(), project_id=operation.project, filter=_filter(operation), page_size=PAGE_SIZE
        )
    except gcp_errors.ApiError as exc:
        return {"rows": [], "error": str(exc), "more": False, "sampled": False}
    rows = [entry_row(entry) for entry in page.get("entries") or []]
    more = bool(page.get("nextPageToken"))
    return {
        "rows": rows,
        "error": "",
        "more": more,
        "sampled": not more and len(rows) < operation.failure_count,
    }


def operation_error_rows(*, operation: Operation) -> Iterator[dict]:
    """Yield every per-file error entry of the operation, page by page."""
    token = ""
    session = get_session()
    for _page in range(CSV_MAX_PAGES):
        page = gcp_logging.entries_list(
            session, project_id=operation.project, filter=_filter(operation), page_size=1000, page_token=token
        )
        for entry in page.get("entries") or []:
            yield entry_row(entry)
        token = page.get("nextPageToken") or ""
        if not token:
            return
