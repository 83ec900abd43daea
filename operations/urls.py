from django.urls import path

from . import views

DATASET = "projects/<str:project>/locations/<str:location>/datasets/<str:dataset>"
OPERATION = f"{DATASET}/operations/<str:op_id>"

urlpatterns = [
    path("operations/", views.operation_list, name="operations-list"),
    path(f"{DATASET}/operations", views.operation_dataset, name="operations-dataset"),
    path(OPERATION, views.operation_detail, name="operations-detail"),
    path(f"{OPERATION}/cancel", views.operation_cancel, name="operations-cancel"),
    path(f"{OPERATION}/run-again", views.operation_rerun, name="operations-rerun"),
    path(f"{OPERATION}/errors.csv", views.operation_errors_csv, name="operations-errors-csv"),
]
