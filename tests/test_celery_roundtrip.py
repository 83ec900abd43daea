import pytest

from dicomweb_ui.tasks import ping_task


@pytest.mark.slow
def test_a_task_round_trips_through_real_redis_and_a_worker_process(celery_worker):
    # given a worker process started by the fixture (not eager mode)
    assert celery_worker.popen.poll() is None

    # when
    result = ping_task.delay("hello")

    # then
    assert result.get(timeout=20) == "pong:hello"


def test_celery_is_configured_for_safe_delivery():
    from dicomweb_ui.celery import app

    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1
    assert {q.name for q in conf.task_queues} == {"operations", "emulator"}
