"""Cloud Storage JSON API v1 (/storage/v1, /upload/storage/v1, /download/storage/v1) and Resource Manager v3."""

from django.urls import path

from . import projects, uploads, views

urlpatterns = [
    path("storage/v1/b", views.buckets),
    path("storage/v1/b/<str:bucket>", views.bucket_detail),
    path("storage/v1/b/<str:bucket>/iam/testPermissions", views.bucket_test_permissions),
    path("storage/v1/b/<str:bucket>/o", views.objects),
    # Before objects.get: names may hold slashes, so these longer shapes must be tried first.
    path("storage/v1/b/<str:bucket>/o/<path:name>/copyTo/b/<str:dest_bucket>/o/<path:dest_name>", views.object_copy),
    path("storage/v1/b/<str:bucket>/o/<path:name>/rewriteTo/b/<str:dest_bucket>/o/<path:dest_name>", views.object_copy,
         {"verb": "rewriteTo"}),
    path("storage/v1/b/<str:bucket>/o/<path:name>/compose", views.object_compose),
    path("storage/v1/b/<str:bucket>/o/<path:name>", views.object_detail),
    path("download/storage/v1/b/<str:bucket>/o/<path:name>", views.object_media),
    path("upload/storage/v1/b/<str:bucket>/o", uploads.upload),
    path("v3/projects:search", projects.projects_search),
    path("v3/projects", projects.projects_list),
    path("v3/projects/<str:project>", projects.project_detail),
]
