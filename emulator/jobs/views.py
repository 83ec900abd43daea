"""HTTP endpoints: dicomStores :import/:export, dataset operations, Cloud Logging entries:list, logs viewer."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from emulator.wire import ApiError, json_response, read_json

from . import cloudlogging, service
from .exporting import export_start
from .importing import import_start


@require_POST
def store_import(request, version: str, store: str):
    op = import_start(store_name=store, api_version=version, body=read_json(request))
    return json_response(request, {"name": op.name})


@require_POST
def store_export(request, version: str, store: str):
    op = export_start(store_name=store, api_version=version, body=read_json(request))
    return json_response(request, {"name": op.name})


@require_GET
def operations_list(request, version: str, dataset: str):
    _dataset_exists(dataset)
    if request.GET.get("returnPartialSuccess", "").lower() in ("true", "1"):
        # Google answers UNIMPLEMENTED unless the read spans collections, which a dataset's list never does.
        raise ApiError(501, "returnPartialSuccess is only supported for reads across collections.")
    payload = service.operation_list(
        dataset_name=dataset, filter=request.GET.get("filter", ""), page_size=_int(request.GET, "pageSize"),
        page_token=request.GET.get("pageToken", ""), version=version,
    )
    return json_response(request, payload)


@require_GET
def operation_get(request, version: str, dataset: str, op_id: str):
    op = service.operation_get(f"{dataset}/operations/{op_id}")
    return json_response(request, service.operation_json(op, version=version))


@require_POST
def operation_cancel(request, version: str, dataset: str, op_id: str):
    service.operation_cancel(f"{dataset}/operations/{op_id}")
    return json_response(request, {})


@require_POST
def entries_list(request):
    body = read_json(request)
    payload = cloudlogging.entries_list(
        resource_names=body.get("resourceNames") or [], filter=body.get("filter") or "",
        order_by=body.get("orderBy") or "", page_size=_int(body, "pageSize"), page_token=body.get("pageToken") or "",
    )
    return json_response(request, payload)


@require_GET
def logs_viewer(request, params: str = ""):
    """Show the entries a Logs-Explorer-style link selects (`;query=<filter>`) as an HTML table."""
    query = ""
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key == "query":
            query = value
    project = request.GET.get("project", "")
    context = {"query": query, "project": project, "entries": [], "error": "", "next_token": ""}
    try:
        page = cloudlogging.entries_list(resource_names=[f"projects/{project}"], filter=query, page_size=500,
                                         page_token=request.GET.get("pageToken", ""))
        context["entries"] = [_row(entry) for entry in page["entries"]]
        context["next_token"] = page.get("nextPageToken", "")
    except ApiError as exc:
        context["error"] = exc.message
    # 200 even for a bad query: the page shows the message (an HTML 4xx would become a JSON error envelope).
    return HttpResponse(render_to_string("emulator_jobs/logs.html", context))


def _row(entry: dict) -> dict:
    payload = entry.get("jsonPayload", {})
    error = payload.get("error", {})
    return {"timestamp": entry.get("timestamp", ""), "severity": entry.get("severity", ""),
            "resource": payload.get("source") or payload.get("resourceName", ""),
            "code": error.get("code", ""), "message": error.get("message", ""),
            "operation": entry.get("operation", {}).get("id", "")}


def _dataset_exists(dataset: str) -> None:
    from emulator.healthcare.service import dataset_get

    dataset_get(dataset)


def _int(source, key: str) -> int:
    value = source.get(key) or 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Invalid value for {key}: {value!r} is not an integer.") from None
