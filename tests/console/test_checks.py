"""The console warns at startup when it would use Google without credentials."""

import google.auth
import google.auth.exceptions

from console.checks import google_credentials_check


def test_no_warning_when_the_emulator_is_used(settings):
    settings.CLOUD_EMULATOR_URL = "http://127.0.0.1:8080"

    assert google_credentials_check(None) == []


def test_a_warning_names_the_fix_when_google_has_no_credentials(settings, monkeypatch):
    settings.CLOUD_EMULATOR_URL = ""

    def no_credentials(scopes=None):
        raise google.auth.exceptions.DefaultCredentialsError("Could not automatically determine credentials.")

    monkeypatch.setattr(google.auth, "default", no_credentials)

    [warning] = google_credentials_check(None)

    assert warning.id == "console.W001"
    assert "gcloud auth application-default login" in warning.hint
