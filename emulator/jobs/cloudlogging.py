"""Cloud Logging v2 `entries:list`, the subset the operations' log entries need.

Filter: AND-joined comparisons on `logName`, `resource.type`, `resource.labels.<key>`, `operation.id`,
`operation.producer`, `severity` (=, !=, >=, >, <=, <), `timestamp` (>=, >, <=, <), `insertId`,
`jsonPayload.<key>` (= or `:` substring). Order `timestamp asc` (default) or `timestamp desc`.
"""

import base64
from datetime import datetime
from urllib.parse import quote, unquote

from django.db.models import Q

from emulator.wire import ApiError, compact, timestamp

from .filters import Term, filter_parse
from .ids import OPERATION_NAME
from .models import LogEntry

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
SEVERITIES = {"DEFAULT": 0, "DEBUG": 100, "INFO": 200, "NOTICE": 300, "WARNING": 400, "ERROR": 500, "CRITICAL": 600,
              "ALERT": 700, "EMERGENCY": 800}
SEVERITY_NAMES = {number: name for name, number in SEVERITIES.items()}
LABELS = {"project_id": "project_id", "location": "location", "dataset_id": "dataset_id",
          "dicom_store_id": "dicom_store_id"}
PRODUCERS = {"healthcare.googleapis.com/import_dicom": "healthcare.googleapis.com/ImportDicomData",
             "healthcare.googleapis.com/export_dicom": "healthcare.googleapis.com/ExportDicomData"}
_LOOKUPS = {"=": "exact", ">=": "gte", ">": "gt", "<=": "lte", "<": "lt"}
FIELDS = {"logName", "resource.type", "operation.id", "operation.producer", "severity", "timestamp", "insertId"}


def entries_list(*, resource_names: list, filter: str = "", order_by: str = "", page_size: int = 0,
                 page_token: str = "") -> dict:
    """Return a ListLogEntriesResponse page: {entries, nextPageToken}."""
    projects = _projects(resource_names)
    queryset = LogEntry.objects.filter(project_id__in=projects).select_related("operation")
    for term in filter_parse(filter, allowed=FIELDS, prefixes=("resource.labels.", "jsonPayload.")):
        queryset = queryset.filter(_term_q(term))
    order = (order_by or "timestamp asc").strip().lower().split()
    if order not in (["timestamp"], ["timestamp", "asc"], ["timestamp", "desc"]):
        raise ApiError(400, f"Invalid orderBy {order_by!r}: use 'timestamp asc' or 'timestamp desc'.")
    queryset = queryset.order_by("-timestamp", "-id") if order[-1] == "desc" else queryset.order_by("timestamp", "id")
    if page_size < 0:
        raise ApiError(400, "pageSize must not be negative.")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = _offset(page_token)
    rows = list(queryset[offset : offset + size + 1])
    result: dict = {"entries": [entry_json(row) for row in rows[:size]]}
    if len(rows) > size:
        result["nextPageToken"] = base64.urlsafe_b64encode(f"e:{offset + size}".encode()).decode()
    return result


def entry_json(entry: LogEntry) -> dict:
    """Return a LogEntry resource."""
    return compact({
        "logName": f"projects/{entry.project_id}/logs/{quote(entry.log_id, safe='')}",
        "resource": {"type": "healthcare_dicom_store", "labels": {
            "project_id": entry.project_id, "location": entry.location, "dataset_id": entry.dataset_id,
            "dicom_store_id": entry.dicom_store_id}},
        "timestamp": timestamp(entry.timestamp),
        "receiveTimestamp": timestamp(entry.timestamp),
        "severity": SEVERITY_NAMES.get(entry.severity, "DEFAULT"),
        "insertId": entry.insert_id,
        "operation": {"id": entry.operation.name, "producer": PRODUCERS.get(entry.log_id, "")},
        "jsonPayload": entry.payload,
    })


def _projects(resource_names) -> list[str]:
    if not isinstance(resource_names, list) or not resource_names:
        raise ApiError(400, "resourceNames is required, e.g. [\"projects/my-project\"].")
    projects = []
    for name in resource_names:
        if not isinstance(name, str) or not name.startswith("projects/") or "/" in name[len("projects/"):]:
            raise ApiError(400, f"Unsupported resource name {name!r}: the emulator takes projects/PROJECT_ID.")
        projects.append(name[len("projects/"):])
    return projects


def _term_q(term: Term) -> Q:
    field, op, value = term.field, term.op, term.value
    if field == "severity":
        return _compare("severity", op, _severity(value))
    if field == "timestamp":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ApiError(400, f"Invalid filter: {value!r} is not an RFC 3339 timestamp.") from None
        return _compare("timestamp", op, moment)
    if field.startswith("jsonPayload."):
        key = "payload__" + "__".join(field.split(".")[1:])
        if op in ("=", "!=") and value.lstrip("-").isdigit():
            # A number in the payload (error.code) matches its decimal text, as in Logging's query language.
            q = Q(**{key: int(value)}) | Q(**{key: value})
            return ~q if op == "!=" else q
        return _text(key, op, value)
    if op not in ("=", "!=", ":"):
        raise ApiError(400, f"Invalid filter: {field} supports =, != and :, not {op}.")
    if field == "logName":
        project, _, log_id = value.partition("/logs/")
        q = Q(project_id=project.removeprefix("projects/"), log_id=unquote(log_id))
    elif field == "resource.type":
        q = Q() if value == "healthcare_dicom_store" else Q(pk__in=[])
    elif field.startswith("resource.labels."):
        label = LABELS.get(field[len("resource.labels."):])
        q = _text(label, "=" if op == "!=" else op, value) if label else Q(pk__in=[])
    elif field == "operation.id":
        match = OPERATION_NAME.match(value)
        q = Q(operation_id=int(match["op_id"]), operation__dataset_name=match["dataset_name"]) if match else Q(
            operation_id__isnull=True)
    elif field == "operation.producer":
        q = Q(log_id__in=[log for log, producer in PRODUCERS.items() if producer == value])
    else:  # insertId
        q = _text("insert_id", "=" if op == "!=" else op, value)
    return ~q if op == "!=" else q


def _text(key: str, op: str, value: str) -> Q:
    if op == ":":
        return Q(**{f"{key}__contains": value})
    if op == "=":
        return Q(**{key: value})
    if op == "!=":
        return ~Q(**{key: value})
    raise ApiError(400, f"Invalid filter: text fields support =, != and :, not {op}.")


def _compare(key: str, op: str, value) -> Q:
    if op == "!=":
        return ~Q(**{key: value})
    if op not in _LOOKUPS:
        raise ApiError(400, f"Invalid filter: {key} does not support {op}.")
    return Q(**{f"{key}__{_LOOKUPS[op]}": value})


def _severity(value: str) -> int:
    if value.upper() in SEVERITIES:
        return SEVERITIES[value.upper()]
    if value.isdigit():
        return int(value)
    raise ApiError(400, f"Invalid filter: unknown severity {value!r}; use one of {', '.join(SEVERITIES)}.")


def _offset(page_token: str) -> int:
    if not page_token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(page_token.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError):
        raise ApiError(400, f"Invalid page token {page_token!r}.") from None
