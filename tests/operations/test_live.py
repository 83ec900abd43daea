"""Against the live emulator, a real Redis and a real worker process."""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from operations import services
from operations.models import Operation, WatchedDataset

from .conftest import wait_for_end

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _detail(client, op):
    return client.get(reverse("operations-detail", args=[op.project, op.location, op.dataset, op.operation_id]))


def test_an_import_goes_from_running_to_the_green_ok(celery_worker, live_store, client, user):
    # given
    live_store.upload_dicom("ok", 20)
    client.force_login(user)
    started = time.monotonic()
    # when
    op = services.operation_start(
        kind="import",
        store_name=live_store.store_name,
        params={"gcs_uri": f"gs://{live_store.bucket}/ok/**.dcm"},
        user=user,
    )
    assert op.state == Operation.State.RUNNING
    op = wait_for_end(op)
    print(f"import of 20 tracked to the end in {time.monotonic() - started:.2f} s, {op.poll_count} polls")
    # then
    assert op.state == Operation.State.SUCCEEDED
    assert (op.success_count, op.failure_count, op.pending_count) == (20, 0, 0)
    assert op.is_ok
    html = _detail(client, op).content.decode()
    assert 'data-testid="status" data-state="succeeded"' in html
    assert ">OK<" in html and 'data-testid="icon-ok"' in html


def test_a_failing_import_shows_the_error_the_logging_link_and_the_per_file_list(
    celery_worker, live_store, client, user
):
    # given: three good files, an empty one and one that is not DICOM
    live_store.upload_dicom("mixed", 3)
    live_store.upload("mixed/empty.dcm", b"")
    live_store.upload("mixed/notes.dcm", b"this is not DICOM at all")
    client.force_login(user)
    # when
    op = services.operation_start(
        kind="import", store_name=live_store.store_name, params={"gcs_uri": f"gs://{live_store.bucket}/mixed/*.dcm"}
    )
    op = wait_for_end(op)
    # then
    assert op.state == Operation.State.SUCCEEDED_WITH_FAILURES
    assert (op.success_count, op.failure_count) == (3, 2)
    assert not op.is_ok
    assert op.error_message and op.logs_url
    html = _detail(client, op).content.decode()
    assert ">OK<" not in html
    assert 'data-testid="error"' in html
    assert "View details in Cloud Logging" in html and 'data-testid="logs-link"' in html
    errors = html[html.index('data-testid="file-errors"') :]
    assert f"gs://{live_store.bucket}/mixed/empty.dcm" in errors
    assert f"gs://{live_store.bucket}/mixed/notes.dcm" in errors
    assert "empty DICOM instance found" in errors
    csv = client.get(reverse("operations-errors-csv", args=[op.project, op.location, op.dataset, op.operation_id]))
    assert b"".join(csv.streaming_content).decode().count(f"gs://{live_store.bucket}/mixed/") == 2


def test_cancel_ends_a_running_import_as_cancelled(celery_worker, live_store, slow_emulator_jobs):
    # given: an import slow enough that the cancel arrives while it runs
    resume_regular_worker = slow_emulator_jobs
    live_store.upload_dicom("many", 300)
    op = services.operation_start(
        kind="import", store_name=live_store.store_name, params={"gcs_uri": f"gs://{live_store.bucket}/many/**"}
    )
    # when
    services.operation_cancel(operation=op)
    resume_regular_worker()  # the chunks it holds now see the cancel and end at once
    # then
    op = wait_for_end(op)
    assert op.state == Operation.State.CANCELLED
    assert op.cancel_requested
    assert op.success_count < 300


def test_an_operation_started_outside_the_console_appears_after_a_sweep(celery_worker, live_store):
    # given: the console has shown the dataset; someone imports with gcloud (a plain POST to the API)
    live_store.upload_dicom("outside", 2)
    WatchedDataset.objects.create(
        project=live_store.project, location="us-central1", dataset=live_store.dataset, last_seen_at=timezone.now()
    )
    name = live_store.start_import_directly(f"gs://{live_store.bucket}/outside/*.dcm")
    assert not Operation.objects.filter(name=name).exists()
    # when
    services.operations_sweep(sync=True)
    # then
    op = Operation.objects.get(name=name)
    assert op.started_by is None
    assert op.kind == Operation.Kind.IMPORT
    op = wait_for_end(op)
    assert op.is_ok and op.success_count == 2


def test_an_operation_the_api_no_longer_knows_becomes_expired(celery_worker, live_store, make_operation):
    op = make_operation(
        name=f"{live_store.dataset_name}/operations/999999999",
        project=live_store.project,
        dataset=live_store.dataset,
        operation_id="999999999",
    )
    services.operation_repoll(operation=op)
    op = wait_for_end(op)
    assert op.state == Operation.State.EXPIRED


def test_dicom_import_wait_tracks_a_real_import_to_ok(live_store, capsys):
    from django.core.management import call_command

    live_store.upload_dicom("cli", 3)
    call_command(
        "dicom_import", live_store.store_name, f"gs://{live_store.bucket}/cli/*.dcm", "--wait", "--interval", "0.2"
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{live_store.dataset_name}/operations/")
    assert lines[-1].endswith("OK: 3 succeeded, 0 failed, 0 pending")
    assert Operation.objects.get(name=lines[0]).is_ok


def test_opening_the_tab_of_a_new_dataset_brings_in_its_earlier_operations(celery_worker, live_store, client, user):
    # given: an import started with gcloud before the console ever showed the dataset
    live_store.upload_dicom("before", 1)
    name = live_store.start_import_directly(f"gs://{live_store.bucket}/before/*.dcm")
    client.force_login(user)
    # when
    response = client.get(reverse("operations-dataset", args=[live_store.project, "us-central1", live_store.dataset]))
    assert response.status_code == 200
    # then: the worker syncs operations.list at once, without waiting for the sweeper
    deadline = time.monotonic() + 30
    while not Operation.objects.filter(name=name).exists():
        assert time.monotonic() < deadline, "the dataset's operations were not synced"
        time.sleep(0.2)
    op = wait_for_end(Operation.objects.get(name=name))
    assert op.is_ok and op.started_by is None
