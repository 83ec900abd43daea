import subprocess
import sys

import pytest

from tests.processes import BASE_DIR, django_env


def _check(tmp_path, **env):
    base = django_env(VAR_DIR=str(tmp_path))
    base.pop("SECRET_KEY", None)
    base.pop("DEBUG", None)
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=base, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GCP_TIMEOUT": "soon"}, "GCP_TIMEOUT='soon' is not an integer"),
        ({"GCP_TIMEOUT": "0"}, "GCP_TIMEOUT=0 is out of range"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' is not one of: DEBUG, INFO"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY must be set when DEBUG is off"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL='localhost:6379' must start with redis://"),
        ({"DATABASE_URL": "nosuchdb://x/y"}, "DATABASE_URL is not a usable database URL"),
        ({"CLOUD_EMULATOR_URL": "127.0.0.1:8080"}, "CLOUD_EMULATOR_URL='127.0.0.1:8080' must start with http"),
        ({"EMULATOR_WORKERS": "two"}, "EMULATOR_WORKERS='two' is not an integer"),
        ({"EMULATOR_THREADS": "0"}, "EMULATOR_THREADS=0 is out of range"),
    ],
)
def test_bad_settings_fail_at_start_naming_the_variable(tmp_path, env, message):
    result = _check(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_settings_pass_and_generate_a_secret_key(tmp_path):
    result = _check(tmp_path, GCP_TIMEOUT="45", LOG_LEVEL="warning")
    assert result.returncode == 0, result.stderr
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret) >= 50
    assert _check(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == secret  # stable across starts


def test_sqlite_runs_in_wal_mode(db):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0].lower() == "wal"
