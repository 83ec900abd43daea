"""Shared fixtures: real Redis, real Celery workers, the emulator process, users, the browser."""

import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.processes import BASE_DIR, Process, django_env, free_port, start_celery_worker, start_redis, wait_until

# The sync Playwright API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"

# No test downloads anything: pydicom fetches missing test files from GitHub on demand. With this flag
# (pydicom's own switch for its network-outage tests) such a fetch raises, and the warning pydicom then
# gives is an error (pyproject's filterwarnings), so a test that needs a file we do not ship fails.
import pydicom.data.download  # noqa: E402

pydicom.data.download._SIMULATE_NETWORK_OUTAGE = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hash test passwords quickly: the real hasher costs a second per user on a loaded 2-core machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def session_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("session")


@pytest.fixture(scope="session")
def redis_url(session_tmp):
    """URL of a real redis-server on a free loopback port, for the whole session."""
    proc, url = start_redis(session_tmp / "redis")
    from dicomweb_ui.celery import app

    app.conf.broker_url = url
    app.conf.result_backend = url
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = settings.REDIS_URL = url
    yield url
    proc.stop()


@pytest.fixture(scope="session")
def test_database_url(django_db_setup, django_db_blocker) -> str:
    """DATABASE_URL under which child processes see the test database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + db["NAME"]


@pytest.fixture(scope="session")
def dashboard_env(redis_url, test_database_url, session_tmp, emulator_server) -> dict:
    """Environment of dashboard child processes (worker, beat): the test database, Redis and the test emulator."""
    return django_env(
        REDIS_URL=redis_url,
        DATABASE_URL=test_database_url,
        VAR_DIR=str(session_tmp / "dashboard-var"),
        SECRET_KEY="test-secret-key",
        # The worker polls operations the tests start in the session's emulator.
        CLOUD_EMULATOR_URL=emulator_server.url,
    )


@pytest.fixture(scope="session")
def celery_worker(dashboard_env, session_tmp):
    """A real Celery worker process on queue `operations`, using the test database.

    Tests that use it must use `transactional_db` so that the worker sees their rows.
    """
    proc = start_celery_worker(dashboard_env, queues="operations", log=session_tmp / "worker-operations.log")
    from dicomweb_ui.tasks import ping_task

    wait_until(
        lambda: ping_task.delay("ready").get(timeout=2) == "pong:ready",
        timeout=60,
        what="celery worker",
        process=proc.popen,
    )
    yield proc
    proc.stop()


@pytest.fixture
def unique_id() -> str:
    """A short unique id for bucket, dataset and store names, so tests sharing the emulator do not collide."""
    return uuid.uuid4().hex[:10]


# -- users ----------------------------------------------------------------------------------------------

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alice", "alice@example.org", PASSWORD)


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", PASSWORD)


# -- browser (Playwright + Debian's chromium) ------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def browser_login(live_server, page):
    """Return a function that signs `user` in through the login page and returns the page."""

    def login(username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page

    return login


__all__ = ["Process", "free_port"]


# -- the emulator (its own process over HTTP, its own database and data directory) -----------------------


class EmulatorServer:
    def __init__(self, url: str, env: dict, data_dir: Path, process: Process, worker: Process):
        self.url = url
        self.env = env
        self.data_dir = data_dir
        self.process = process
        self.worker = worker


@pytest.fixture(scope="session")
def emulator_server(redis_url, session_tmp):
    """A live emulator process on a free loopback port, with its own Celery worker on queue `emulator`.

    It has its own SQLite database and data directory (not the test database), shared by the
    whole session: tests use unique bucket/dataset names (see `unique_id`).
    """
    import subprocess
    import sys

    import requests

    root = session_tmp / "emulator"
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    port = free_port()
    env = django_env(
        REDIS_URL=redis_url.rsplit("/", 1)[0] + "/1",
        DATABASE_URL=f"sqlite:///{root / 'emulator.sqlite3'}",
        EMULATOR_DATA_DIR=str(data_dir),
        EMULATOR_PUBLIC_URL=f"http://127.0.0.1:{port}",
        EMULATOR_CONTRACT_LOG=str(root / "contract.jsonl"),
        VAR_DIR=str(root / "var"),
        SECRET_KEY="emulator-test-secret",
        DEBUG="1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=300
    )
    process = Process(
        [sys.executable, "manage.py", "runemulator", f"127.0.0.1:{port}"], env=env, log=root / "emulator.log"
    )
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, timeout=60, what="emulator", process=process.popen)
    worker = start_celery_worker(env, queues="emulator", log=root / "worker-emulator.log", name="emulator")
    server = EmulatorServer(url, env, data_dir, process, worker)
    server.contract_log = root / "contract.jsonl"
    server.contract_log.touch()
    yield server
    worker.stop()
    process.stop()


@pytest.fixture
def slow_emulator_jobs(emulator_server, tmp_path):
    """Run the shared emulator's import/export jobs slowly during one test, so that a page can watch them.

    The regular emulator worker is paused (SIGSTOP) and a worker that waits EMULATOR_JOBS_ITEM_DELAY_MS
    after each object takes the queue. Chunks the paused worker had already reserved wait for it: call the
    returned `resume()` once the test has seen what it wanted; the fixture resumes it at the end anyway.
    """
    import signal

    regular = emulator_server.worker
    regular.kill(signal.SIGSTOP)
    slow = start_celery_worker({**emulator_server.env, "EMULATOR_JOBS_ITEM_DELAY_MS": "20"}, queues="emulator",
                               log=tmp_path / "slow-emulator-worker.log", concurrency=1, name="slow")
    try:
        wait_until(lambda: "ready" in slow.log_path.read_text(), timeout=60, what="slow emulator worker",
                   process=slow.popen)
        yield lambda: regular.kill(signal.SIGCONT)
    finally:
        slow.stop()
        regular.kill(signal.SIGCONT)


@pytest.fixture
def emulator_url(emulator_server, monkeypatch, settings):
    """Point this test's console (gcp client, google-cloud-storage) at the live emulator."""
    settings.CLOUD_EMULATOR_URL = emulator_server.url
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator_server.url)
    return emulator_server.url


@pytest.fixture(autouse=True)
def _emulator_contract(request):
    """Fail a test whose requests made the emulator answer outside Google's discovery contract."""
    if "emulator_server" not in request.fixturenames:
        yield
        return
    log = request.getfixturevalue("emulator_server").contract_log
    start = log.stat().st_size
    yield
    with open(log) as handle:
        handle.seek(start)
        violations = handle.read().strip()
    if violations:
        pytest.fail("The emulator answered outside the discovery contract:\n" + violations, pytrace=False)
