from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from operations.models import Operation

from .conftest import DATASET, STORE, operation_json

pytestmark = pytest.mark.django_db


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
@mock.patch("operations.services.gcp_healthcare.import_dicom", autospec=True)
def test_dicom_import_wait_prints_progress_until_ok(import_dicom, operation_get, capsys):
    name = f"{DATASET}/operations/31"
    import_dicom.return_value = {"name": name}
    operation_get.side_effect = [
        operation_json(name, success=2, pending=2),
        operation_json(name, done=True, success=4),
    ]
    with mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True):
        call_command("dicom_import", STORE, "gs://b/**.dcm", "--wait", "--interval", "0")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == name
    assert "31 Running: 2 succeeded, 0 failed, 2 pending (50%)" in out
    assert out[-1] == "31 OK: 4 succeeded, 0 failed, 0 pending"


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
@mock.patch("operations.services.gcp_healthcare.export_dicom", autospec=True)
def test_dicom_export_wait_exits_non_zero_on_failure(export_dicom, operation_get):
    name = f"{DATASET}/operations/32"
    export_dicom.return_value = {"name": name}
    operation_get.return_value = operation_json(name, done=True, failure=1, error={"code": 5, "message": "bucket gone"})
    with (
        mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True),
        pytest.raises(CommandError, match="bucket gone") as excinfo,
    ):
        call_command("dicom_export", STORE, "gs://out/dir", "--mime-type", "image/png", "--wait", "--interval", "0")
    assert excinfo.value.returncode == 1
    assert export_dicom.call_args.kwargs["mime_type"] == "image/png"
    assert Operation.objects.get(name=name).state == Operation.State.FAILED


def test_operations_list_and_show(make_operation, capsys):
    op = make_operation(Operation.State.SUCCEEDED, success_count=3)
    call_command("operations", "list")
    assert f"{op.operation_id} OK: 3 succeeded" in capsys.readouterr().out
    call_command("operations", "show", op.operation_id)
    out = capsys.readouterr().out
    assert op.name in out and "gs://bucket/dir/**.dcm" in out


@mock.patch("operations.services.gcp_healthcare.operation_cancel", autospec=True)
def test_operations_cancel(operation_cancel, make_operation, capsys):
    op = make_operation()
    with mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True):
        call_command("operations", "cancel", op.name)
    assert "Cancellation requested" in capsys.readouterr().out
    operation_cancel.assert_called_once()


def test_an_unknown_operation_id_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No operation with ID 404404"):
        call_command("operations", "show", "404404")
