"""Healthcare API v1/v1beta1 resources: locations, datasets, DICOM stores, metrics, storage info."""

import secrets

from django.conf import settings
from django.views.decorators.http import require_http_methods

from emulator.wire import int64, json_response, read_json

from . import service
from .models import Dataset, DicomStore


def location_json(project: str, location: str) -> dict:
    return {"name": f"projects/{project}/locations/{location}", "locationId": location}


def dataset_json(dataset: Dataset) -> dict:
    return {"name": dataset.name, "timeZone": dataset.time_zone}


def store_json(store: DicomStore) -> dict:
    return {"name": store.name, "labels": store.labels or None}


@require_http_methods(["GET"])
def locations(request, version, project):
    service.project_check(project)
    size = service.page_size_parse(request.GET.get("pageSize"))
    names = sorted(settings.EMULATOR_LOCATIONS)
    after = service.page_token_decode(request.GET.get("pageToken"))
    names = [n for n in names if n > after]
    page, more = names[:size], len(names) > size
    payload = {"locations": [location_json(project, n) for n in page]}
    if more:
        payload["nextPageToken"] = service.page_token_encode(page[-1])
    return json_response(request, payload)


@require_http_methods(["GET"])
def location(request, version, project, location):
    service.location_check(project_id=project, location=location)
    return json_response(request, location_json(project, location))


@require_http_methods(["GET", "POST"])
def datasets(request, version, project, location):
    if request.method == "POST":
        return _dataset_create(request, version, project, location)
    page, token = service.dataset_list(
        project_id=project,
        location=location,
        page_size=service.page_size_parse(request.GET.get("pageSize")),
        page_token=request.GET.get("pageToken", ""),
    )
    return json_response(request, {"datasets": [dataset_json(d) for d in page], "nextPageToken": token})


def _dataset_create(request, version, project, location):
    body = read_json(request)
    dataset = service.dataset_insert(
        project_id=project,
        location=location,
        dataset_id=request.GET.get("datasetId", ""),
        time_zone=body.get("timeZone") or "UTC",
    )
    response = {"@type": f"type.googleapis.com/google.cloud.healthcare.{version}.Dataset", **dataset_json(dataset)}
    return json_response(request, operation_done(dataset.name, version, "dataset.DatasetService.CreateDataset",
                                                 response))


def operation_done(dataset_name: str, version: str, method: str, response: dict) -> dict:
    """Record a finished LRO with the jobs app (when present) and return its Operation JSON."""
    api_method_name = f"google.cloud.healthcare.{version}.{method}"
    try:
        from emulator.jobs.service import operation_record_done
    except ImportError:  # the jobs app is not there: answer a finished operation nobody can look up
        return {"name": f"{dataset_name}/operations/{secrets.randbelow(10**16)}", "done": True, "response": response}
    return operation_record_done(
        dataset_name=dataset_name, api_version=version, api_method_name=api_method_name, response=response
    )


@require_http_methods(["GET", "DELETE", "PATCH"])
def dataset(request, version, project, location, dataset):
    obj = service.dataset_get(f"projects/{project}/locations/{location}/datasets/{dataset}")
    if request.method == "DELETE":
        service.dataset_delete(obj)
        return json_response(request, {})
    if request.method == "PATCH":
        body = read_json(request)
        if "timeZone" in (request.GET.get("updateMask") or "") and body.get("timeZone"):
            obj.time_zone = body["timeZone"]
            obj.save(update_fields=["time_zone"])
    return json_response(request, dataset_json(obj))


@require_http_methods(["GET", "POST"])
def stores(request, version, project, location, dataset):
    obj = service.dataset_get(f"projects/{project}/locations/{location}/datasets/{dataset}")
    if request.method == "POST":
        body = read_json(request)
        store = service.store_insert(
            dataset=obj, store_id=request.GET.get("dicomStoreId", ""), labels=body.get("labels")
        )
        return json_response(request, store_json(store))
    page, token = service.store_list(
        dataset=obj,
        page_size=service.page_size_parse(request.GET.get("pageSize")),
        page_token=request.GET.get("pageToken", ""),
        filter=request.GET.get("filter", ""),
    )
    return json_response(request, {"dicomStores": [store_json(s) for s in page], "nextPageToken": token})


def _store(project, location, dataset, store) -> DicomStore:
    return service.store_get(f"projects/{project}/locations/{location}/datasets/{dataset}/dicomStores/{store}")


@require_http_methods(["GET", "DELETE", "PATCH"])
def store(request, version, project, location, dataset, store):
    obj = _store(project, location, dataset, store)
    if request.method == "DELETE":
        service.store_delete(obj)
        return json_response(request, {})
    if request.method == "PATCH":
        body = read_json(request)
        if "labels" in (request.GET.get("updateMask") or ""):
            obj.labels = service.labels_check(body.get("labels"))
            obj.save(update_fields=["labels"])
    return json_response(request, store_json(obj))


@require_http_methods(["GET"])
def store_metrics(request, version, project, location, dataset, store):
    obj = _store(project, location, dataset, store)
    metrics = service.store_metrics(obj)
    return json_response(
        request,
        {
            "name": obj.name,
            "studyCount": int64(metrics["study_count"]),
            "seriesCount": int64(metrics["series_count"]),
            "instanceCount": int64(metrics["instance_count"]),
            "structuredStorageSizeBytes": int64(metrics["structured_size"]),
            "blobStorageSizeBytes": int64(metrics["blob_size"]),
        },
    )


