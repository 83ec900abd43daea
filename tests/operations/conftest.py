"""Fixtures of the operations tests: Operation JSON builders and rows in several states."""

import io
import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Operation

DATASET = "projects/p1/locations/us-central1/datasets/ds1"
STORE = f"{DATASET}/dicomStores/store1"
IMPORT_METHOD = "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"
_ids = itertools.count(1000)


def operation_json(
    name: str = "",
    *,
    done: bool = False,
    success: int = 0,
    failure: int = 0,
    pending: int = 0,
    error: dict | None = None,
    method: str = IMPORT_METHOD,
    cancel_requested: bool = False,
) -> dict:
    """Return an Operation JSON as the API sends it (int64 as strings, defaults omitted)."""
    counter = {k: str(v) for k, v in {"success": success, "failure": failure, "pending": pending}.items() if v}
    metadata = {
        "@type": "type.googleapis.com/google.cloud.healthcare.v1.OperationMetadata",
        "apiMethodName": method,
        "createTime": "2026-01-01T10:00:00.123456Z",
        "logsUrl": "https://console.cloud.google.com/logs/query;query=x",
    }
    if counter:
        metadata["counter"] = counter
    if cancel_requested:
        metadata["cancelRequested"] = True
    payload = {"name": name or f"{DATASET}/operations/{next(_ids)}", "metadata": metadata}
    if done:
        metadata["endTime"] = "2026-01-01T10:05:00Z"
        payload["done"] = True
        if error is not None:
            payload["error"] = error
        else:
            payload["response"] = {
                "@type": "type.googleapis.com/google.cloud.healthcare.v1.dicom.ImportDicomDataResponse"
            }
    return payload


@pytest.fixture
def make_operation(db):
    def make(state: str = Operation.State.RUNNING, **fields) -> Operation:
        op_id = str(next(_ids))
        defaults = {
            "name": f"{DATASET}/operations/{op_id}",
            "project": "p1",
            "location": "us-central1",
            "dataset": "ds1",
            "operation_id": op_id,
            "store": "store1",
            "kind": Operation.Kind.IMPORT,
            "request": {"gcs_uri": "gs://bucket/dir/**.dcm", "storage_class": ""},
            "uri": "gs://bucket/dir/**.dcm",
            "state": state,
            "create_time": timezone.now() - timedelta(minutes=5),
            "poll_token": "tok" if state == Operation.State.RUNNING else "",
            "next_poll_at": timezone.now() if state == Operation.State.RUNNING else None,
        }
        defaults.update(fields)
        return Operation.objects.create(**defaults)

    return make


@pytest.fixture
def running_operation(make_operation) -> Operation:
    return make_operation(pending_count=10)


# -- live emulator helpers (plain HTTP: the dashboard's tests never import emulator code) ------------------

LOCATION = "us-central1"


def dicom_copies(count: int, source: str = "CT_small.dcm"):
    """Yield `count` copies of one of pydicom's test files, each with a fresh SOP Instance UID."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    ds = pydicom.dcmread(get_testdata_file(source))
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    for _ in range(count):
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        yield out.getvalue()


class LiveStore:
    """A dataset, a DICOM store and a bucket of their own in the session's emulator."""

    def __init__(self, url: str, unique_id: str):
        import requests

        self.url = url
        self.http = requests.Session()
        self.project = f"p-{unique_id}"
        self.dataset = f"d{unique_id}"
        self.bucket = f"b-{unique_id}"
        self.dataset_name = f"projects/{self.project}/locations/{LOCATION}/datasets/{self.dataset}"
        self.store_name = f"{self.dataset_name}/dicomStores/s1"
        # Creating a bucket creates its project in the emulator; datasets need the project.
        self._ok("POST", "/storage/v1/b", params={"project": self.project}, json={"name": self.bucket})
        base = f"/v1/projects/{self.project}/locations/{LOCATION}/datasets"
        self._ok("POST", base, params={"datasetId": self.dataset}, json={})
        self._ok("POST", f"{base}/{self.dataset}/dicomStores", params={"dicomStoreId": "s1"}, json={})

    def _ok(self, method: str, path: str, **kwargs) -> dict:
        response = self.http.request(method, f"{self.url}{path}", timeout=30, **kwargs)
        assert response.ok, response.text
        return response.json() if response.content else {}

    def upload(self, name: str, data: bytes) -> None:
        self._ok(
            "POST",
            f"/upload/storage/v1/b/{self.bucket}/o",
            params={"uploadType": "media", "name": name},
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def upload_dicom(self, prefix: str, count: int) -> None:
        for index, data in enumerate(dicom_copies(count)):
            self.upload(f"{prefix}/{index:05d}.dcm", data)

    def start_import_directly(self, uri: str) -> str:
        """POST :import straight to the emulator (as gcloud would), not through the console."""
        return self._ok("POST", f"/v1/{self.store_name}:import", json={"gcsSource": {"uri": uri}})["name"]


@pytest.fixture
def live_store(emulator_url, unique_id) -> LiveStore:
    return LiveStore(emulator_url, unique_id)


def wait_for_end(operation: Operation, *, timeout: float = 60) -> Operation:
    """Wait until the worker has tracked the operation to a final state; return the fresh row."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operation.refresh_from_db()
        if not operation.is_running:
            return operation
        time.sleep(0.2)
    raise AssertionError(f"still running after {timeout} s: {operation.name} (polled {operation.poll_count} times)")
