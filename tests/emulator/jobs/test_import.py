"""dicomStores.import through the live emulator: wildcard rules, duplicates, failures and their log entries."""

import io
import uuid

import pydicom
import pytest
import requests

from .conftest import LOCATION, Api, dicom_bytes

# Object names in the wildcard bucket; each holds a distinct DICOM instance.
TREE = [
    "dir/Example.dcm", "dir/Example1.dcm", "dir/Example22.dcm", "dir/Example01.dcm", "dir/ExampleA.txt",
    "dir/sub/Example3.dcm", "dir/sub/deep/x.dcm", "dir/a.b.dcm", "other/y.dcm", "dirx/z.dcm", "top.dcm",
]

WILDCARD_CASES = [
    ("dir/Example*.dcm", {"dir/Example.dcm", "dir/Example1.dcm", "dir/Example22.dcm", "dir/Example01.dcm"}),
    ("dir/Example?.dcm", {"dir/Example1.dcm"}),
    ("dir/Example??.dcm", {"dir/Example22.dcm", "dir/Example01.dcm"}),
    ("dir/**.dcm", {n for n in TREE if n.startswith("dir/") and n.endswith(".dcm")}),
    ("dir/**", {n for n in TREE if n.startswith("dir/")}),
    ("dir/*", {n for n in TREE if n.startswith("dir/") and n.count("/") == 1}),
    ("dir/sub/*", {"dir/sub/Example3.dcm"}),
    ("dir/*/Example3.dcm", {"dir/sub/Example3.dcm"}),
    ("dir/Example.dcm", {"dir/Example.dcm"}),
    ("**.dcm", {n for n in TREE if n.endswith(".dcm")}),
    ("*.dcm", {"top.dcm"}),
    ("di?/*.dcm", {n for n in TREE if n.startswith("dir/") and n.count("/") == 1 and n.endswith(".dcm")}),
]


@pytest.fixture(scope="module")
def tree(emulator_server):
    """A bucket holding TREE; returns (api, project, bucket)."""
    api = Api(emulator_server.url)
    project = f"p-{uuid.uuid4().hex[:8]}"
    bucket = api.bucket(project, f"tree-{uuid.uuid4().hex[:8]}")
    for name in TREE:
        api.upload(bucket, name, dicom_bytes())
    return api, project, bucket


@pytest.mark.parametrize(("pattern", "expected"), WILDCARD_CASES)
def test_import_uris_match_objects_by_the_documented_wildcard_rules(tree, pattern, expected):
    # given
    api, project, bucket = tree
    store = api.store(project, f"d{uuid.uuid4().hex[:8]}")
    # when
    op = api.run_import(store, f"gs://{bucket}/{pattern}")
    # then
    assert "error" not in op, op
    assert op["metadata"]["counter"] == {"success": str(len(expected))}
    assert api.instance_count(store) == len(expected)


@pytest.mark.parametrize(("uri", "rule"), [
    ("bucket/dir/*.dcm", "gs://BUCKET/OBJECT"),
    ("gs://bucket-x", "object path is required"),
    ("gs://bucket-x/dir/**/x.dcm", "'**' must be at the end"),
    ("gs://bucket-x/d*/**.dcm", "only wildcard"),
    ("gs://bucket-x/dir/**abc", "'**' must be at the end"),
    ("gs://buck*/dir/x.dcm", "bucket part may not contain wildcards"),
])
def test_a_bad_uri_is_a_synchronous_invalid_argument_naming_the_rule(api, store, uri, rule):
    response = api.start_import(store, uri)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert rule in error["message"]


def test_a_missing_uri_or_a_bad_storage_class_is_rejected(api, store, bucket):
    assert api.call("POST", f"/v1/{store}:import", json={}).status_code == 400
    response = api.start_import(store, f"gs://{bucket}/*.dcm", blobStorageSettings={"blobStorageClass": "COLD"})
    assert response.status_code == 400
    assert "ARCHIVE" in response.json()["error"]["message"]


def test_import_into_a_missing_store_is_not_found(api, project, bucket):
    response = api.start_import(f"projects/{project}/locations/{LOCATION}/datasets/nope/dicomStores/s",
                                f"gs://{bucket}/*.dcm")
    assert response.status_code == 404


def test_a_uri_that_matches_nothing_ends_with_not_found(api, store, bucket):
    api.upload(bucket, "a/one.dcm", dicom_bytes())
    op = api.run_import(store, f"gs://{bucket}/a/*.txt")
    assert op["done"] is True
    assert op["error"]["code"] == 5
    assert "response" not in op


def test_duplicates_are_kept_once_and_counted_as_success(api, store, bucket):
    # given: the same instance under three names, plus one other instance
    same = dicom_bytes()
    for name in ("dup/a.dcm", "dup/b.dcm", "dup/c.dcm"):
        api.upload(bucket, name, same)
    api.upload(bucket, "dup/other.dcm", dicom_bytes())
    # when: imported twice
    first = api.run_import(store, f"gs://{bucket}/dup/*.dcm")
    second = api.run_import(store, f"gs://{bucket}/dup/*.dcm")
    # then
    assert first["metadata"]["counter"] == {"success": "4"}
    assert second["metadata"]["counter"] == {"success": "4"}
    assert first["response"]["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.dicom.ImportDicomDataResponse"
    assert api.instance_count(store) == 2


def test_bad_files_are_counted_as_failures_and_logged(api, project, store, bucket):
    # given
    good = dicom_bytes()
    api.upload(bucket, "mixed/good.dcm", good)
    api.upload(bucket, "mixed/empty.dcm", b"")
    api.upload(bucket, "mixed/text.dcm", b"hello, this is not DICOM at all\n" * 10)
    api.upload(bucket, "mixed/truncated.dcm", good[: len(good) // 3])
    # when
    op = api.run_import(store, f"gs://{bucket}/mixed/**")
    # then
    counter = op["metadata"]["counter"]
    assert counter["failure"] == "3"
    assert int(counter.get("success", "0")) + 3 == 4
    assert op["error"]["code"] == 3
    assert op["error"]["message"].startswith("3 of 4 instances failed")
    assert "response" not in op
    entries = api.entries(project, f'operation.id="{op["name"]}"')
    sources = {entry["jsonPayload"]["source"]: entry for entry in entries}
    assert set(sources) == {f"gs://{bucket}/mixed/{n}.dcm" for n in ("empty", "text", "truncated")}
    empty = sources[f"gs://{bucket}/mixed/empty.dcm"]
    assert empty["jsonPayload"]["error"] == {"code": 3, "message": "empty DICOM instance found"}
    assert empty["jsonPayload"]["@type"] == "type.googleapis.com/google.cloud.healthcare.logging.ImportDicomLogEntry"
    assert empty["severity"] == "ERROR"
    assert empty["logName"] == f"projects/{project}/logs/healthcare.googleapis.com%2Fimport_dicom"
    assert empty["resource"]["type"] == "healthcare_dicom_store"
    assert empty["resource"]["labels"]["dicom_store_id"] == "s1"
    assert empty["operation"]["id"] == op["name"]


def test_the_logs_url_shows_the_entries_as_an_escaped_table(api, store, bucket):
    api.upload(bucket, "html/<b>bold.dcm", b"<script>alert(1)</script>")
    op = api.run_import(store, f"gs://{bucket}/html/*")
    url = op["metadata"]["logsUrl"]
    assert url.startswith(api.url)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "&lt;b&gt;bold.dcm" in page.text
    assert "<b>" not in page.text
    assert "<table>" in page.text


def test_the_storage_class_is_recorded_per_instance(api, store, bucket):
    data = dicom_bytes()
    api.upload(bucket, "cold/x.dcm", data)
    op = api.run_import(store, f"gs://{bucket}/cold/x.dcm", blobStorageSettings={"blobStorageClass": "ARCHIVE"})
    assert "error" not in op
    ds = pydicom.dcmread(io.BytesIO(data))
    path = (f"/v1/{store}/dicomWeb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/"
            f"{ds.SOPInstanceUID}:getStorageInfo")
    response = api.call("GET", path)
    if response.status_code == 404 and "getStorageInfo" not in response.text:
        pytest.skip("the healthcare emulator has no getStorageInfo")
    assert response.ok, response.text
    assert response.json()["blobStorageInfo"]["storageClass"] == "ARCHIVE"


def test_v1beta1_imports_carry_v1beta1_types(api, store, bucket):
    api.upload(bucket, "beta/x.dcm", dicom_bytes())
    response = api.start_import(store, f"gs://{bucket}/beta/*", version="v1beta1")
    assert response.ok, response.text
    op = api.wait(response.json()["name"], version="v1beta1")
    assert op["metadata"]["@type"] == "type.googleapis.com/google.cloud.healthcare.v1beta1.OperationMetadata"
    assert op["metadata"]["apiMethodName"] == "google.cloud.healthcare.v1beta1.dicom.DicomService.ImportDicomData"
    assert op["response"]["@type"].endswith("v1beta1.dicom.ImportDicomDataResponse")


def test_a_finished_operation_has_the_documented_shape(api, store, bucket):
    api.upload(bucket, "shape/x.dcm", dicom_bytes())
    response = api.start_import(store, f"gs://{bucket}/shape/*")
    assert set(response.json()) == {"name"}
    name = response.json()["name"]
    dataset = store.rsplit("/dicomStores/", 1)[0]
    assert name.startswith(f"{dataset}/operations/")
    assert len(name.rsplit("/", 1)[1]) >= 16 and name.rsplit("/", 1)[1].isdigit()
    op = api.wait(name)
    metadata = op["metadata"]
    assert set(metadata) == {"@type", "apiMethodName", "createTime", "endTime", "logsUrl", "counter"}
    assert metadata["apiMethodName"] == "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"
    assert metadata["createTime"] <= metadata["endTime"]
    assert metadata["counter"] == {"success": "1"}
