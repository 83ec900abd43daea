import pytest

from operations.models import Operation
from operations.state import (
    fields_from_json,
    kind_from_method,
    parse_operation_name,
    parse_store_name,
    poll_delay,
    retry_delay,
    state_from_json,
)

from .conftest import operation_json


def test_poll_delay_doubles_from_the_first_delay_up_to_the_steady_interval():
    delays = [poll_delay(n, first=1, steady=10, ceiling=1800) for n in range(7)]
    assert delays == [1, 2, 4, 8, 10, 10, 10]


def test_poll_delay_never_exceeds_the_ceiling_from_the_visibility_timeout():
    assert poll_delay(50, first=1, steady=600, ceiling=30) == 30
    assert poll_delay(10**6, first=1, steady=10, ceiling=1800) == 10


def test_retry_delay_is_capped_exponential_backoff():
    assert [retry_delay(n, cap=60) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_an_operation_without_done_is_running():
    assert state_from_json(operation_json(success=3, pending=7)) == Operation.State.RUNNING


def test_done_with_a_response_and_no_failures_succeeded():
    assert state_from_json(operation_json(done=True, success=10)) == Operation.State.SUCCEEDED


def test_done_with_an_error_and_some_successes_succeeded_with_failures():
    payload = operation_json(done=True, success=8, failure=2, error={"code": 3, "message": "2 files failed"})
    assert state_from_json(payload) == Operation.State.SUCCEEDED_WITH_FAILURES


def test_done_with_a_response_but_counted_failures_is_never_plain_success():
    assert state_from_json(operation_json(done=True, success=8, failure=2)) == Operation.State.SUCCEEDED_WITH_FAILURES


def test_done_with_an_error_and_no_successes_failed():
    payload = operation_json(done=True, failure=5, error={"code": 3, "message": "all failed"})
    assert state_from_json(payload) == Operation.State.FAILED


def test_done_with_code_one_is_cancelled():
    payload = operation_json(done=True, success=4, cancel_requested=True, error={"code": 1, "message": "cancelled"})
    assert state_from_json(payload) == Operation.State.CANCELLED


def test_fields_read_int64_strings_times_error_and_logs_url():
    payload = operation_json(done=True, success=8, failure=2, error={"code": 3, "message": "2 files failed"})
    fields = fields_from_json(payload)
    assert fields["success_count"] == 8
    assert fields["failure_count"] == 2
    assert fields["pending_count"] == 0
    assert fields["error_code"] == 3
    assert fields["error_message"] == "2 files failed"
    assert fields["end_time"].isoformat() == "2026-01-01T10:05:00+00:00"
    assert fields["create_time"].microsecond == 123456
    assert fields["logs_url"].startswith("https://console.cloud.google.com/logs/query")
    assert fields["raw"] is payload


def test_fields_of_a_running_operation_have_no_error_and_no_end():
    fields = fields_from_json(operation_json(success=1, pending=2))
    assert fields["error_code"] is None
    assert fields["error_message"] == ""
    assert fields["end_time"] is None
    assert fields["pending_count"] == 2


def test_kind_comes_from_the_api_method_name():
    assert kind_from_method("google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData") == "import"
    assert kind_from_method("google.cloud.healthcare.v1beta1.dicom.DicomService.ExportDicomData") == "export"
    assert kind_from_method("google.cloud.healthcare.v1.dataset.DatasetService.CreateDataset") == "other"


def test_names_are_split_into_their_parts():
    assert parse_operation_name("projects/p/locations/l/datasets/d/operations/123") == {
        "project": "p",
        "location": "l",
        "dataset": "d",
        "operation_id": "123",
    }
    assert parse_store_name("projects/p/locations/l/datasets/d/dicomStores/s")["store"] == "s"
    with pytest.raises(ValueError, match="Not a DICOM store name"):
        parse_store_name("projects/p/datasets/d")


def test_the_progress_bar_is_full_green_only_for_a_success():
    assert Operation(state=Operation.State.SUCCEEDED).success_percent == 100.0
    assert Operation(state=Operation.State.EXPIRED).success_percent == 0.0
    running = Operation(state=Operation.State.RUNNING, success_count=30, failure_count=10, pending_count=60)
    assert (running.progress_percent, running.success_percent, running.failure_percent) == (40, 30.0, 10.0)
    partial = Operation(state=Operation.State.SUCCEEDED_WITH_FAILURES, success_count=98, failure_count=2)
    assert partial.is_ok is False and partial.progress_percent == 100


def test_a_logs_url_that_is_not_http_is_dropped():
    payload = operation_json()
    payload["metadata"]["logsUrl"] = "javascript:alert(1)"
    assert fields_from_json(payload)["logs_url"] == ""


def test_the_system_checks_reject_a_first_poll_slower_than_the_steady_one(settings):
    from operations.checks import check_polling_settings

    assert check_polling_settings(None) == []
    settings.OPERATIONS_POLL_FIRST_SECONDS = 30
    assert [m.id for m in check_polling_settings(None)] == ["operations.E001"]
