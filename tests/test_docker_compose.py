import os
import shutil
import subprocess

import pytest
import yaml

from tests.processes import BASE_DIR

COMPOSE = BASE_DIR / "docker-compose.yml"


def test_docker_compose_file_validates():
    binary = shutil.which("docker-compose")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing: `make test` installs Debian's docker-compose")
        pytest.skip("docker-compose is not installed")
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60, cwd=BASE_DIR
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_services_have_healthchecks_and_ordered_startup():
    spec = yaml.safe_load(COMPOSE.read_text())
    services = spec["services"]
    assert {"web", "worker", "beat", "redis", "postgres"} <= set(services)
    for name in ("web", "redis", "postgres"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    images = {services[name].get("image") for name in ("web", "worker", "beat")}
    assert len(images) == 1  # one image built from the Dockerfile
