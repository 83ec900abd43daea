"""Cloud Logging v2: read log entries (per-file errors of imports and exports)."""

from __future__ import annotations

import requests

from .rest import request_json
from .session import endpoint


def entries_list(
    session: requests.Session,
    *,
    project_id: str,
    filter: str,  # noqa: A002 - the API's parameter name
    page_size: int = 100,
    page_token: str = "",
    order_by: str = "timestamp asc",
) -> dict:
    """Return `{"entries": [...], "nextPageToken": ...}` of a project's logs matching `filter`."""
    body: dict = {"resourceNames": [f"projects/{project_id}"], "filter": filter, "orderBy": order_by,
                  "pageSize": page_size}
    if page_token:
        body["pageToken"] = page_token
    # entries:list is a read, so repeating it is safe.
    return request_json(session, "POST", f"{endpoint('logging')}/v2/entries:list", json=body, idempotent=True)
