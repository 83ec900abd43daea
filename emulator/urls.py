"""URLconf of the emulator process (manage.py runemulator), not of the console."""

from django.http import JsonResponse
from django.urls import include, path

from .wire import error_response


def healthz(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz),
    # Each emulated API adds its include here (storage, resourcemanager, healthcare, logging).
]


def handler404(request, exception=None):
    return error_response(404, f"The requested URL {request.path} was not found on this server.")


def handler500(request):
    return error_response(500, "Internal error.")


__all__ = ["include", "urlpatterns"]
