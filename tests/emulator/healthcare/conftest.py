"""Fixtures for the emulated Healthcare API: Google's discovery client, a store over HTTP, DICOM bytes."""

import io

import google.auth.credentials
import pydicom
import pytest
import requests
from googleapiclient import discovery
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

LOCATION = "us-central1"


def dicom_bytes(source: str = "CT_small.dcm", *, study: str = "", series: str = "", sop: str = "", **attrs) -> bytes:
    """Return a copy of one of pydicom's test files with fresh (or the given) UIDs and attributes."""
    ds = pydicom.dcmread(get_testdata_file(source))
    ds.StudyInstanceUID = study or generate_uid()
    ds.SeriesInstanceUID = series or generate_uid()
    ds.SOPInstanceUID = sop or generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    for keyword, value in attrs.items():
        setattr(ds, keyword, value)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def multipart_body(*parts: bytes, boundary: str = "TESTBOUNDARY") -> tuple[bytes, str]:
    body = b"".join(f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + p + b"\r\n" for p in parts)
    body += f"--{boundary}--\r\n".encode()
    return body, f'multipart/related; type="application/dicom"; boundary={boundary}'


def split_multipart(response: requests.Response) -> list[bytes]:
    from emulator.dicom.multipart import content_type_params, parts

    _, params = content_type_params(response.headers["Content-Type"])
    return [payload for _, payload in parts(response.content, params["boundary"])]


def create_project(url: str, project: str) -> None:
    """Create the project in the emulator: buckets.insert creates its project."""
    response = requests.post(f"{url}/storage/v1/b", params={"project": project}, json={"name": f"{project}-home"},
                             timeout=30)
    assert response.status_code in (200, 409), response.text


@pytest.fixture
def project(emulator_server, unique_id) -> str:
    project_id = f"hc-{unique_id}"
    create_project(emulator_server.url, project_id)
    return project_id


@pytest.fixture
def healthcare(emulator_server):
    """Return a function building google-api-python-client's Healthcare client for a version."""

    def build(version: str = "v1"):
        return discovery.build(
            "healthcare",
            version,
            static_discovery=True,
            credentials=google.auth.credentials.AnonymousCredentials(),
            client_options={"api_endpoint": emulator_server.url},
            cache_discovery=False,
        )

    return build


class Store:
    """A fresh DICOM store on the live emulator and its DICOMweb base URL."""

    def __init__(self, url: str, name: str, version: str = "v1"):
        self.name = name
        self.url = f"{url}/{version}/{name}"
        self.web = f"{self.url}/dicomWeb"
        self.http = requests.Session()

    def stow(self, *parts: bytes, study: str = "") -> requests.Response:
        body, content_type = multipart_body(*parts)
        path = f"{self.web}/studies" + (f"/{study}" if study else "")
        return self.http.post(path, data=body, headers={"Content-Type": content_type}, timeout=60)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{self.web}/{path}", timeout=60, **kwargs)

    def qido(self, path: str, **params) -> list[dict]:
        response = self.get(path, params=params)
        assert response.status_code in (200, 204), response.text
        return response.json() if response.status_code == 200 else []


@pytest.fixture
def store(emulator_server, project, unique_id) -> Store:
    base = f"{emulator_server.url}/v1/projects/{project}/locations/{LOCATION}/datasets"
    response = requests.post(base, params={"datasetId": f"ds-{unique_id}"}, json={}, timeout=30)
    assert response.ok, response.text
    response = requests.post(f"{base}/ds-{unique_id}/dicomStores", params={"dicomStoreId": "s1"}, json={}, timeout=30)
    assert response.ok, response.text
    return Store(emulator_server.url, response.json()["name"])
