"""URLconf of the emulator process (manage.py runemulator), not of the console."""

from django.http import JsonResponse
from django.urls import include, path

from .wire import error_response


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz),
    # Cloud Storage JSON API (/storage/v1, /upload/storage/v1, /download/storage/v1) and Resource Manager (/v3).
    path("", include("emulator.storage.urls")),
    # dicomStores :import/:export, dataset operations, Cloud Logging (/v2/entries:list), the logs viewer.
    # Before healthcare: its patterns are specific, healthcare's are broad.
    path("", include("emulator.jobs.urls")),
    # Healthcare v1/v1beta1: locations, datasets, dicomStores, DICOMweb.
    path("", include("emulator.healthcare.urls")),
]


def handler404(request, exception=None):
    return error_response(404, f"The requested URL {request.path} was not found on this server.")


def handler500(request):
    return error_response(500, "Internal error.")
