"""Check the emulator's JSON responses against Google's discovery documents.

The discovery documents bundled with google-api-python-client are the machine-readable contract.
`ContractCheckMiddleware` (enabled by the test suite through EMULATOR_CONTRACT_LOG) finds the
discovery method of each request by HTTP method and path, validates the JSON response against the
method's response schema, and appends every violation to the log file as one JSON line. The test
suite fails each test whose requests produced a violation.

What counts as a violation: a field the schema does not know, a value of the wrong type, an int64
that is not a JSON string, a malformed timestamp, a value outside an enum, an `Any` whose `@type`
names a schema of the wrong API version or whose fields that schema does not know, and, for the
proto3 APIs (Healthcare, Resource Manager, Logging), a field that holds its default value instead
of being omitted. Error responses must be Google's error envelope.
"""

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import googleapiclient

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
APIS = ("healthcare.v1", "healthcare.v1beta1", "storage.v1", "cloudresourcemanager.v3", "logging.v2")
PROTO3_APIS = {"healthcare", "cloudresourcemanager", "logging"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$")
INT_STRING = re.compile(r"^-?\d+$")
ERROR_FIELDS = {"code": int, "message": str, "status": str, "errors": list, "details": list}


@dataclass(frozen=True)
class Method:
    api: str  # e.g. "healthcare.v1"
    id: str
    http_method: str
    regex: re.Pattern
    literal_length: int
    response: str | None
    request: str | None = None
    parameters: frozenset = frozenset()  # the method's and the API's global query parameters
    upload: bool = False  # a media upload endpoint: any HTTP method (resumable PUTs), body not JSON


def _path_regex(template: str, parameters: dict) -> tuple[str, int]:
    parts, literal, pos = [], 0, 0
    for match in re.finditer(r"\{(\+?)([^}]+)\}", template):
        parts.append(re.escape(template[pos : match.start()]))
        literal += match.start() - pos
        pattern = parameters.get(match.group(2), {}).get("pattern", "")
        if pattern:
            parts.append("(?:" + pattern.lstrip("^").rstrip("$") + ")")
        else:
            parts.append(".+" if match.group(1) else "[^/]+")
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    literal += len(template) - pos
    return "".join(parts), literal


def _methods_of(resource: dict):
    yield from resource.get("methods", {}).values()
    for child in resource.get("resources", {}).values():
        yield from _methods_of(child)


@cache
def document(api: str) -> dict:
    return json.loads((DOCUMENTS / f"{api}.json").read_text())


@cache
def methods() -> tuple[Method, ...]:
    found = []
    for api in APIS:
        doc = document(api)
        for method in _methods_of(doc):
            parameters = method.get("parameters", {})
            common = {
                "api": api,
                "id": method["id"],
                "http_method": method["httpMethod"],
                "response": method.get("response", {}).get("$ref"),
                "request": method.get("request", {}).get("$ref"),
                "parameters": frozenset(parameters) | frozenset(doc.get("parameters", {})),
            }
            regex, literal = _path_regex("/" + doc["servicePath"] + method["path"], parameters)
            found.append(Method(regex=re.compile(regex + "$"), literal_length=literal, **common))
            for protocol in method.get("mediaUpload", {}).get("protocols", {}).values():
                # Upload endpoints answer with the resource on POST and on the resumable session's PUTs.
                regex, literal = _path_regex(protocol["path"], parameters)
                found.append(Method(regex=re.compile(regex + "$"), literal_length=literal, upload=True,
                                    **{**common, "parameters": common["parameters"] | {"uploadType", "name"}}))
    return tuple(sorted(found, key=lambda m: -m.literal_length))


def find_method(http_method: str, raw_path: str, api_prefix: str = "") -> Method | None:
    """Return the most specific discovery method for a request (of an API starting with api_prefix), or None."""
    for method in methods():
        if (
            (method.upload or method.http_method == http_method)
            and method.api.startswith(api_prefix)
            and method.regex.match(raw_path)
        ):
            return method
    return None


class Checker:
    def __init__(self, api: str):
        self.api = api
        self.doc = document(api)
        self.proto3 = api.split(".")[0] in PROTO3_APIS
        self.errors: list[str] = []

    def fail(self, where: str, message: str):
        self.errors.append(f"{where}: {message}")

    def check_ref(self, value, ref: str, where: str):
        schema = self.doc["schemas"].get(ref)
        if schema is None:
            self.fail(where, f"no schema {ref} in {self.api}")
            return
        self.check(value, schema, where, ref)

    def check(self, value, schema: dict, where: str, name: str = ""):
        if "$ref" in schema:
            return self.check_ref(value, schema["$ref"], where)
        kind = schema.get("type")
        if self.proto3 and kind != "any" and (value in (False, "", 0, []) and not isinstance(value, float)
                                              or value == "0" and schema.get("format") in ("int64", "uint64")):
            self.fail(where, f"default value {value!r} must be omitted (proto3 JSON)")
        handler = getattr(self, f"check_{kind}", None)
        if handler is not None:
            handler(value, schema, where, name)

    def check_object(self, value, schema, where, name):
        if not isinstance(value, dict):
            return self.fail(where, f"expected an object, got {type(value).__name__}")
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if extra is not None and properties is None:
            if extra.get("type") == "any":
                # Only an Any ("Contains field @type") is checked as a typed message; a Struct such as
                # LogEntry.jsonPayload is free-form JSON even when it carries an "@type" key.
                if "@type" in extra.get("description", ""):
                    return self.check_any_message(value, where)
                return None
            for key, item in value.items():
                self.check(item, extra, f"{where}.{key}")
            return None
        for key, item in value.items():
            if key in (properties or {}):
                self.check(item, properties[key], f"{where}.{key}")
            elif not (key == "@type" and name):
                self.fail(where, f"unknown field {key!r}" + (f" in {name}" if name else ""))
        return None

    def check_any_message(self, value: dict, where: str):
        type_url = value.get("@type")
        if not isinstance(type_url, str):
            return  # a plain map (labels, metadata without a type)
        full_name = type_url.rsplit("/", 1)[-1]
        service, version = self.api.split(".")
        if f".{service}." in f".{full_name}" and f".{version}." not in f".{full_name}.":
            self.fail(where, f"@type {type_url} does not carry the API version {version}")
        schema = self.doc["schemas"].get(full_name.rsplit(".", 1)[-1])
        if schema is not None:
            self.check(value, schema, where, full_name.rsplit(".", 1)[-1])

    def check_array(self, value, schema, where, name):
        if not isinstance(value, list):
            return self.fail(where, f"expected an array, got {type(value).__name__}")
        for index, item in enumerate(value):
            self.check(item, schema.get("items", {}), f"{where}[{index}]")
        return None

    def check_string(self, value, schema, where, name):
        if not isinstance(value, str):
            return self.fail(where, f"expected a string ({schema.get('format', 'string')}), got {value!r}")
        fmt = schema.get("format", "")
        if fmt in ("int64", "uint64") and not INT_STRING.match(value):
            self.fail(where, f"{value!r} is not an {fmt} string")
        elif fmt in ("google-datetime", "date-time") and not RFC3339.match(value):
            self.fail(where, f"{value!r} is not an RFC 3339 timestamp")
        if "enum" in schema and value not in schema["enum"]:
            self.fail(where, f"{value!r} is not one of {schema['enum']}")
        return None

    def check_integer(self, value, schema, where, name):
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected an integer, got {value!r}")

    def check_number(self, value, schema, where, name):
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"expected a number, got {value!r}")

    def check_boolean(self, value, schema, where, name):
        if not isinstance(value, bool):
            self.fail(where, f"expected a boolean, got {value!r}")


def schema_problems(api: str, value, ref: str, where: str = "body") -> list[str]:
    """Return what in `value` does not fit the schema `ref` of `api` (e.g. a request body)."""
    checker = Checker(api)
    checker.check_ref(value, ref, where)
    return checker.errors


def check_error_envelope(body) -> list[str]:
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return ["error responses must be {\"error\": {...}}"]
    problems = []
    for key, value in body["error"].items():
        expected = ERROR_FIELDS.get(key)
        if expected is None:
            problems.append(f"error: unknown field {key!r}")
        elif not isinstance(value, expected) or isinstance(value, bool):
            problems.append(f"error.{key}: expected {expected.__name__}")
    problems += [f"error: missing {key!r}" for key in ("code", "message", "status") if key not in body["error"]]
    return problems


def check_response(http_method: str, raw_path: str, status: int, body) -> tuple[str | None, list[str]]:
    """Return (method id, violations) for one JSON response."""
    if status >= 400:
        return None, check_error_envelope(body)
    method = find_method(http_method, raw_path)
    if method is None or method.response is None:
        return None, []
    return method.id, schema_problems(method.api, body, method.response, method.response)


class ContractCheckMiddleware:
    """Validate each JSON response and append violations to EMULATOR_CONTRACT_LOG (tests only)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log_path = os.environ["EMULATOR_CONTRACT_LOG"]

    def __call__(self, request):
        response = self.get_response(request)
        if not response.get("Content-Type", "").startswith("application/json") or response.streaming:
            return response
        raw_path = request.META.get("RAW_URI", request.path).split("?", 1)[0]
        try:
            body = json.loads(response.content)
        except ValueError:
            problems, method_id = ["response is not valid JSON"], None
        else:
            method_id, problems = check_response(request.method, raw_path, response.status_code, body)
        if problems:
            record = {"method": request.method, "path": raw_path, "status": response.status_code,
                      "discovery": method_id, "problems": problems[:20]}
            with open(self.log_path, "a") as log:
                log.write(json.dumps(record) + "\n")
        return response
