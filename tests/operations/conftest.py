"""Fixtures of the operations tests: Operation JSON builders and rows in several states."""

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
