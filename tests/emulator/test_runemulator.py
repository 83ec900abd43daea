import subprocess
import sys

import requests

from tests.processes import BASE_DIR, django_env


def _runemulator(tmp_path, *args, **env):
    return subprocess.run([sys.executable, "manage.py", "runemulator", *args], cwd=BASE_DIR,
                          env=django_env(VAR_DIR=str(tmp_path), **env), capture_output=True, text=True, timeout=60)


def test_it_refuses_production_settings(tmp_path):
    result = _runemulator(tmp_path, "127.0.0.1:8080", DEBUG="0", SECRET_KEY="x", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "refuses to run with DEBUG off" in result.stderr


def test_it_refuses_to_bind_beyond_loopback(tmp_path):
    result = _runemulator(tmp_path, "0.0.0.0:8080")
    assert result.returncode != 0
    assert "binds to loopback only" in result.stderr


def test_it_rejects_a_bad_port(tmp_path):
    result = _runemulator(tmp_path, "127.0.0.1:http")
    assert result.returncode != 0
    assert "not HOST:PORT" in result.stderr


def test_unknown_urls_get_googles_error_envelope(emulator_server):
    response = requests.get(f"{emulator_server.url}/no/such/api", timeout=5)
    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"
    assert response.json()["error"]["code"] == 404
