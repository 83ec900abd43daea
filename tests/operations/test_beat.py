"""The sweeper runs from celery beat's schedule in settings and rescues an operation whose poll was lost."""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations.models import Operation
from tests.processes import VENV_BIN, Process

from .conftest import wait_for_end

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_beat_runs_the_sweeper_which_finishes_a_lost_operation(celery_worker, dashboard_env, session_tmp, live_store):
    # given: an import the console tracks, whose poll message was lost an hour ago
    live_store.upload_dicom("lost", 2)
    name = live_store.start_import_directly(f"gs://{live_store.bucket}/lost/*.dcm")
    op = Operation.objects.create(
        name=name,
        project=live_store.project,
        location="us-central1",
        dataset=live_store.dataset,
        operation_id=name.rsplit("/", 1)[1],
        kind=Operation.Kind.IMPORT,
        poll_token="lost",
        next_poll_at=timezone.now() - timedelta(hours=1),
        create_time=timezone.now(),
    )
    # when: beat runs with a short sweep interval
    beat = Process(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "dicomweb_ui",
            "beat",
            "--loglevel",
            "INFO",
            "-s",
            str(session_tmp / "beat-schedule"),
        ],
        env={**dashboard_env, "OPERATIONS_SWEEP_INTERVAL": "5"},
        log=session_tmp / "beat.log",
    )
    try:
        op = wait_for_end(op, timeout=60)
    finally:
        beat.stop()
    # then
    assert op.is_ok and op.success_count == 2
    assert "operations-sweep" in beat.log_path.read_text()
