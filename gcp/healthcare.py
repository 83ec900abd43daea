"""Cloud Healthcare API: locations, datasets, DICOM stores, import/export and dataset operations."""

from __future__ import annotations

import requests

from .rest import request_json
from .session import endpoint


def _url(api_version: str, name: str, verb: str = "") -> str:
    return f"{endpoint('healthcare')}/{api_version}/{name}" + (f":{verb}" if verb else "")


def _page(page_size: int, page_token: str, **extra: str) -> dict:
    params = {"pageSize": page_size, **{k: v for k, v in extra.items() if v}}
    if page_token:
        params["pageToken"] = page_token
    return params


def locations_list(
    session: requests.Session, *, project_id: str, page_size: int = 100, page_token: str = "", api_version: str = "v1"
) -> dict:
    """Return `{"locations": [...], "nextPageToken": ...}` of a project."""
    url = _url(api_version, f"projects/{project_id}/locations")
    return request_json(session, "GET", url, params=_page(page_size, page_token))


def datasets_list(
    session: requests.Session,
    *,
    project_id: str,
    location: str,
    page_size: int = 100,
    page_token: str = "",
    api_version: str = "v1",
) -> dict:
    """Return `{"datasets": [...], "nextPageToken": ...}` of a project location."""
    url = _url(api_version, f"projects/{project_id}/locations/{location}/datasets")
    return request_json(session, "GET", url, params=_page(page_size, page_token))


def dataset_get(session: requests.Session, *, name: str, api_version: str = "v1") -> dict:
    """Return a Dataset by resource name."""
    return request_json(session, "GET", _url(api_version, name))


def dataset_create(
    session: requests.Session,
    *,
    project_id: str,
    location: str,
    dataset_id: str,
    time_zone: str = "",
    api_version: str = "v1",
) -> dict:
    """Create a dataset; return the Operation JSON (datasets.create is long-running)."""
    url = _url(api_version, f"projects/{project_id}/locations/{location}/datasets")
    body = {"timeZone": time_zone} if time_zone else {}
    return request_json(session, "POST", url, params={"datasetId": dataset_id}, json=body, idempotent=False)


def dicom_stores_list(
    session: requests.Session, *, dataset_name: str, page_size: int = 100, page_token: str = "", api_version: str = "v1"
) -> dict:
    """Return `{"dicomStores": [...], "nextPageToken": ...}` of a dataset."""
    url = _url(api_version, f"{dataset_name}/dicomStores")
    return request_json(session, "GET", url, params=_page(page_size, page_token))


def dicom_store_get(session: requests.Session, *, name: str, api_version: str = "v1") -> dict:
    """Return a DicomStore by resource name."""
    return request_json(session, "GET", _url(api_version, name))


def dicom_store_create(
    session: requests.Session, *, dataset_name: str, store_id: str, labels: dict | None = None, api_version: str = "v1"
) -> dict:
    """Create a DICOM store; return the DicomStore."""
    url = _url(api_version, f"{dataset_name}/dicomStores")
    body = {"labels": labels} if labels else {}
    return request_json(session, "POST", url, params={"dicomStoreId": store_id}, json=body, idempotent=False)


def dicom_store_metrics(session: requests.Session, *, name: str, api_version: str = "v1") -> dict:
    """Return the store's DicomStoreMetrics (study/series/instance counts and sizes, int64 strings)."""
    return request_json(session, "GET", _url(api_version, name, "getDICOMStoreMetrics"))


def import_dicom(
    session: requests.Session, *, store_name: str, gcs_uri: str, storage_class: str = "", api_version: str = "v1"
) -> dict:
    """Start importing `gcs_uri` (wildcards allowed) into a store; return the Operation JSON."""
    body: dict = {"gcsSource": {"uri": gcs_uri}}
    if storage_class:
        body["blobStorageSettings"] = {"blobStorageClass": storage_class}
    return request_json(session, "POST", _url(api_version, store_name, "import"), json=body, idempotent=False)


def export_dicom(
    session: requests.Session,
    *,
    store_name: str,
    uri_prefix: str,
    mime_type: str = "",
    filter_uri: str = "",
    api_version: str = "v1",
) -> dict:
    """Start exporting a store (or the filtered part of it) to `uri_prefix`; return the Operation JSON."""
    destination = {"uriPrefix": uri_prefix}
    if mime_type:
        destination["mimeType"] = mime_type
    body: dict = {"gcsDestination": destination}
    if filter_uri:
        body["filterConfig"] = {"resourcePathsGcsUri": filter_uri}
    return request_json(session, "POST", _url(api_version, store_name, "export"), json=body, idempotent=False)


def operation_get(session: requests.Session, *, name: str, api_version: str = "v1") -> dict:
    """Return a dataset Operation by its full name."""
    return request_json(session, "GET", _url(api_version, name))


def operations_list(
    session: requests.Session,
    *,
    dataset_name: str,
    filter: str = "",  # noqa: A002 - the API's parameter name
    page_size: int = 100,
    page_token: str = "",
    api_version: str = "v1",
) -> dict:
    """Return `{"operations": [...], "nextPageToken": ...}` of a dataset."""
    url = _url(api_version, f"{dataset_name}/operations")
    return request_json(session, "GET", url, params=_page(page_size, page_token, filter=filter))


def operation_cancel(session: requests.Session, *, name: str, api_version: str = "v1") -> None:
    """Ask for an operation to be cancelled (best effort)."""
    # Cancelling twice is harmless, so transient failures may be retried.
    request_json(session, "POST", _url(api_version, name, "cancel"), json={}, idempotent=True)
