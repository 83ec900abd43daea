"""The contract checker itself: it must catch what it is there to catch."""

import pytest

from emulator.contract import check_error_envelope, check_response, find_method

NAME = "projects/p/locations/us-central1/datasets/d"
RUNNING = {
    "name": f"{NAME}/operations/1234567890123456",
    "metadata": {
        "@type": "type.googleapis.com/google.cloud.healthcare.v1.OperationMetadata",
        "apiMethodName": "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData",
        "createTime": "2026-01-01T10:00:00.123456Z",
        "counter": {"success": "40", "pending": "60"},
    },
}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", f"/v1/{NAME}/dicomStores/s:import", "healthcare.projects.locations.datasets.dicomStores.import"),
        ("POST", f"/v1beta1/{NAME}/dicomStores/s:export", "healthcare.projects.locations.datasets.dicomStores.export"),
        ("GET", f"/v1/{NAME}/operations/123", "healthcare.projects.locations.datasets.operations.get"),
        ("GET", f"/v1/{NAME}", "healthcare.projects.locations.datasets.get"),
        ("GET", "/v1/projects/p/locations", "healthcare.projects.locations.list"),
        ("GET", "/storage/v1/b/bucket/o/dir%2Ffile.dcm", "storage.objects.get"),
        ("GET", "/storage/v1/b/bucket/o", "storage.objects.list"),
        ("POST", "/upload/storage/v1/b/bucket/o", "storage.objects.insert"),
        ("PUT", "/upload/storage/v1/b/bucket/o", "storage.objects.insert"),
        ("GET", "/v3/projects:search", "cloudresourcemanager.projects.search"),
        ("POST", "/v2/entries:list", "logging.entries.list"),
    ],
)
def test_it_finds_the_discovery_method_of_a_request(method, path, expected):
    assert find_method(method, path).id == expected


def test_a_running_operation_passes():
    assert check_response("GET", f"/v1/{NAME}/operations/1", 200, RUNNING) == (
        "healthcare.projects.locations.datasets.operations.get", [])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda op: op["metadata"]["counter"].update(success=40), "expected a string (int64)"),
        (lambda op: op.update(done=False), "default value False must be omitted"),
        (lambda op: op["metadata"]["counter"].update(failure="0"), "default value '0' must be omitted"),
        (lambda op: op.update(progress="50%"), "unknown field 'progress'"),
        (lambda op: op["metadata"].update(createTime="yesterday"), "is not an RFC 3339 timestamp"),
        (lambda op: op["metadata"].update({"@type": "type.googleapis.com/google.cloud.healthcare.v1beta1."
                                                     "OperationMetadata"}), "does not carry the API version v1"),
        (lambda op: op["metadata"].update(counters={}), "unknown field 'counters' in OperationMetadata"),
    ],
)
def test_it_reports_contract_violations(change, problem):
    import copy

    operation = copy.deepcopy(RUNNING)
    change(operation)
    _, problems = check_response("GET", f"/v1/{NAME}/operations/1", 200, operation)
    assert any(problem in p for p in problems), problems


def test_storage_objects_keep_their_own_conventions():
    item = {"kind": "storage#object", "name": "a/b.dcm", "bucket": "b", "size": "12", "generation": "1",
            "timeCreated": "2026-01-01T10:00:00.000Z", "eventBasedHold": False}
    assert check_response("GET", "/storage/v1/b/b/o/a%2Fb.dcm", 200, item)[1] == []
    item["size"] = 12
    assert "expected a string" in check_response("GET", "/storage/v1/b/b/o/a%2Fb.dcm", 200, item)[1][0]


def test_error_envelopes_are_checked():
    assert check_error_envelope({"error": {"code": 404, "message": "x", "status": "NOT_FOUND"}}) == []
    assert check_error_envelope({"detail": "Not found"})
    assert check_error_envelope({"error": {"code": "404", "message": "x", "status": "NOT_FOUND"}})
