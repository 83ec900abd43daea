"""Dataset long-running operations: record, render as Operation JSON, get, list, cancel.

Import and export start in `importing.py` / `exporting.py`; the chunk engine in `chunks.py`.
"""

import base64
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from emulator.wire import RPC_CODES, ApiError, compact, int64, timestamp

from .filters import Term, filter_parse, parse_bool
from .ids import OPERATION_NAME, dataset_parts, operation_id_new
from .models import Operation

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
LOG_IDS = {Operation.Kind.IMPORT: "import_dicom", Operation.Kind.EXPORT: "export_dicom"}


def operation_create(*, dataset_name: str, api_version: str, api_method_name: str, kind: str = Operation.Kind.OTHER,
                     store_name: str = "", request: dict | None = None) -> Operation:
    """Create a running operation row."""
    dataset_parts(dataset_name)
    return Operation.objects.create(
        id=operation_id_new(), dataset_name=dataset_name, store_name=store_name, kind=kind,
        api_version=api_version, api_method_name=api_method_name, request=request or {},
        create_time=timezone.now(),
    )


def operation_record_done(*, dataset_name: str, api_version: str, api_method_name: str, response: dict | None = None,
                          error: dict | None = None) -> dict:
    """Store an operation that finished at once (datasets.create, studies.delete); return its Operation JSON.

    `response` is the Any payload including its "@type"; `error` a google.rpc.Status dict.
    """
    op = operation_create(dataset_name=dataset_name, api_version=api_version, api_method_name=api_method_name)
    Operation.objects.filter(pk=op.pk).update(done=True, end_time=timezone.now(), response=None if error else response,
                                              error=error)
    op.refresh_from_db()
    return operation_json(op)


def logs_filter(op: Operation) -> str:
    """Return the Cloud Logging filter that selects the operation's entries."""
    project = dataset_parts(op.dataset_name)["project"]
    log_id = LOG_IDS.get(op.kind)
    parts = ['resource.type="healthcare_dicom_store"']
    if log_id:
        parts.append(f'logName="projects/{project}/logs/healthcare.googleapis.com%2F{log_id}"')
    parts.append(f'operation.id="{op.name}"')
    return " AND ".join(parts)


def logs_url(op: Operation) -> str:
    """Return a Logs-Explorer-style deep link served by the emulator's own logs viewer."""
    project = dataset_parts(op.dataset_name)["project"]
    return f"{settings.EMULATOR_PUBLIC_URL}/logs/query;query={quote(logs_filter(op), safe='')}?project={project}"


def operation_json(op: Operation, *, version: str = "") -> dict:
    """Return the Operation as proto3 JSON (defaults omitted: no `done` while running).

    `version` is the API version of the reading call: the `@type` URLs follow it, so that a v1beta1 client
    reading an operation started through v1 gets v1beta1 types (apiMethodName still names the started RPC).
    """
    version = version or op.api_version
    metadata = {
        "@type": f"type.googleapis.com/google.cloud.healthcare.{version}.OperationMetadata",
        "apiMethodName": op.api_method_name,
        "createTime": timestamp(op.create_time),
        "endTime": timestamp(op.end_time) if op.done else None,
        "cancelRequested": op.cancel_requested,
        "logsUrl": logs_url(op),
        "counter": {"success": int64(op.success), "failure": int64(op.failure), "pending": int64(op.pending)},
    }
    payload = {"name": op.name, "metadata": metadata}
    if op.done:
        payload["done"] = True
        if op.error:
            payload["error"] = op.error
        else:
            payload["response"] = _retype(op.response or {}, op.api_version, version)
    result = compact(payload)
    if op.done and "response" not in result and "error" not in result:
        result["response"] = {}  # an Empty response is still the result of the union
    return result


def _retype(message: dict, started: str, version: str) -> dict:
    type_url = message.get("@type", "")
    prefix = f"type.googleapis.com/google.cloud.healthcare.{started}."
    if version == started or not type_url.startswith(prefix):
        return message
    return {**message, "@type": f"type.googleapis.com/google.cloud.healthcare.{version}.{type_url[len(prefix):]}"}


def operation_get(name: str) -> Operation:
    """Return the operation named `projects/P/locations/L/datasets/D/operations/ID`; ApiError(404) if unknown."""
    match = OPERATION_NAME.match(name)
    op = None
    if match:
        op = Operation.objects.filter(pk=int(match["op_id"]), dataset_name=match["dataset_name"]).first()
    if op is None:
        raise ApiError(404, f"Operation {name} not found.")
    return op


def operation_list(*, dataset_name: str, filter: str = "", page_size: int = 0, page_token: str = "",
                   version: str = "") -> dict:
    """Return a ListOperationsResponse page, newest first.

    Filter: AND-joined `done=true|false`, `metadata.apiMethodName="..."` (`=`, `!=`, or `:` for a substring).
    """
    queryset = Operation.objects.filter(dataset_name=dataset_name)
    allowed = {"done", "metadata.apiMethodName", "apiMethodName"}
    for term in filter_parse(filter, allowed=allowed):
        queryset = _apply_operation_term(queryset, term)
    size = _page_size(page_size)
    offset = _page_offset(page_token)
    ops = list(queryset.order_by("-create_time", "-id")[offset : offset + size + 1])
    result = {"operations": [operation_json(op, version=version) for op in ops[:size]]}
    if len(ops) > size:
        result["nextPageToken"] = base64.urlsafe_b64encode(f"o:{offset + size}".encode()).decode()
    return result


def _apply_operation_term(queryset, term: Term):
    if term.field == "done":
        return queryset.filter(done=parse_bool(term))
    if term.op == "=":
        return queryset.filter(api_method_name=term.value)
    if term.op == "!=":
        return queryset.exclude(api_method_name=term.value)
    if term.op == ":":
        return queryset.filter(api_method_name__contains=term.value)
    raise ApiError(400, f"Invalid filter: {term.field} supports =, != and :, not {term.op}.")


def _page_size(page_size: int) -> int:
    if page_size < 0:
        raise ApiError(400, "pageSize must not be negative.")
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def _page_offset(page_token: str) -> int:
    if not page_token:
        return 0
    try:
        kind, value = base64.urlsafe_b64decode(page_token.encode()).decode().split(":", 1)
        return int(value)
    except ValueError:
        raise ApiError(400, f"Invalid page token {page_token!r}.") from None


def operation_cancel(name: str) -> None:
    """Request cancellation (best effort): workers stop between instances, then the operation ends CANCELLED."""
    op = operation_get(name)
    with transaction.atomic():
        Operation.objects.filter(pk=op.pk, done=False).update(cancel_requested=True)
    from .chunks import operation_finish_if_complete

    operation_finish_if_complete(op.pk)


def counters_add(op_id: int, *, success: int = 0, failure: int = 0, listed: int = 0, chunks: int = 0) -> None:
    """Add to an operation's counters atomically (call inside the caller's transaction)."""
    if success or failure or listed or chunks:
        Operation.objects.filter(pk=op_id).update(
            success=F("success") + success, failure=F("failure") + failure, listed=F("listed") + listed,
            chunks_left=F("chunks_left") + chunks,
        )


def status(code_name: str, message: str) -> dict:
    return {"code": RPC_CODES[code_name], "message": message}
