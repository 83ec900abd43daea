from unittest import mock

import pytest

from gcp import errors as gcp_errors
from operations.models import Operation
from operations.tasks import operation_poll_task, operations_sweep_task

from .conftest import operation_json

pytestmark = pytest.mark.django_db


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_the_poll_task_reschedules_itself_while_running(operation_get, running_operation):
    operation_get.return_value = operation_json(running_operation.name, success=1, pending=9)
    with mock.patch.object(operation_poll_task, "apply_async", autospec=True) as apply_async:
        operation_poll_task.run(running_operation.id, "tok")
    apply_async.assert_called_once_with((running_operation.id, "tok"), countdown=1)


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_the_poll_task_stops_when_done(operation_get, running_operation):
    operation_get.return_value = operation_json(running_operation.name, done=True, success=10)
    with mock.patch.object(operation_poll_task, "apply_async", autospec=True) as apply_async:
        operation_poll_task.run(running_operation.id, "tok")
    apply_async.assert_not_called()
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.SUCCEEDED


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_a_transient_error_is_retried_and_shown(operation_get, running_operation):
    operation_get.side_effect = gcp_errors.Transient("Service unavailable", code=503)
    with (
        mock.patch.object(operation_poll_task, "retry", autospec=True, side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError, match="retry"),
    ):
        operation_poll_task.run(running_operation.id, "tok")
    assert retry.call_args.kwargs["countdown"] == 1
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.RUNNING
    assert running_operation.poll_error == "Service unavailable"


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_when_retries_run_out_the_operation_is_marked_failed(operation_get, running_operation, settings):
    settings.OPERATIONS_POLL_MAX_RETRIES = 0
    operation_get.side_effect = gcp_errors.Transient("Service unavailable", code=503)
    operation_poll_task.run(running_operation.id, "tok")
    running_operation.refresh_from_db()
    assert running_operation.state == Operation.State.FAILED
    assert "Service unavailable" in running_operation.error_message


def test_a_task_without_token_starts_a_fresh_chain(running_operation, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(operation_poll_task, "apply_async", autospec=True) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        operation_poll_task.run(running_operation.id)
    running_operation.refresh_from_db()
    apply_async.assert_called_once_with((running_operation.id, running_operation.poll_token), countdown=0)


def test_the_sweeper_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["operations-sweep"]
    assert entry["task"] == operations_sweep_task.name
    assert entry["schedule"] == 60


def test_a_database_error_is_retried(running_operation):
    from django.db import OperationalError

    with (
        mock.patch("operations.services.operation_poll", autospec=True, side_effect=OperationalError("locked")),
        mock.patch.object(operation_poll_task, "retry", autospec=True, side_effect=RuntimeError("retry")) as retry,
        pytest.raises(RuntimeError, match="retry"),
    ):
        operation_poll_task.run(running_operation.id, "tok")
    assert retry.call_args.kwargs["countdown"] == 1
