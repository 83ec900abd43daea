"""The gcp client against the live emulator: every call it offers, over HTTP, with real answers."""

import time

import pytest
from pydicom.uid import generate_uid

from gcp import dicomweb, errors, healthcare, logging, resourcemanager, storage
from gcp.session import get_session
from tests.console.dicomdata import dicom_copy

LOCATION = "us-central1"


def _wait_done(session, name: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        operation = healthcare.operation_get(session, name=name)
        if operation.get("done"):
            return operation
        time.sleep(0.3)
    raise AssertionError(f"{name} did not finish")


def _log_entries(session, project: str, operation: str, timeout: float = 15) -> dict:
    """Return the operation's log entries, waiting a little: logs may be written after the operation ends."""
    deadline = time.monotonic() + timeout
    while True:
        entries = logging.entries_list(session, project_id=project, filter=f'operation.id="{operation}"')
        if entries.get("entries") or time.monotonic() > deadline:
            return entries
        time.sleep(0.3)


@pytest.fixture
def names(emulator_url, unique_id):
    return {"project": f"gp-{unique_id}", "bucket": f"gb-{unique_id}", "dataset": f"gd-{unique_id}"}


def test_storage_calls_list_buckets_folders_and_objects(names):
    session = get_session()
    storage.bucket_create(session, project_id=names["project"], bucket=names["bucket"])
    for name in ("a/1.dcm", "a/2.dcm", "a/b/3.dcm", "top.txt"):
        storage.object_upload(session, bucket=names["bucket"], name=name, data=b"x" * 10)

    buckets = storage.buckets_list(session, project_id=names["project"])
    root = storage.folder_list(session, bucket=names["bucket"])
    folder = storage.folder_list(session, bucket=names["bucket"], prefix="a/")
    capped = storage.objects_list(session, bucket=names["bucket"], prefix="a/", max_pages=2, page_size=1)

    assert [b["name"] for b in buckets] == [names["bucket"]]
    assert (root.folders, [o["name"] for o in root.objects]) == (["a/"], ["top.txt"])
    assert (folder.folders, [o["name"] for o in folder.objects]) == (["a/b/"], ["a/1.dcm", "a/2.dcm"])
    assert (len(capped.objects), capped.pages, capped.truncated) == (2, 2, True)
    assert storage.object_get(session, bucket=names["bucket"], name="a/1.dcm")["size"] == 10
    storage.bucket_check_readable(session, bucket=names["bucket"])
    storage.bucket_check_writable(session, bucket=names["bucket"])


def test_storage_errors_for_a_missing_bucket_are_not_found(names):
    session = get_session()

    with pytest.raises(errors.NotFound) as excinfo:
        storage.bucket_check_readable(session, bucket=f"{names['bucket']}-missing")
    # Google's message alone, without the request line api-core puts before it.
    assert excinfo.value.message == "The specified bucket does not exist."
    with pytest.raises(errors.NotFound):
        storage.bucket_check_writable(session, bucket=f"{names['bucket']}-missing")
    with pytest.raises(errors.NotFound):
        storage.object_get(session, bucket=f"{names['bucket']}-missing", name="x")


def test_resource_manager_search_finds_the_project_by_prefix(names):
    session = get_session()
    storage.bucket_create(session, project_id=names["project"], bucket=names["bucket"])

    found = resourcemanager.projects_search(session, query=resourcemanager.search_query(names["project"][:8]))

    assert names["project"] in [p["projectId"] for p in found.get("projects", [])]
    assert resourcemanager.project_get(session, project_id=names["project"])["projectId"] == names["project"]


def test_healthcare_import_export_and_operations_end_to_end(names):
    session = get_session()
    storage.bucket_create(session, project_id=names["project"], bucket=names["bucket"])
    for index in range(3):
        storage.object_upload(session, bucket=names["bucket"], name=f"in/{index}.dcm", data=dicom_copy())
    storage.object_upload(session, bucket=names["bucket"], name="in/bad.dcm", data=b"")
    assert LOCATION in [loc["locationId"] for loc in healthcare.locations_list(session, project_id=names["project"])
                        ["locations"]]
    healthcare.dataset_create(session, project_id=names["project"], location=LOCATION, dataset_id=names["dataset"])
    dataset = f"projects/{names['project']}/locations/{LOCATION}/datasets/{names['dataset']}"
    healthcare.dicom_store_create(session, dataset_name=dataset, store_id="s1")
    store = f"{dataset}/dicomStores/s1"

    started = healthcare.import_dicom(session, store_name=store, gcs_uri=f"gs://{names['bucket']}/in/**.dcm")
    imported = _wait_done(session, started["name"])
    metrics = healthcare.dicom_store_metrics(session, name=store)
    exported = _wait_done(session, healthcare.export_dicom(
        session, store_name=store, uri_prefix=f"gs://{names['bucket']}/out", mime_type="image/png")["name"])
    listed = healthcare.operations_list(session, dataset_name=dataset)
    entries = _log_entries(session, names["project"], started["name"])

    assert imported["metadata"]["counter"] == {"success": "3", "failure": "1"}
    assert metrics["instanceCount"] == "3"
    assert "error" not in exported
    assert {started["name"], exported["name"]} <= {op["name"] for op in listed["operations"]}
    assert [e["jsonPayload"]["source"] for e in entries.get("entries", [])] == [f"gs://{names['bucket']}/in/bad.dcm"]
    out = storage.objects_list(session, bucket=names["bucket"], prefix="out/")
    assert len(out.objects) == 3 and all(o["name"].endswith(".png") for o in out.objects)
    assert [d["name"] for d in healthcare.datasets_list(session, project_id=names["project"], location=LOCATION)
            ["datasets"]] == [dataset]
    assert healthcare.dataset_get(session, name=dataset)["name"] == dataset
    assert healthcare.dicom_store_get(session, name=store)["name"] == store


def test_dicomweb_stores_searches_and_renders(names):
    session = get_session()
    storage.bucket_create(session, project_id=names["project"], bucket=names["bucket"])
    healthcare.dataset_create(session, project_id=names["project"], location=LOCATION, dataset_id=names["dataset"])
    dataset = f"projects/{names['project']}/locations/{LOCATION}/datasets/{names['dataset']}"
    healthcare.dicom_store_create(session, dataset_name=dataset, store_id="s1")
    store = f"{dataset}/dicomStores/s1"
    study, series = generate_uid(), generate_uid()

    dicomweb.store_instances(session, store_name=store, files=[dicom_copy(study, series), dicom_copy(study, series)])
    studies = dicomweb.search_studies(session, store_name=store)
    found_series = dicomweb.search_series(session, store_name=store, study_uid=study)
    instances = dicomweb.search_instances(session, store_name=store, study_uid=study, series_uid=series)
    image, content_type = dicomweb.instance_rendered(
        session, store_name=store, study_uid=study, series_uid=series,
        sop_uid=dicomweb.tag_value(instances[0], "00080018"), accept="image/png")

    assert [dicomweb.tag_value(s, "0020000D") for s in studies] == [study]
    assert [dicomweb.tag_value(s, "0020000E") for s in found_series] == [series]
    assert len(instances) == 2
    assert (content_type.split(";")[0], image[:4]) == ("image/png", b"\x89PNG")


def test_a_missing_dataset_is_not_found_and_a_duplicate_already_exists(names):
    session = get_session()
    storage.bucket_create(session, project_id=names["project"], bucket=names["bucket"])
    healthcare.dataset_create(session, project_id=names["project"], location=LOCATION, dataset_id=names["dataset"])

    with pytest.raises(errors.NotFound):
        healthcare.dataset_get(session, name=f"projects/{names['project']}/locations/{LOCATION}/datasets/nope")
    with pytest.raises(errors.AlreadyExists):
        healthcare.dataset_create(session, project_id=names["project"], location=LOCATION,
                                  dataset_id=names["dataset"])
