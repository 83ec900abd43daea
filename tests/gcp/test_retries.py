"""Transient failures are retried with backoff, other 4xx are not, and errors come out typed."""

import pytest
import requests
import responses

from gcp import errors, healthcare, storage
from gcp.session import get_session

from .conftest import FAKE

DATASET = "projects/p1/locations/us-central1/datasets/d1"
OP_URL = f"{FAKE}/v1/{DATASET}/operations/7"
STORE = f"{DATASET}/dicomStores/s1"


def _error(code, status, message):
    return {"error": {"code": code, "status": status, "message": message}}


def test_a_503_is_retried_and_the_next_answer_is_returned(fake_google):
    fake_google.add("GET", OP_URL, json=_error(503, "UNAVAILABLE", "try later"), status=503)
    fake_google.add("GET", OP_URL, json={"name": "op7", "done": True}, status=200)

    operation = healthcare.operation_get(get_session(), name=f"{DATASET}/operations/7")

    assert operation == {"name": "op7", "done": True}
    assert [c.response.status_code for c in fake_google.calls] == [503, 200], [c.request.url for c in fake_google.calls]


def test_a_400_is_not_retried_and_carries_googles_message(fake_google):
    fake_google.add("GET", OP_URL, json=_error(400, "INVALID_ARGUMENT", "bad name"), status=400)

    with pytest.raises(errors.InvalidArgument) as excinfo:
        healthcare.operation_get(get_session(), name=f"{DATASET}/operations/7")

    assert (str(excinfo.value), excinfo.value.code, excinfo.value.status) == ("bad name", 400, "INVALID_ARGUMENT")
    assert len(fake_google.calls) == 1


@pytest.mark.parametrize(
    ("code", "status", "error_class"),
    [
        (401, "UNAUTHENTICATED", errors.Unauthenticated),
        (403, "PERMISSION_DENIED", errors.PermissionDenied),
        (404, "NOT_FOUND", errors.NotFound),
        (409, "ALREADY_EXISTS", errors.AlreadyExists),
        (400, "FAILED_PRECONDITION", errors.FailedPrecondition),
    ],
)
def test_client_errors_become_their_typed_error_without_retrying(fake_google, code, status, error_class):
    fake_google.add("GET", OP_URL, json=_error(code, status, "nope"), status=code)

    with pytest.raises(error_class):
        healthcare.operation_get(get_session(), name=f"{DATASET}/operations/7")

    assert len(fake_google.calls) == 1


def test_a_connection_error_that_persists_becomes_transient_after_the_retries(fake_google, settings):
    fake_google.add("GET", OP_URL, body=requests.ConnectionError("refused"))

    with pytest.raises(errors.Transient) as excinfo:
        healthcare.operation_get(get_session(), name=f"{DATASET}/operations/7")

    assert "Could not connect" in str(excinfo.value)
    assert len(fake_google.calls) == settings.GCP_RETRY_ATTEMPTS


def test_an_import_is_not_repeated_after_a_500_because_it_may_have_started(fake_google):
    url = f"{FAKE}/v1/{STORE}:import"
    fake_google.add("POST", url, json=_error(500, "INTERNAL", "oops"), status=500)

    with pytest.raises(errors.Transient):
        healthcare.import_dicom(get_session(), store_name=STORE, gcs_uri="gs://b1/a.dcm")

    assert len(fake_google.calls) == 1


def test_an_import_is_repeated_after_a_429(fake_google):
    url = f"{FAKE}/v1/{STORE}:import"
    fake_google.add("POST", url, json=_error(429, "RESOURCE_EXHAUSTED", "quota"), status=429)
    fake_google.add("POST", url, json={"name": f"{DATASET}/operations/9"}, status=200)

    operation = healthcare.import_dicom(get_session(), store_name=STORE, gcs_uri="gs://b1/a.dcm")

    assert operation["name"].endswith("/operations/9")


def test_an_error_without_googles_envelope_still_has_a_message(fake_google):
    fake_google.add("GET", OP_URL, body="<html>Bad gateway</html>", status=502)

    with pytest.raises(errors.Transient) as excinfo:
        healthcare.operation_get(get_session(), name=f"{DATASET}/operations/7")

    assert "Bad gateway" in str(excinfo.value)


def test_storage_errors_come_out_as_gcp_errors(fake_google):
    body = _error(404, "NOT_FOUND", "The specified bucket does not exist.")
    fake_google.add("GET", f"{FAKE}/storage/v1/b/missing-bucket", json=body, status=404)

    with pytest.raises(errors.NotFound) as excinfo:
        storage.bucket_get(get_session(), bucket="missing-bucket")

    assert "does not exist" in str(excinfo.value)


def test_storage_retries_a_503(fake_google):
    url = f"{FAKE}/storage/v1/b/bkt1"
    fake_google.add("GET", url, json=_error(503, "UNAVAILABLE", "later"), status=503)
    fake_google.add("GET", url, json={"name": "bkt1", "location": "US"}, status=200)

    assert storage.bucket_get(get_session(), bucket="bkt1")["name"] == "bkt1"


def test_a_storage_connection_error_is_transient(fake_google, settings):
    settings.GCP_TIMEOUT = 1
    fake_google.add("GET", f"{FAKE}/storage/v1/b/bkt1", body=requests.ConnectionError("refused"))

    with pytest.raises(errors.Transient):
        storage.bucket_get(get_session(), bucket="bkt1")


@responses.activate
def test_the_session_against_the_emulator_sends_no_credentials(settings):
    from gcp.session import reset_sessions

    settings.CLOUD_EMULATOR_URL = FAKE
    reset_sessions()
    responses.add("GET", f"{FAKE}/v3/projects/p1", json={"projectId": "p1"})
    from gcp import resourcemanager

    assert resourcemanager.project_get(get_session(), project_id="p1") == {"projectId": "p1"}
    assert "Authorization" not in responses.calls[0].request.headers
