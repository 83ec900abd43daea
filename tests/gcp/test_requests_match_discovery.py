"""Every request the gcp client builds names a discovery method and fits its request schema."""

import pytest

from gcp import dicomweb, healthcare, logging, resourcemanager, storage
from gcp.session import get_session

from .conftest import answer_anything
from .discovery import request_problems

STORE = "projects/p1/locations/us-central1/datasets/d1/dicomStores/s1"
DATASET = "projects/p1/locations/us-central1/datasets/d1"
GENERIC = {"name": "x", "items": [], "permissions": ["storage.objects.create"], "bucket": "bkt1"}

CALLS = {
    "healthcare.projects.locations.list": lambda s: healthcare.locations_list(s, project_id="p1"),
    "healthcare.projects.locations.datasets.list": lambda s: healthcare.datasets_list(
        s, project_id="p1", location="us-central1", page_size=10, page_token="t"),
    "healthcare.projects.locations.datasets.get": lambda s: healthcare.dataset_get(s, name=DATASET),
    "healthcare.projects.locations.datasets.create": lambda s: healthcare.dataset_create(
        s, project_id="p1", location="us-central1", dataset_id="d2", time_zone="UTC"),
    "healthcare.projects.locations.datasets.dicomStores.list": lambda s: healthcare.dicom_stores_list(
        s, dataset_name=DATASET),
    "healthcare.projects.locations.datasets.dicomStores.get": lambda s: healthcare.dicom_store_get(s, name=STORE),
    "healthcare.projects.locations.datasets.dicomStores.create": lambda s: healthcare.dicom_store_create(
        s, dataset_name=DATASET, store_id="s2", labels={"team": "x"}),
    "healthcare.projects.locations.datasets.dicomStores.getDICOMStoreMetrics": lambda s: (
        healthcare.dicom_store_metrics(s, name=STORE)),
    "healthcare.projects.locations.datasets.dicomStores.import": lambda s: healthcare.import_dicom(
        s, store_name=STORE, gcs_uri="gs://bkt1/dir/**.dcm", storage_class="NEARLINE"),
    "healthcare.projects.locations.datasets.dicomStores.export": lambda s: healthcare.export_dicom(
        s, store_name=STORE, uri_prefix="gs://bkt1/out", mime_type="image/png", filter_uri="gs://bkt1/f.txt"),
    "healthcare.projects.locations.datasets.operations.get": lambda s: healthcare.operation_get(
        s, name=f"{DATASET}/operations/123"),
    "healthcare.projects.locations.datasets.operations.list": lambda s: healthcare.operations_list(
        s, dataset_name=DATASET, filter="done=true", page_token="t"),
    "healthcare.projects.locations.datasets.operations.cancel": lambda s: healthcare.operation_cancel(
        s, name=f"{DATASET}/operations/123"),
    "healthcare.projects.locations.datasets.dicomStores.searchForStudies": lambda s: dicomweb.search_studies(
        s, store_name=STORE),
    "healthcare.projects.locations.datasets.dicomStores.studies.searchForSeries": lambda s: (
        dicomweb.search_series(s, store_name=STORE, study_uid="1.2")),
    "healthcare.projects.locations.datasets.dicomStores.studies.series.searchForInstances": lambda s: (
        dicomweb.search_instances(s, store_name=STORE, study_uid="1.2", series_uid="1.3")),
    "healthcare.projects.locations.datasets.dicomStores.studies.series.instances.retrieveRendered": lambda s: (
        dicomweb.instance_rendered(s, store_name=STORE, study_uid="1.2", series_uid="1.3", sop_uid="1.4")),
    "healthcare.projects.locations.datasets.dicomStores.storeInstances": lambda s: dicomweb.store_instances(
        s, store_name=STORE, files=[b"DICM"]),
    "cloudresourcemanager.projects.search": lambda s: resourcemanager.projects_search(
        s, query=resourcemanager.search_query("demo"), page_token="t"),
    "cloudresourcemanager.projects.get": lambda s: resourcemanager.project_get(s, project_id="p1"),
    "logging.entries.list": lambda s: logging.entries_list(s, project_id="p1", filter='severity="ERROR"'),
    "storage.buckets.list": lambda s: storage.buckets_list(s, project_id="p1", prefix="b"),
    "storage.buckets.get": lambda s: storage.bucket_get(s, bucket="bkt1"),
    "storage.buckets.insert": lambda s: storage.bucket_create(s, project_id="p1", bucket="bkt1"),
    "storage.objects.list": lambda s: storage.folder_list(s, bucket="bkt1", prefix="dir/"),
    "storage.buckets.testIamPermissions": lambda s: storage.bucket_check_writable(s, bucket="bkt1"),
    "storage.objects.get": lambda s: storage.object_get(s, bucket="bkt1", name="dir/a b.txt"),
    "storage.objects.insert": lambda s: storage.object_upload(
        s, bucket="bkt1", name="f/filter.txt", data=b"/studies/1"),
}


@pytest.mark.parametrize("method_id", sorted(CALLS))
def test_the_client_sends_the_request_the_discovery_document_describes(fake_google, method_id):
    answer_anything(fake_google, GENERIC)

    CALLS[method_id](get_session())

    assert fake_google.calls, "no request was sent"
    matched = set()
    for call in fake_google.calls:
        method, problems = request_problems(call.request)
        assert problems == []
        matched.add(method.id)
    assert method_id in matched


def test_the_import_body_names_the_source_and_the_storage_class(fake_google):
    answer_anything(fake_google, {"name": f"{DATASET}/operations/1"})

    operation = healthcare.import_dicom(get_session(), store_name=STORE, gcs_uri="gs://b1/x/**.dcm",
                                        storage_class="ARCHIVE")

    assert operation == {"name": f"{DATASET}/operations/1"}
    import json

    assert [c.request.method for c in fake_google.calls] == ["POST"], [c.request.url for c in fake_google.calls]
    body = json.loads(fake_google.calls[0].request.body)
    assert body == {"gcsSource": {"uri": "gs://b1/x/**.dcm"}, "blobStorageSettings": {"blobStorageClass": "ARCHIVE"}}


def test_the_export_body_leaves_out_what_was_not_chosen(fake_google):
    answer_anything(fake_google, {"name": f"{DATASET}/operations/2"})

    healthcare.export_dicom(get_session(), store_name=STORE, uri_prefix="gs://b1/out")

    import json

    assert json.loads(fake_google.calls[0].request.body) == {"gcsDestination": {"uriPrefix": "gs://b1/out"}}


def test_a_v1beta1_call_matches_the_v1beta1_document(fake_google):
    answer_anything(fake_google, {"name": "x"})

    healthcare.import_dicom(get_session(), store_name=STORE, gcs_uri="gs://b1/a.dcm", api_version="v1beta1")

    method, problems = request_problems(fake_google.calls[0].request)
    assert (method.api, problems) == ("healthcare.v1beta1", [])


@pytest.mark.parametrize(
    ("method", "url", "body", "problem"),
    [
        ("POST", f"https://healthcare.googleapis.com/v1/{STORE}:import", {"gcsSource": {"url": "gs://b/x"}},
         "unknown field 'url'"),
        ("POST", f"https://healthcare.googleapis.com/v1/{STORE}:import",
         {"gcsSource": {"uri": "gs://b/x"}, "blobStorageSettings": {"blobStorageClass": "COLD"}}, "is not one of"),
        ("GET", f"https://healthcare.googleapis.com/v1/{DATASET}/operations?pageLimit=5", None,
         "unknown query parameter 'pageLimit'"),
        ("GET", f"https://healthcare.googleapis.com/v1/{DATASET}/importantThings", None, "matches no discovery method"),
    ],
)
def test_the_checker_reports_requests_the_discovery_document_does_not_describe(method, url, body, problem):
    import requests

    prepared = requests.Request(method, url, json=body).prepare()
    _, problems = request_problems(prepared)
    assert any(problem in p for p in problems), problems
