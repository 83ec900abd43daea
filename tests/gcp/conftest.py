import re

import pytest
import responses

from gcp import session as gcp_session

FAKE = "http://google.test"


@pytest.fixture
def fast_retries(settings):
    settings.GCP_RETRY_INITIAL_DELAY = 0.001
    settings.GCP_RETRY_MAX_DELAY = 0.01
    settings.GCP_RETRY_ATTEMPTS = 4
    settings.GCP_TIMEOUT = 5


@pytest.fixture
def fake_google(settings, monkeypatch, fast_retries):
    """Point the gcp client at a fake host whose answers `responses` makes up; yield the mock."""
    settings.CLOUD_EMULATOR_URL = FAKE
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", FAKE)
    gcp_session.reset_sessions()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
    gcp_session.reset_sessions()


def answer_anything(mock, body=None, status=200, content_type="application/json"):
    """Answer every request to the fake host with `body` (JSON) and `status`."""
    import json

    payload = json.dumps(body if body is not None else {})
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        mock.add(method, re.compile(re.escape(FAKE) + "/.*"), body=payload, status=status, content_type=content_type)


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier request left active in this thread."""
    from django.utils import translation

    with translation.override("en"):
        yield
