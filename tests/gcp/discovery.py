"""Match requests the gcp client sends to Google's discovery documents and check them.

A request must name a discovery method (HTTP method and path template), carry only that method's
parameters (or the global ones) and send a body that fits the method's request schema.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import googleapiclient

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
APIS = ("healthcare.v1", "healthcare.v1beta1", "storage.v1", "cloudresourcemanager.v3", "logging.v2")


@dataclass(frozen=True)
class Method:
    api: str
    id: str
    http_method: str
    regex: re.Pattern
    literal: int
    parameters: frozenset
    request: str | None
    upload: bool = False


@cache
def document(api: str) -> dict:
    return json.loads((DOCUMENTS / f"{api}.json").read_text())


def _regex(template: str) -> tuple[str, int]:
    parts, literal, pos = [], 0, 0
    for match in re.finditer(r"\{(\+?)([^}]+)\}", template):
        parts.append(re.escape(template[pos : match.start()]))
        literal += match.start() - pos
        parts.append(".+" if match.group(1) else "[^/]+")
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    return "".join(parts), literal + len(template) - pos


def _methods_of(resource: dict):
    yield from resource.get("methods", {}).values()
    for child in resource.get("resources", {}).values():
        yield from _methods_of(child)


@cache
def methods() -> tuple[Method, ...]:
    found = []
    for api in APIS:
        doc = document(api)
        for m in _methods_of(doc):
            params = frozenset(m.get("parameters", {})) | frozenset(doc.get("parameters", {}))
            request = m.get("request", {}).get("$ref")
            template = m.get("flatPath") or m["path"]
            regex, literal = _regex("/" + doc["servicePath"] + template)
            found.append(Method(api, m["id"], m["httpMethod"], re.compile(regex + "$"), literal, params, request))
            for protocol in m.get("mediaUpload", {}).get("protocols", {}).values():
                regex, literal = _regex(protocol["path"])
                found.append(Method(api, m["id"], m["httpMethod"], re.compile(regex + "$"), literal,
                                    params | {"uploadType", "name"}, request, upload=True))
    return tuple(sorted(found, key=lambda m: -m.literal))


def find(http_method: str, path: str, api_prefix: str = "") -> Method | None:
    for m in methods():
        if m.http_method == http_method and m.regex.match(path) and m.api.startswith(api_prefix):
            return m
    return None


def body_problems(api: str, value, ref: str, where: str = "body") -> list[str]:
    """Return what in `value` does not fit the schema `ref` of `api` (unknown fields, types, enums)."""
    doc = document(api)
    return _check(doc, value, {"$ref": ref}, where)


def _check(doc, value, schema, where) -> list[str]:
    if "$ref" in schema:
        return _check(doc, value, doc["schemas"][schema["$ref"]], where)
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected an object"]
        props = schema.get("properties")
        problems = []
        for key, item in value.items():
            if props is not None and key in props:
                problems += _check(doc, item, props[key], f"{where}.{key}")
            elif props is None and "additionalProperties" in schema:
                problems += _check(doc, item, schema["additionalProperties"], f"{where}.{key}")
            else:
                problems.append(f"{where}: unknown field {key!r}")
        return problems
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected an array"]
        return [p for i, item in enumerate(value) for p in _check(doc, item, schema.get("items", {}), f"{where}[{i}]")]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: expected a string, got {value!r}"]
        if "enum" in schema and value not in schema["enum"]:
            return [f"{where}: {value!r} not in {schema['enum']}"]
        return []
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: expected an integer, got {value!r}"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: expected a boolean"]
    return []


def request_problems(prepared, api_prefix: str = "") -> tuple[Method | None, list[str]]:
    """Return (discovery method, problems) of a captured `requests.PreparedRequest`."""
    parts = urlsplit(prepared.url)
    method = find(prepared.method, parts.path, api_prefix) or find(prepared.method, unquote(parts.path), api_prefix)
    if method is None:
        return None, [f"{prepared.method} {parts.path} matches no discovery method"]
    # DICOMweb query parameters are PS3.18's (limit, includefield, attribute matches), not discovery's.
    problems = [] if "/dicomWeb/" in parts.path else [
        f"unknown query parameter {name!r} for {method.id}"
        for name, _v in parse_qsl(parts.query) if name not in method.parameters]
    content_type = prepared.headers.get("Content-Type") or "application/json"
    if isinstance(content_type, bytes):
        content_type = content_type.decode()
    is_json = content_type.startswith("application/json")
    if method.request and not method.upload and is_json:
        try:
            body = json.loads(prepared.body or b"{}")
        except ValueError:
            return method, problems + ["body is not JSON"]
        problems += body_problems(method.api, body, method.request)
    return method, problems
