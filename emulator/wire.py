"""Wire conventions shared by every emulated Google API.

proto3 JSON: lowerCamelCase names, int64 as strings, default values omitted, RFC 3339 timestamps;
errors as {"error": {"code", "message", "status"}}; the global `fields` and `prettyPrint` parameters.
"""

import json
import logging
import re
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

STATUS_BY_HTTP = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    416: "OUT_OF_RANGE",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}
# google.rpc.Code numbers, for Status objects inside operations and log entries.
RPC_CODES = {
    "OK": 0,
    "CANCELLED": 1,
    "UNKNOWN": 2,
    "INVALID_ARGUMENT": 3,
    "DEADLINE_EXCEEDED": 4,
    "NOT_FOUND": 5,
    "ALREADY_EXISTS": 6,
    "PERMISSION_DENIED": 7,
    "RESOURCE_EXHAUSTED": 8,
    "FAILED_PRECONDITION": 9,
    "ABORTED": 10,
    "OUT_OF_RANGE": 11,
    "UNIMPLEMENTED": 12,
    "INTERNAL": 13,
    "UNAVAILABLE": 14,
    "DATA_LOSS": 15,
    "UNAUTHENTICATED": 16,
}


class ApiError(Exception):
    """An error answered as Google's JSON error envelope with HTTP status `code`."""

    def __init__(self, code: int, message: str, status: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or STATUS_BY_HTTP.get(code, "UNKNOWN")


def error_response(code: int, message: str, status: str | None = None) -> JsonResponse:
    status = status or STATUS_BY_HTTP.get(code, "UNKNOWN")
    return JsonResponse(
        {
            "error": {
                "code": code,
                "message": message,
                "status": status,
                "errors": [{"message": message, "domain": "global", "reason": status}],
            }
        },
        status=code,
    )


class ApiErrorMiddleware:
    """Answer ApiError and unexpected exceptions with the error envelope, never an HTML page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html"):
            # Django's own 404/405/500 pages (e.g. an unknown URL): answer as Google does.
            return error_response(response.status_code, f"{request.method} {request.path} failed with HTTP "
                                  f"{response.status_code}.")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        if isinstance(exception, ApiError):
            return error_response(exception.code, exception.message, exception.status)
        logger.exception("emulator error on %s %s", request.method, request.path)
        return error_response(500, f"Internal error: {type(exception).__name__}: {exception}")


def int64(value: int | None) -> str | None:
    """Return an int64 as proto3 JSON does (a string), None for the default 0."""
    return str(int(value)) if value else None


def timestamp(value: datetime | None) -> str | None:
    """Return an RFC 3339 timestamp in UTC with microseconds and a Z."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compact(value):
    """Drop proto3 default values (None, "", 0, False, empty lists and dicts) recursively."""
    if isinstance(value, dict):
        result = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in result.items() if v not in (None, "", 0, False, [], {})}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def json_response(request: HttpRequest, payload: dict, status: int = 200) -> JsonResponse:
    """Answer `payload` with defaults dropped, the `fields` mask applied and `prettyPrint` honoured."""
    payload = compact(payload)
    mask = request.GET.get("fields")
    if mask:
        payload = apply_field_mask(payload, parse_field_mask(mask))
    pretty = request.GET.get("prettyPrint", "true").lower() not in ("false", "0")
    return JsonResponse(payload, status=status, json_dumps_params={"indent": 2 if pretty else None})


def parse_field_mask(mask: str) -> dict:
    """Parse the `fields` syntax (`items(name,size),nextPageToken`, `a/b`) into a nested dict of selections."""
    tokens = re.findall(r"[^,()/\s]+|[,()/]", mask)
    pos = 0

    def parse_list() -> dict:
        nonlocal pos
        result: dict = {}
        while pos < len(tokens) and tokens[pos] != ")":
            if tokens[pos] == ",":
                pos += 1
                continue
            node = result.setdefault(tokens[pos], {})
            pos += 1
            while pos < len(tokens) and tokens[pos] == "/":
                node = node.setdefault(tokens[pos + 1], {})
                pos += 2
            if pos < len(tokens) and tokens[pos] == "(":
                pos += 1
                node.update(parse_list())
                pos += 1
        return result

    return parse_list()


def apply_field_mask(value, selection: dict):
    if not selection or "*" in selection:
        return value
    if isinstance(value, list):
        return [apply_field_mask(v, selection) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: apply_field_mask(v, selection[k]) for k, v in value.items() if k in selection}


def read_json(request: HttpRequest) -> dict:
    """Return the request body as a JSON object, or raise a 400 ApiError."""
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Invalid JSON payload received. {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Invalid JSON payload received. Expected an object.")
    return body
