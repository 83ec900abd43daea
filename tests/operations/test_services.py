from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from gcp import errors as gcp_errors
from operations import services
from operations.models import Operation, WatchedDataset
from operations.notify import operation_notify

from .conftest import DATASET, STORE, operation_json

pytestmark = pytest.mark.django_db


@mock.patch("operations.services.gcp_healthcare.import_dicom", autospec=True)
def test_operation_start_stores_the_row_and_enqueues_polling_on_commit(
    import_dicom, user, django_capture_on_commit_callbacks
):
    # given
    import_dicom.return_value = {"name": f"{DATASET}/operations/42"}
    # when
    with (
        mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True) as apply_async,
        mock.patch("operations.tasks.operations_sync_task.delay", autospec=True) as sync,
        django_capture_on_commit_callbacks(execute=True),
    ):
        operation = services.operation_start(
            kind="import",
            store_name=STORE,
            params={"gcs_uri": "gs://b/**.dcm", "storage_class": "NEARLINE"},
            user=user,
        )
    # then
    assert import_dicom.call_args.kwargs["gcs_uri"] == "gs://b/**.dcm"
    assert import_dicom.call_args.kwargs["storage_class"] == "NEARLINE"
    operation.refresh_from_db()
    assert operation.state == Operation.State.RUNNING
    assert (operation.project, operation.dataset, operation.store, operation.operation_id) == (
        "p1",
        "ds1",
        "store1",
        "42",
    )
    assert operation.kind == "import"
    assert operation.started_by == user
    assert operation.api_method.endswith("ImportDicomData")
    assert operation.request == {"gcs_uri": "gs://b/**.dcm", "storage_class": "NEARLINE"}
    apply_async.assert_called_once_with((operation.id, operation.poll_token), countdown=0)
    sync.assert_called_once_with(WatchedDataset.objects.get(dataset="ds1").id)


@mock.patch("operations.services.gcp_healthcare.export_dicom", autospec=True)
def test_operation_start_passes_api_errors_through_and_stores_nothing(export_dicom):
    export_dicom.side_effect = gcp_errors.PermissionDenied("no", code=403, status="PERMISSION_DENIED")
    with pytest.raises(gcp_errors.PermissionDenied):
        services.operation_start(kind="export", store_name=STORE, params={"uri_prefix": "gs://b/out"})
    assert not Operation.objects.exists()


def test_done_stays_done(make_operation):
    operation = make_operation(Operation.State.SUCCEEDED, success_count=5)
    services.operation_refresh(operation=operation, payload=operation_json(operation.name, success=1, pending=4))
    operation.refresh_from_db()
    assert operation.state == Operation.State.SUCCEEDED
    assert operation.success_count == 5


def test_refresh_applies_partial_failure_as_succeeded_with_failures(make_operation):
    operation = make_operation()
    payload = operation_json(operation.name, done=True, success=3, failure=1, error={"code": 3, "message": "1 failed"})
    services.operation_refresh(operation=operation, payload=payload)
    assert operation.state == Operation.State.SUCCEEDED_WITH_FAILURES
    assert operation.is_ok is False
    assert operation.poll_token == ""
    assert operation.next_poll_at is None


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_a_poll_with_a_stale_token_does_nothing(operation_get, running_operation):
    assert services.operation_poll(operation_id=running_operation.id, token="stale") is None
    operation_get.assert_not_called()


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_a_poll_writes_counters_and_returns_the_next_delay(operation_get, running_operation, settings):
    settings.OPERATIONS_POLL_FIRST_SECONDS = 1
    operation_get.return_value = operation_json(running_operation.name, success=4, pending=6)
    delay = services.operation_poll(operation_id=running_operation.id, token="tok")
    running_operation.refresh_from_db()
    assert delay == 1
    assert (running_operation.success_count, running_operation.pending_count) == (4, 6)
    assert running_operation.poll_count == 1
    assert running_operation.last_polled_at is not None


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_a_poll_that_sees_done_stops(operation_get, running_operation):
    operation_get.return_value = operation_json(running_operation.name, done=True, success=10)
    assert services.operation_poll(operation_id=running_operation.id, token="tok") is None
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.SUCCEEDED
    assert running_operation.is_ok


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_an_operation_google_no_longer_knows_expires(operation_get, running_operation):
    operation_get.side_effect = gcp_errors.NotFound("gone", code=404, status="NOT_FOUND")
    assert services.operation_poll(operation_id=running_operation.id, token="tok") is None
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.EXPIRED


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_transient_errors_reach_the_task_for_a_retry(operation_get, running_operation):
    operation_get.side_effect = gcp_errors.Transient("busy", code=503, status="UNAVAILABLE")
    with pytest.raises(gcp_errors.Transient):
        services.operation_poll(operation_id=running_operation.id, token="tok")
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.RUNNING


def test_the_sweeper_requeues_only_overdue_running_operations(make_operation, django_capture_on_commit_callbacks):
    overdue = make_operation(next_poll_at=timezone.now() - timedelta(minutes=5))
    fresh = make_operation(next_poll_at=timezone.now() + timedelta(seconds=5))
    make_operation(Operation.State.SUCCEEDED, next_poll_at=timezone.now() - timedelta(hours=1))
    with (
        mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.operations_sweep(grace_seconds=30, sync=False)
    assert result["requeued"] == 1
    overdue.refresh_from_db()
    apply_async.assert_called_once_with((overdue.id, overdue.poll_token), countdown=0)
    assert overdue.poll_token != "tok"
    fresh.refresh_from_db()
    assert fresh.poll_token == "tok"


@mock.patch("operations.services.gcp_healthcare.operations_list", autospec=True)
def test_sync_stores_operations_started_elsewhere(operations_list, make_operation, django_capture_on_commit_callbacks):
    known = make_operation(Operation.State.SUCCEEDED)
    outside = operation_json(f"{DATASET}/operations/777", success=1, pending=1)
    finished = operation_json(f"{DATASET}/operations/778", done=True, success=2, method="x.ExportDicomData")
    operations_list.return_value = {"operations": [operation_json(known.name, success=1), outside, finished]}
    with (
        mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        count = services.operations_sync(dataset_name=DATASET)
    assert count == 2
    new = Operation.objects.get(operation_id="777")
    assert new.started_by is None and new.kind == "import" and new.is_running
    assert Operation.objects.get(operation_id="778").kind == "export"
    assert apply_async.call_count == 1
    known.refresh_from_db()
    assert known.state == Operation.State.SUCCEEDED


def test_ending_sends_the_webhook_and_email(make_operation, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.OPERATIONS_WEBHOOK_URL = "http://hooks.invalid/x"
    settings.OPERATIONS_NOTIFY_EMAILS = ["ops@example.org"]
    operation = make_operation()
    payload = operation_json(operation.name, done=True, success=1, failure=1, error={"code": 3, "message": "x"})
    with (
        mock.patch("operations.tasks.operation_notify_task.delay", autospec=True) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.operation_refresh(operation=operation, payload=payload)
    delay.assert_called_once_with(operation.id)
    with mock.patch("operations.notify.requests.post", autospec=True) as post:
        post.return_value.status_code = 204
        operation_notify(operation_id=operation.id)
    body = post.call_args.kwargs["json"]
    assert body["state"] == "succeeded_with_failures"
    assert body["ok"] is False
    assert body["url"].endswith(f"/operations/{operation.operation_id}")
    assert len(mailoutbox) == 1
    assert "Succeeded with failures" in mailoutbox[0].subject


def test_a_newly_seen_dataset_is_synced_at_once(django_capture_on_commit_callbacks):
    with (
        mock.patch("operations.tasks.operations_sync_task.delay", autospec=True) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.dataset_watch(project="p1", location="us-central1", dataset="new")
        services.dataset_watch(project="p1", location="us-central1", dataset="new")
    delay.assert_called_once_with(WatchedDataset.objects.get(dataset="new").id)


@mock.patch("operations.services.gcp_healthcare.operations_list", autospec=True)
def test_a_dataset_that_cannot_be_listed_records_the_error(operations_list, db):
    operations_list.side_effect = gcp_errors.NotFound("Dataset not found", code=404)
    watched = WatchedDataset.objects.create(project="p1", location="l", dataset="gone", last_seen_at=timezone.now())
    assert services.dataset_sync(watched_id=watched.id) == 0
    watched.refresh_from_db()
    assert watched.sync_error == "Dataset not found"


@mock.patch("operations.services.gcp_healthcare.import_dicom", autospec=True)
def test_starting_an_operation_the_sync_already_found_keeps_its_state(import_dicom, make_operation, user):
    found = make_operation(Operation.State.SUCCEEDED, store="", request={}, uri="", success_count=3)
    import_dicom.return_value = {"name": found.name}
    operation = services.operation_start(kind="import", store_name=STORE, params={"gcs_uri": "gs://b/x"}, user=user)
    assert operation.id == found.id
    assert operation.state == Operation.State.SUCCEEDED and operation.success_count == 3
    assert (operation.store, operation.uri, operation.started_by) == ("store1", "gs://b/x", user)
