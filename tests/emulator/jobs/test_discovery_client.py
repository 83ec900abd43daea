"""google-api-python-client (bundled discovery documents) runs import, export and the operations calls end to end.

Every response is also checked against the discovery documents by the suite's contract checker.
"""

import time

import pytest
from google.auth.credentials import AnonymousCredentials
from googleapiclient import discovery
from googleapiclient.errors import HttpError

from .conftest import dicom_bytes


def _client(api: str, version: str, url: str):
    return discovery.build(api, version, static_discovery=True, credentials=AnonymousCredentials(),
                           client_options={"api_endpoint": url}, cache_discovery=False)


def _wait(operations, name: str) -> dict:
    deadline = time.monotonic() + 60
    while True:
        op = operations.get(name=name).execute()
        if op.get("done"):
            return op
        assert time.monotonic() < deadline, op
        time.sleep(0.1)


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_the_python_client_imports_exports_and_reads_operations(api, project, store, bucket, emulator_server,
                                                                version):
    # given
    api.upload(bucket, "client/a.dcm", dicom_bytes())
    api.upload(bucket, "client/b.dcm", dicom_bytes())
    api.upload(bucket, "client/empty.dcm", b"")
    healthcare = _client("healthcare", version, emulator_server.url)
    datasets = healthcare.projects().locations().datasets()
    stores, operations = datasets.dicomStores(), datasets.operations()
    # when: import
    started = stores.import_(name=store, body={"gcsSource": {"uri": f"gs://{bucket}/client/*.dcm"},
                                               "blobStorageSettings": {"blobStorageClass": "NEARLINE"}}).execute()
    imported = _wait(operations, started["name"])
    # then
    assert imported["metadata"]["counter"] == {"success": "2", "failure": "1"}
    assert imported["error"]["code"] == 3
    method = imported["metadata"]["apiMethodName"]
    assert method == f"google.cloud.healthcare.{version}.dicom.DicomService.ImportDicomData"
    # when: export
    started = stores.export(name=store, body={"gcsDestination": {
        "uriPrefix": f"gs://{bucket}/client-out", "mimeType": "application/dicom; transfer-syntax=1.2.840.10008.1.2.1"},
    }).execute()
    exported = _wait(operations, started["name"])
    # then
    assert exported["metadata"]["counter"] == {"success": "2"}
    response_type = exported["response"]["@type"]
    assert response_type == f"type.googleapis.com/google.cloud.healthcare.{version}.dicom.ExportDicomDataResponse"
    assert len(api.names(bucket, "client-out/")) == 2
    # operations.list and cancel through the client
    dataset = store.rsplit("/dicomStores/", 1)[0]
    listed = operations.list(name=dataset, filter="done=true", pageSize=10).execute()
    assert {imported["name"], exported["name"]} <= {op["name"] for op in listed["operations"]}
    assert operations.cancel(name=exported["name"], body={}).execute() == {}
    # Cloud Logging through its client
    logging = _client("logging", "v2", emulator_server.url)
    query = f'operation.id="{imported["name"]}" AND severity>=ERROR'
    entries = logging.entries().list(body={"resourceNames": [f"projects/{project}"], "filter": query}).execute()
    assert [e["jsonPayload"]["source"] for e in entries["entries"]] == [f"gs://{bucket}/client/empty.dcm"]


def test_the_python_client_sees_google_errors(api, store, emulator_server):
    stores = _client("healthcare", "v1", emulator_server.url).projects().locations().datasets().dicomStores()
    with pytest.raises(HttpError) as caught:
        stores.import_(name=store, body={"gcsSource": {"uri": "gs://bucket-x/a/**/b.dcm"}}).execute()
    assert caught.value.status_code == 400
    assert "'**' must be at the end" in str(caught.value)
