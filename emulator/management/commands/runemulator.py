import ipaddress
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT_ADDRESS = "127.0.0.1:8080"


def parse_address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{value!r} is not HOST:PORT with a port from 1 to 65535.")
    return host, int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Command(BaseCommand):
    help = "Serve the local Google Cloud emulator (Storage, Resource Manager, Healthcare, Logging)."

    def add_arguments(self, parser):
        parser.add_argument("address", nargs="?", default=DEFAULT_ADDRESS, help="HOST:PORT (default 127.0.0.1:8080)")
        parser.add_argument("--workers", type=int, help="gunicorn processes (default: EMULATOR_WORKERS, 2)")
        parser.add_argument("--threads", type=int, help="threads per process (default: EMULATOR_THREADS, 8)")

    def handle(self, *args, address, workers, threads, **options):
        host, port = parse_address(address)
        workers, threads = workers or settings.EMULATOR_WORKERS, threads or settings.EMULATOR_THREADS
        if not settings.DEBUG and not settings.EMULATOR_ALLOW:
            raise CommandError(
                "The emulator refuses to run with DEBUG off (production settings). "
                "Set EMULATOR_ALLOW=1 if you really mean it."
            )
        if not is_loopback(host) and not settings.EMULATOR_ALLOW:
            raise CommandError(
                f"The emulator binds to loopback only; {host} is not. "
                "Set EMULATOR_ALLOW=1 to bind elsewhere (e.g. inside a container)."
            )
        settings.EMULATOR_DATA_DIR.mkdir(parents=True, exist_ok=True)
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        argv = [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "emulator.wsgi:application",
            "--bind",
            bind,
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "600",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if settings.LOG_LEVEL == "DEBUG":
            argv += ["--access-logfile", "-"]  # otherwise no access log at all: formatting one costs ~7 % of a request
        self.stdout.write(f"Emulator on http://{bind}/ (data in {settings.EMULATOR_DATA_DIR})")
        self.stdout.flush()
        os.execv(argv[0], argv)  # noqa: S606 — replace this process so signals reach gunicorn directly
