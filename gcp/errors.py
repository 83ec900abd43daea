"""Typed errors of the gcp client, modelled on google-api-core's exceptions.

`str(error)` is Google's message, fit to show to a user. `requests` exceptions never leave `gcp`.
"""

from __future__ import annotations

import requests


class ApiError(Exception):
    """A failed call: HTTP status `code`, RPC `status` name and Google's `message`."""

    def __init__(self, message: str, *, code: int = 500, status: str = "UNKNOWN"):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, status={self.status!r}, message={self.message!r})"


class InvalidArgument(ApiError):
    pass


class NotFound(ApiError):
    pass


class AlreadyExists(ApiError):
    pass


class PermissionDenied(ApiError):
    pass


class Unauthenticated(ApiError):
    pass


class FailedPrecondition(ApiError):
    pass


class Transient(ApiError):
    """429, 500, 502, 503, 504, timeouts and connection errors: worth retrying."""


TRANSIENT_CODES = frozenset({429, 500, 502, 503, 504})
_BY_STATUS = {
    "INVALID_ARGUMENT": InvalidArgument,
    "OUT_OF_RANGE": InvalidArgument,
    "NOT_FOUND": NotFound,
    "ALREADY_EXISTS": AlreadyExists,
    "PERMISSION_DENIED": PermissionDenied,
    "UNAUTHENTICATED": Unauthenticated,
    "FAILED_PRECONDITION": FailedPrecondition,
    "ABORTED": ApiError,  # a 409 that is a concurrency conflict, not an existing resource
}
_BY_CODE = {
    400: InvalidArgument,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: AlreadyExists,
    412: FailedPrecondition,
}
_STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def error_for(code: int, message: str, status: str = "") -> ApiError:
    """Return the ApiError subclass for an HTTP status code and an RPC status name."""
    status = status or _STATUS_BY_CODE.get(code, "UNKNOWN")
    if code in TRANSIENT_CODES:
        cls: type[ApiError] = Transient
    else:
        cls = _BY_STATUS.get(status) or _BY_CODE.get(code, ApiError)
    return cls(message or f"HTTP {code}", code=code, status=status)


def from_response(response: requests.Response) -> ApiError:
    """Build an ApiError from a failed response carrying Google's JSON error envelope (or not)."""
    message, status = "", ""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    if isinstance(error, dict):
        message = str(error.get("message") or "")
        status = str(error.get("status") or "")
    elif isinstance(error, str):  # OAuth errors: {"error": "invalid_grant", ...}
        message = error
    if not message:
        message = (response.text or "").strip()[:300] or f"HTTP {response.status_code} {response.reason or ''}".strip()
    return error_for(response.status_code, message, status)


def from_requests_exception(exc: requests.RequestException) -> ApiError:
    """Turn a connection error or timeout into a Transient error with a readable message."""
    if isinstance(exc, requests.Timeout):
        return Transient(f"The request timed out: {exc}", code=504, status="DEADLINE_EXCEEDED")
    if isinstance(exc, requests.ConnectionError):
        return Transient(f"Could not connect: {exc}", code=503, status="UNAVAILABLE")
    return ApiError(f"The request failed: {exc}", code=500, status="UNKNOWN")
