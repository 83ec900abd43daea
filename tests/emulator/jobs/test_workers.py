"""Execution on Celery: a running operation's shape, cancel, two workers sharing one import, SIGKILL redelivery.

These tests run an emulator of their own (`isolated_emulator`) and start the workers themselves.
"""

import signal
import time

import psutil
import pytest

from tests.processes import start_celery_worker, wait_until

from .conftest import Api, dicom_bytes

pytestmark = pytest.mark.slow


@pytest.fixture
def iapi(isolated_emulator) -> Api:
    return Api(isolated_emulator.url)


@pytest.fixture
def start_worker(isolated_emulator, tmp_path):
    """Start workers on queue `emulator` of the isolated emulator; all are stopped after the test."""
    workers = []

    def start(name: str, *, concurrency: int = 1, chunk: int = 10, delay_ms: int = 0, visibility: int = 0):
        env = {**isolated_emulator.env, "EMULATOR_JOBS_CHUNK_SIZE": str(chunk),
               "EMULATOR_JOBS_ITEM_DELAY_MS": str(delay_ms), "EMULATOR_TEST_VISIBILITY_TIMEOUT": str(visibility)}
        worker = start_celery_worker(env, queues="emulator", log=tmp_path / f"{name}.log", concurrency=concurrency,
                                     name=name)
        workers.append(worker)
        wait_until(lambda: "ready" in worker.log_path.read_text(), timeout=60, what=name, process=worker.popen)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def _fill(api: Api, tag: str, count: int) -> tuple[str, str, str]:
    """Return (project, bucket, store) with `count` distinct instances under in/."""
    project = f"p-{tag}"
    bucket = api.bucket(project, f"b-{tag}")
    for index in range(count):
        api.upload(bucket, f"in/{index:04d}.dcm", dicom_bytes())
    return project, bucket, api.store(project, f"d{tag}")


def _tasks_run(worker) -> int:
    return worker.log_path.read_text().count("emulator.jobs.tasks.chunk_run_task[")


def test_a_running_operation_has_no_done_key_and_cancel_ends_it_cancelled(iapi, start_worker, unique_id):
    # given: no worker yet, so the operation stays queued
    _, bucket, store = _fill(iapi, unique_id, 3)
    name = iapi.start_import(store, f"gs://{bucket}/in/*").json()["name"]
    running = iapi.ok("GET", f"/v1/{name}")
    assert "done" not in running
    assert "endTime" not in running["metadata"]
    assert "cancelRequested" not in running["metadata"]
    assert set(running["metadata"]) >= {"@type", "apiMethodName", "createTime", "logsUrl"}
    dataset = store.rsplit("/dicomStores/", 1)[0]
    listed = iapi.ok("GET", f"/v1/{dataset}/operations", params={"filter": "done=false"})["operations"]
    assert [op["name"] for op in listed] == [name]
    # when
    assert iapi.ok("POST", f"/v1/{name}:cancel") == {}
    assert iapi.ok("GET", f"/v1/{name}")["metadata"]["cancelRequested"] is True
    start_worker("cancel")
    # then
    op = iapi.wait(name)
    assert op["error"]["code"] == 1
    assert op["metadata"]["cancelRequested"] is True
    assert "response" not in op
    assert iapi.instance_count(store) == 0


def test_cancel_stops_a_running_import_between_instances(iapi, start_worker, unique_id):
    # given
    _, bucket, store = _fill(iapi, unique_id, 40)
    start_worker("slow", chunk=10, delay_ms=100)
    name = iapi.start_import(store, f"gs://{bucket}/in/*").json()["name"]
    wait_until(lambda: "success" in iapi.ok("GET", f"/v1/{name}")["metadata"].get("counter", {}), timeout=30,
               what="first instances")
    running = iapi.ok("GET", f"/v1/{name}")
    assert "done" not in running
    assert int(running["metadata"]["counter"]["pending"]) > 0  # listed, not yet processed
    # when
    iapi.ok("POST", f"/v1/{name}:cancel")
    # then
    op = iapi.wait(name, timeout=30)
    assert op["error"]["code"] == 1
    assert 0 < int(op["metadata"]["counter"]["success"]) < 40
    assert iapi.instance_count(store) < 40


def test_two_workers_share_one_import(iapi, start_worker, unique_id):
    # given
    _, bucket, store = _fill(iapi, unique_id, 60)
    first = start_worker("first", chunk=10, delay_ms=20)
    second = start_worker("second", chunk=10, delay_ms=20)
    # when
    op = iapi.run_import(store, f"gs://{bucket}/in/*")
    # then
    assert op["metadata"]["counter"] == {"success": "60"}
    assert iapi.instance_count(store) == 60
    assert _tasks_run(first) > 0 and _tasks_run(second) > 0
    assert _tasks_run(first) + _tasks_run(second) >= 6


def test_a_worker_killed_mid_chunk_gets_the_chunk_redelivered_without_double_counting(iapi, start_worker, unique_id):
    # given: one slow worker process working on a 30-object chunk
    project, bucket, store = _fill(iapi, unique_id, 30)
    iapi.upload(bucket, "in/zz-empty.dcm", b"")  # one failure, logged once
    worker = start_worker("victim", chunk=40, delay_ms=100)
    name = iapi.start_import(store, f"gs://{bucket}/in/*").json()["name"]
    wait_until(lambda: int(iapi.ok("GET", f"/v1/{name}")["metadata"].get("counter", {}).get("success", 0)) >= 5,
               timeout=30, what="a checkpoint")
    # when: the pool process running the chunk dies without a chance to clean up
    children = worker.children()
    assert children
    for child in children:
        child.send_signal(signal.SIGKILL)
    psutil.wait_procs(children, timeout=10)
    # then: the chunk is redelivered, resumes from its checkpoint, and the operation finishes
    op = iapi.wait(name, timeout=90)
    assert op["metadata"]["counter"] == {"success": "30", "failure": "1"}
    assert iapi.instance_count(store) == 30
    entries = iapi.entries(project, f'operation.id="{name}"')
    assert [e["jsonPayload"]["source"] for e in entries] == [f"gs://{bucket}/in/zz-empty.dcm"]
    assert worker.log_path.read_text().count("chunk_run_task[") >= 2
    time.sleep(0.5)
    assert iapi.ok("GET", f"/v1/{name}") == op  # nothing moves after done


def test_a_chunk_of_a_worker_killed_outright_is_redelivered_to_another_worker(iapi, start_worker, unique_id):
    # given: a slow worker (main process and pool) working on the only chunk
    _, bucket, store = _fill(iapi, unique_id, 20)
    victim = start_worker("outright", chunk=40, delay_ms=100, visibility=3)
    name = iapi.start_import(store, f"gs://{bucket}/in/*").json()["name"]
    wait_until(lambda: int(iapi.ok("GET", f"/v1/{name}")["metadata"].get("counter", {}).get("success", 0)) >= 3,
               timeout=30, what="a checkpoint")
    # when: the whole worker dies; its message stays unacknowledged in Redis
    victim.kill(signal.SIGKILL)
    victim.popen.wait(10)
    rescuer = start_worker("rescuer", chunk=40, visibility=3)
    # then: after the visibility timeout the other worker gets the chunk and finishes from the checkpoint
    op = iapi.wait(name, timeout=60)
    assert op["metadata"]["counter"] == {"success": "20"}
    assert iapi.instance_count(store) == 20
    assert _tasks_run(rescuer) >= 1
