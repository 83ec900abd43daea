"""SIGKILL the polling worker mid-polling: the sweeper and a new worker still finish every operation."""

import time

import pytest

from operations import services
from operations.models import Operation
from tests.processes import start_celery_worker, wait_until

from .conftest import wait_for_end

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _start_worker(dashboard_env, session_tmp, name):
    worker = start_celery_worker(
        dashboard_env, queues="operations", log=session_tmp / f"worker-{name}.log", concurrency=1, name=name
    )
    time.sleep(0.5)
    return worker


def test_every_operation_reaches_its_final_state_after_the_worker_is_killed(
    dashboard_env, session_tmp, live_store, emulator_url
):
    # given: three imports, polled by a worker of our own
    live_store.upload_dicom("a", 150)
    first = _start_worker(dashboard_env, session_tmp, "kill-1")
    operations = [
        services.operation_start(
            kind="import", store_name=live_store.store_name, params={"gcs_uri": f"gs://{live_store.bucket}/a/**"}
        )
        for _ in range(3)
    ]
    ids = [op.id for op in operations]
    wait_until(
        lambda: Operation.objects.filter(id__in=ids, poll_count__gte=1).count() == 3,
        timeout=60,
        what="first polls",
        process=first.popen,
    )
    # when: the worker dies mid-polling, holding the scheduled polls
    assert Operation.objects.filter(id__in=ids, state=Operation.State.RUNNING).exists()
    first.kill()
    first.stop()
    second = _start_worker(dashboard_env, session_tmp, "kill-2")
    try:
        deadline = time.monotonic() + 90
        while Operation.objects.filter(id__in=ids, state=Operation.State.RUNNING).exists():
            assert time.monotonic() < deadline, "operations still running after the sweeps"
            services.operations_sweep(grace_seconds=0, sync=False)
            time.sleep(2)
    finally:
        second.stop()
    # then
    for op in operations:
        op = wait_for_end(op, timeout=1)
        assert op.state == Operation.State.SUCCEEDED
        assert op.success_count == 150
