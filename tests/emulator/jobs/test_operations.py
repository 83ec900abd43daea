"""Dataset operations get/list/cancel and Cloud Logging entries:list against the live emulator."""

import pytest

from .conftest import dicom_bytes

METHOD = "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"


@pytest.fixture
def history(api, project, store, bucket):
    """Three finished imports into one store: ok, with failures, matching nothing. Returns their operations."""
    api.upload(bucket, "ok/a.dcm", dicom_bytes())
    api.upload(bucket, "bad/a.dcm", dicom_bytes())
    api.upload(bucket, "bad/b.dcm", b"")
    api.upload(bucket, "bad/c.dcm", b"not dicom")
    return [api.run_import(store, f"gs://{bucket}/{path}") for path in ("ok/*", "bad/*", "none/*")]


def _dataset(store: str) -> str:
    return store.rsplit("/dicomStores/", 1)[0]


def test_get_of_an_unknown_operation_is_not_found(api, store):
    for op_id in ("1234567890123456789", "abc"):
        response = api.call("GET", f"/v1/{_dataset(store)}/operations/{op_id}")
        assert response.status_code == 404
        assert response.json()["error"]["status"] == "NOT_FOUND"


def test_datasets_create_leaves_a_finished_operation_that_get_returns(api, project, unique_id):
    api.bucket(project, f"{project}-home")
    response = api.ok("POST", f"/v1/projects/{project}/locations/us-central1/datasets",
                      params={"datasetId": f"lro{unique_id}"}, json={})
    op = api.ok("GET", f"/v1/{response['name']}")
    assert op["done"] is True
    assert op["response"]["name"].endswith(f"/datasets/lro{unique_id}")
    assert op["metadata"]["apiMethodName"].endswith("CreateDataset")


def test_list_filters_on_done_and_method_and_pages(api, store, history):
    dataset = _dataset(store)
    listed = api.ok("GET", f"/v1/{dataset}/operations")["operations"]
    names = [op["name"] for op in listed]
    assert {op["name"] for op in history} <= set(names)
    # newest first
    assert names.index(history[2]["name"]) < names.index(history[0]["name"])

    def names_for(filter: str) -> set:
        page = api.ok("GET", f"/v1/{dataset}/operations", params={"filter": filter})
        return {op["name"] for op in page.get("operations", [])}

    assert names_for("done=false") == set()
    assert {op["name"] for op in history} <= names_for("done=true")
    assert names_for(f'metadata.apiMethodName="{METHOD}"') == {op["name"] for op in history}
    assert names_for(f'done=true AND metadata.apiMethodName="{METHOD}"') == {op["name"] for op in history}
    assert names_for('metadata.apiMethodName="nothing"') == set()

    seen, token = [], ""
    while True:
        page = api.ok("GET", f"/v1/{dataset}/operations", params={"pageSize": 2, "pageToken": token})
        assert len(page["operations"]) <= 2
        seen += [op["name"] for op in page["operations"]]
        token = page.get("nextPageToken", "")
        if not token:
            break
    assert seen == names


@pytest.mark.parametrize("filter", ["done=maybe", "done=true OR done=false", "foo=1", "done=true AND", "(done=true)"])
def test_list_rejects_filters_it_does_not_understand(api, store, filter):
    response = api.call("GET", f"/v1/{_dataset(store)}/operations", params={"filter": filter})
    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_list_with_return_partial_success_is_unimplemented(api, store):
    response = api.call("GET", f"/v1/{_dataset(store)}/operations", params={"returnPartialSuccess": "true"})
    assert response.status_code == 501
    assert response.json()["error"]["status"] == "UNIMPLEMENTED"


def test_list_of_a_missing_dataset_is_not_found(api, project):
    response = api.call("GET", f"/v1/projects/{project}/locations/us-central1/datasets/nope/operations")
    assert response.status_code == 404


def test_cancel_of_a_finished_operation_changes_nothing(api, history):
    done = history[0]
    assert api.ok("POST", f"/v1/{done['name']}:cancel") == {}
    assert api.ok("GET", f"/v1/{done['name']}") == done


def test_entries_list_filters_orders_and_pages(api, project, store, history):
    failed = history[1]
    op_filter = f'operation.id="{failed["name"]}"'
    entries = api.entries(project, op_filter)
    assert len(entries) == 2
    assert [e["timestamp"] for e in entries] == sorted(e["timestamp"] for e in entries)
    desc = api.entries(project, op_filter, orderBy="timestamp desc")
    assert [e["insertId"] for e in desc] == [e["insertId"] for e in reversed(entries)]
    labels = store.split("/")
    for extra in ('severity>=ERROR', 'severity=ERROR', 'resource.type="healthcare_dicom_store"',
                  f'resource.labels.dataset_id="{labels[5]}"', f'resource.labels.dicom_store_id="{labels[7]}"',
                  f'logName="projects/{project}/logs/healthcare.googleapis.com%2Fimport_dicom"',
                  'jsonPayload.error.code=3', 'operation.producer="healthcare.googleapis.com/ImportDicomData"'):
        assert len(api.entries(project, f"{op_filter} AND {extra}")) == 2, extra
    for extra in ('severity=INFO', 'severity>CRITICAL', 'resource.labels.dicom_store_id="other"',
                  f'logName="projects/{project}/logs/healthcare.googleapis.com%2Fexport_dicom"'):
        assert api.entries(project, f"{op_filter} AND {extra}") == [], extra
    assert api.entries("some-other-project", op_filter) == []
    first = api.ok("POST", "/v2/entries:list", json={"resourceNames": [f"projects/{project}"], "filter": op_filter,
                                                      "pageSize": 1})
    second = api.ok("POST", "/v2/entries:list", json={"resourceNames": [f"projects/{project}"], "filter": op_filter,
                                                       "pageSize": 1, "pageToken": first["nextPageToken"]})
    assert [first["entries"][0]["insertId"], second["entries"][0]["insertId"]] == [e["insertId"] for e in entries]
    assert "nextPageToken" not in second


@pytest.mark.parametrize("body", [
    {"filter": "severity>=ERROR"},
    {"resourceNames": ["projects/p"], "filter": "severity>=LOUD"},
    {"resourceNames": ["projects/p"], "filter": "timestamp>=yesterday"},
    {"resourceNames": ["projects/p"], "orderBy": "severity"},
    {"resourceNames": ["projects/p"], "filter": "textPayload:x"},
])
def test_entries_list_rejects_bad_requests(api, body):
    response = api.call("POST", "/v2/entries:list", json=body)
    assert response.status_code == 400


def test_the_logs_viewer_explains_a_query_it_cannot_run(api, project):
    page = api.call("GET", "/logs/query;query=severity%3E%3DLOUD%20%3Cb%3E", params={"project": project})
    assert page.status_code == 200
    assert "Invalid filter" in page.text
    assert "&lt;b&gt;" in page.text and "<b>" not in page.text
