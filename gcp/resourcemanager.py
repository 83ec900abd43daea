"""Cloud Resource Manager v3: find the projects the caller can see."""

from __future__ import annotations

import requests

from .rest import request_json
from .session import endpoint


def projects_search(session: requests.Session, *, query: str = "", page_size: int = 50, page_token: str = "") -> dict:
    """Return `{"projects": [...], "nextPageToken": ...}` matching a projects:search query."""
    params: dict = {"pageSize": page_size}
    if query:
        params["query"] = query
    if page_token:
        params["pageToken"] = page_token
    return request_json(session, "GET", f"{endpoint('resourcemanager')}/v3/projects:search", params=params)


def project_get(session: requests.Session, *, project_id: str) -> dict:
    """Return a Project by its ID."""
    return request_json(session, "GET", f"{endpoint('resourcemanager')}/v3/projects/{project_id}")


def search_query(text: str) -> str:
    """Return a projects:search query matching IDs or display names that start with `text`."""
    text = "".join(ch for ch in text.strip() if ch.isalnum() or ch in "-_ ")
    if not text:
        return ""
    # Several fields in one query are OR'ed by the API.
    return f"id:{text.replace(' ', '')}* displayName:{text.split()[0]}*"
