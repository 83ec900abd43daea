"""Healthcare v1/v1beta1 URLs. Segments exclude ':' so that the jobs app's :import/:export and the
dataset operations (included before these) are never swallowed; there is no catch-all."""

from django.urls import re_path

from . import dicomweb, views

V = r"^(?P<version>v1|v1beta1)/projects/(?P<project>[^/:]+)/locations"
LOCATION = V + r"/(?P<location>[^/:]+)"
DATASET = LOCATION + r"/datasets/(?P<dataset>[^/:]+)"
STORE = DATASET + r"/dicomStores/(?P<store>[^/:]+)"

urlpatterns = [
    re_path(V + r"$", views.locations, name="emulator-locations"),
    re_path(LOCATION + r"$", views.location, name="emulator-location"),
    re_path(LOCATION + r"/datasets$", views.datasets, name="emulator-datasets"),
    re_path(DATASET + r"$", views.dataset, name="emulator-dataset"),
    re_path(DATASET + r"/dicomStores$", views.stores, name="emulator-stores"),
    re_path(STORE + r"$", views.store, name="emulator-store"),
    re_path(STORE + r":getDICOMStoreMetrics$", views.store_metrics, name="emulator-store-metrics"),
    re_path(STORE + r"/dicomWeb/(?P<path>.*)$", dicomweb.dicomweb, name="emulator-dicomweb"),
]
