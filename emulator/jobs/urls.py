"""URLs of the emulated jobs; specific patterns, included before healthcare's broad ones."""

from django.urls import re_path

from . import views

V = r"^(?P<version>v1|v1beta1)/"
DATASET = r"(?P<dataset>projects/[^/]+/locations/[^/]+/datasets/[^/:]+)"
STORE = r"(?P<store>projects/[^/]+/locations/[^/]+/datasets/[^/]+/dicomStores/[^/:]+)"

urlpatterns = [
    re_path(V + STORE + r":import$", views.store_import, name="emulator-store-import"),
    re_path(V + STORE + r":export$", views.store_export, name="emulator-store-export"),
    re_path(V + DATASET + r"/operations$", views.operations_list, name="emulator-operations-list"),
    re_path(V + DATASET + r"/operations/(?P<op_id>[^/:]+)$", views.operation_get, name="emulator-operation"),
    re_path(V + DATASET + r"/operations/(?P<op_id>[^/:]+):cancel$", views.operation_cancel,
            name="emulator-operation-cancel"),
    re_path(r"^v2/entries:list$", views.entries_list, name="emulator-entries-list"),
    re_path(r"^logs/query(?P<params>(?:;.*)?)$", views.logs_viewer, name="emulator-logs"),
]
