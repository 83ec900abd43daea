"""Send one REST call with a timeout, retry transient failures, raise gcp.errors.

Retries use tenacity: capped exponential backoff with jitter, only for `Transient` errors (429, 500,
502, 503, 504, timeouts, connection errors), never for other 4xx. Calls that create something
(`idempotent=False`) are retried only when the server certainly did not act on them: 429, 503 and
failures to connect.
"""

from __future__ import annotations

from typing import Any

import google.auth.exceptions
import requests
import tenacity
from django.conf import settings

from .errors import ApiError, Transient, Unauthenticated, from_requests_exception, from_response

SAFE_TO_REPEAT_CODES = frozenset({429, 503})


def _retryable(idempotent: bool):
    def check(exc: BaseException) -> bool:
        if not isinstance(exc, Transient):
            return False
        return idempotent or exc.code in SAFE_TO_REPEAT_CODES or getattr(exc, "not_sent", False)

    return check


def retrying(*, idempotent: bool = True) -> tenacity.Retrying:
    """Return the retry policy: a few attempts, exponential backoff capped by settings."""
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(_retryable(idempotent)),
        wait=tenacity.wait_random_exponential(
            multiplier=settings.GCP_RETRY_INITIAL_DELAY, max=settings.GCP_RETRY_MAX_DELAY
        ),
        stop=tenacity.stop_after_attempt(settings.GCP_RETRY_ATTEMPTS),
        reraise=True,
    )


def send_once(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """Send a request once; return the response if it succeeded, else raise an ApiError."""
    kwargs.setdefault("timeout", settings.GCP_TIMEOUT)
    try:
        response = session.request(method, url, **kwargs)
    except google.auth.exceptions.GoogleAuthError as exc:
        raise Unauthenticated(f"Google credentials could not be used: {exc}", code=401) from None
    except (requests.ConnectionError, requests.ConnectTimeout) as exc:
        error = from_requests_exception(exc)
        # Nothing reached the server when the connection failed: safe to repeat any call.
        error.not_sent = not isinstance(exc, requests.ReadTimeout)  # type: ignore[attr-defined]
        raise error from None
    except requests.RequestException as exc:
        raise from_requests_exception(exc) from None
    if response.status_code >= 400:
        raise from_response(response)
    return response


def request(
    session: requests.Session, method: str, url: str, *, idempotent: bool | None = None, **kwargs: Any
) -> requests.Response:
    """Send a request with retries (GET/DELETE are idempotent unless said otherwise)."""
    if idempotent is None:
        idempotent = method.upper() in ("GET", "HEAD", "DELETE")
    return retrying(idempotent=idempotent)(send_once, session, method, url, **kwargs)


def request_json(session: requests.Session, method: str, url: str, **kwargs: Any) -> dict:
    """Send a request and return its JSON body ({} for an empty body)."""
    response = request(session, method, url, **kwargs)
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise ApiError(f"The server answered {url} with a body that is not JSON.", code=502) from None
