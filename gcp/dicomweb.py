"""DICOMweb of a DICOM store: QIDO searches, rendered thumbnails, STOW (for seeding and tests)."""

from __future__ import annotations

import uuid

import requests

from .rest import request, request_json
from .session import endpoint

DICOM_JSON = "application/dicom+json"
# Attributes the browser shows, asked for explicitly (QIDO returns only a default set otherwise).
STUDY_FIELDS = ["00081030", "00100010", "00100020", "00080020", "00080061", "00201206", "00201208"]
SERIES_FIELDS = ["0008103E", "00080060", "00200011", "00201209"]
INSTANCE_FIELDS = ["00200013", "00280008", "00280010", "00280011", "00020010"]


def _base(store_name: str, api_version: str) -> str:
    return f"{endpoint('healthcare')}/{api_version}/{store_name}/dicomWeb"


def _search(session, url: str, *, fields: list[str], limit: int, offset: int, params: dict | None) -> list[dict]:
    query: dict = {"limit": limit, "offset": offset, "includefield": fields, **(params or {})}
    response = request(session, "GET", url, params=query, headers={"Accept": DICOM_JSON})
    if response.status_code == 204 or not response.content:
        return []
    return response.json()


def search_studies(
    session: requests.Session,
    *,
    store_name: str,
    params: dict | None = None,
    limit: int = 100,
    offset: int = 0,
    api_version: str = "v1",
) -> list[dict]:
    """Return the studies of a store as DICOM JSON (QIDO-RS)."""
    url = f"{_base(store_name, api_version)}/studies"
    return _search(session, url, fields=STUDY_FIELDS, limit=limit, offset=offset, params=params)


def search_series(
    session: requests.Session,
    *,
    store_name: str,
    study_uid: str,
    limit: int = 500,
    offset: int = 0,
    api_version: str = "v1",
) -> list[dict]:
    """Return the series of a study as DICOM JSON."""
    url = f"{_base(store_name, api_version)}/studies/{study_uid}/series"
    return _search(session, url, fields=SERIES_FIELDS, limit=limit, offset=offset, params=None)


def search_instances(
    session: requests.Session,
    *,
    store_name: str,
    study_uid: str,
    series_uid: str,
    limit: int = 500,
    offset: int = 0,
    api_version: str = "v1",
) -> list[dict]:
    """Return the instances of a series as DICOM JSON."""
    url = f"{_base(store_name, api_version)}/studies/{study_uid}/series/{series_uid}/instances"
    return _search(session, url, fields=INSTANCE_FIELDS, limit=limit, offset=offset, params=None)


def instance_rendered(
    session: requests.Session,
    *,
    store_name: str,
    study_uid: str,
    series_uid: str,
    sop_uid: str,
    accept: str = "image/jpeg",
    viewport: str = "",
    api_version: str = "v1",
) -> tuple[bytes, str]:
    """Return (image bytes, content type) of an instance's first frame rendered by the store."""
    url = f"{_base(store_name, api_version)}/studies/{study_uid}/series/{series_uid}/instances/{sop_uid}/rendered"
    params = {"viewport": viewport} if viewport else None
    response = request(session, "GET", url, params=params, headers={"Accept": accept})
    return response.content, response.headers.get("Content-Type", accept)


def store_instances(
    session: requests.Session, *, store_name: str, files: list[bytes], api_version: str = "v1"
) -> dict:
    """Store Part 10 files with STOW-RS (multipart/related); return the DICOM JSON response."""
    boundary = uuid.uuid4().hex
    parts = [
        b"--" + boundary.encode() + b"\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n" for data in files
    ]
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    headers = {
        "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}',
        "Accept": DICOM_JSON,
    }
    # Storing an instance twice keeps the first copy, so a retry cannot duplicate anything.
    return request_json(
        session, "POST", f"{_base(store_name, api_version)}/studies", data=body, headers=headers, idempotent=True
    )


def tag_value(dataset: dict, tag: str, default: str = "") -> str:
    """Return the first value of `tag` in a DICOM JSON object as text (PN → its Alphabetic form)."""
    values = (dataset.get(tag) or {}).get("Value") or []
    if not values:
        return default
    value = values[0]
    if isinstance(value, dict):
        return str(value.get("Alphabetic", default))
    return str(value)
