from django.urls import path

from . import views

LOCATION = "projects/<str:project>/locations/<str:location>"
DATASET = f"{LOCATION}/datasets/<str:dataset>"
STORE = f"{DATASET}/dicomStores/<str:store>"

urlpatterns = [
    path("datasets/", views.datasets_home, name="console-datasets"),
    path(f"{LOCATION}/datasets", views.dataset_list, name="console-dataset-list"),
    path(DATASET, views.dataset_detail, name="console-dataset"),
    path(f"{STORE}/import", views.store_import, name="console-store-import"),
    path(f"{STORE}/import/preview", views.store_import_preview, name="console-store-import-preview"),
    path(f"{STORE}/export", views.store_export, name="console-store-export"),
    path(f"{STORE}/browse", views.store_browse, name="console-store-browse"),
    path(f"{STORE}/rendered/<str:study>/<str:series>/<str:sop>", views.store_thumbnail, name="console-store-thumbnail"),
    path("console/pickers/projects", views.picker_projects, name="console-picker-projects"),
    path("console/pickers/buckets", views.picker_buckets, name="console-picker-buckets"),
    path("console/pickers/folders", views.picker_folders, name="console-picker-folders"),
    path("console/pickers/transfer-syntaxes", views.picker_syntaxes, name="console-picker-syntaxes"),
]
