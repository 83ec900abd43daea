"""The one HTTP session to Google's APIs, or to the local emulator when CLOUD_EMULATOR_URL is set.

Credentials are read here and nowhere else.
"""

from __future__ import annotations

import os
import threading

import google.auth
import google.auth.exceptions
import requests
from django.conf import settings
from google.auth.credentials import AnonymousCredentials
from google.auth.transport.requests import AuthorizedSession

from .errors import Unauthenticated

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
GOOGLE_ENDPOINTS = {
    "healthcare": "https://healthcare.googleapis.com",
    "storage": "https://storage.googleapis.com",
    "resourcemanager": "https://cloudresourcemanager.googleapis.com",
    "logging": "https://logging.googleapis.com",
}

_lock = threading.Lock()
_sessions: dict[str, requests.Session] = {}


def emulator_url() -> str:
    """Return the emulator's base URL without a trailing slash, or "" when Google is used."""
    return (settings.CLOUD_EMULATOR_URL or "").rstrip("/")


def endpoint(service: str) -> str:
    """Return the base URL of `service` ("healthcare", "storage", "resourcemanager", "logging")."""
    if service not in GOOGLE_ENDPOINTS:
        raise ValueError(f"unknown service {service!r}")
    return emulator_url() or GOOGLE_ENDPOINTS[service]


def get_session() -> requests.Session:
    """Return the process's session for the current backend (cached per backend URL)."""
    key = emulator_url()
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = _sessions[key] = _build_session(key)
    if key:
        # google-cloud-storage reads this variable to talk to the emulator without credentials.
        os.environ["STORAGE_EMULATOR_HOST"] = key
    return session


def _build_session(emulator: str) -> requests.Session:
    if emulator:
        return AuthorizedSession(AnonymousCredentials())
    try:
        credentials, _project = google.auth.default(scopes=SCOPES)
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise Unauthenticated(
            "No Google credentials found. Run `gcloud auth application-default login`, set "
            "GOOGLE_APPLICATION_CREDENTIALS, or set CLOUD_EMULATOR_URL to use the local emulator. "
            f"({exc})",
            code=401,
            status="UNAUTHENTICATED",
        ) from None
    return AuthorizedSession(credentials)


def reset_sessions() -> None:
    """Forget cached sessions (tests switch backends)."""
    with _lock:
        _sessions.clear()
