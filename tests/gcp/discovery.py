"""Match requests the gcp client sends to Google's discovery documents and check them.

A request must name a discovery method (HTTP method and path template), carry only that method's
parameters (or the global ones) and send a body that fits the method's request schema. The matching
and the schema rules are the emulator's contract checker's (`emulator/contract.py`), applied to
requests instead of responses.
"""

import json
from urllib.parse import parse_qsl, unquote, urlsplit

from emulator.contract import Method, find_method, schema_problems


def request_problems(prepared, api_prefix: str = "") -> tuple[Method | None, list[str]]:
    """Return (discovery method, problems) of a captured `requests.PreparedRequest`."""
    parts = urlsplit(prepared.url)
    method = find_method(prepared.method, parts.path, api_prefix) or find_method(
        prepared.method, unquote(parts.path), api_prefix
    )
    if method is None:
        return None, [f"{prepared.method} {parts.path} matches no discovery method"]
    # DICOMweb query parameters are PS3.18's (limit, includefield, attribute matches), not discovery's.
    problems = [] if "/dicomWeb/" in parts.path else [
        f"unknown query parameter {name!r} for {method.id}"
        for name, _v in parse_qsl(parts.query) if name not in method.parameters]
    content_type = prepared.headers.get("Content-Type") or "application/json"
    if isinstance(content_type, bytes):
        content_type = content_type.decode()
    if method.request and not method.upload and content_type.startswith("application/json"):
        try:
            body = json.loads(prepared.body or b"{}")
        except ValueError:
            return method, problems + ["body is not JSON"]
        problems += schema_problems(method.api, body, method.request)
    return method, problems
