"""The in-process service other emulator apps use (healthcare's seed, jobs' import and export)."""

import io
from concurrent.futures import ThreadPoolExecutor

import pytest

from emulator.storage import service
from emulator.wire import ApiError


@pytest.mark.django_db
def test_projects_and_buckets_are_created_idempotently(data_dir):
    first = service.project_create(project_id="svc-project", display_name="Service project")
    again = service.project_create(project_id="svc-project")
    bucket = service.bucket_create(project_id="svc-project", name="svc-bucket", location="us-central1")

    assert again.pk == first.pk
    assert again.display_name == "Service project"
    assert len(first.number) == 12 and first.number == service.project_number("svc-project")
    assert service.bucket_create(project_id="svc-project", name="svc-bucket").pk == bucket.pk
    assert service.bucket_get("svc-bucket").location == "US-CENTRAL1"
    assert service.project_get(first.number).project_id == "svc-project"


@pytest.mark.django_db
def test_missing_things_raise_404(data_dir):
    service.bucket_create(project_id="svc-project", name="svc-bucket")

    for call in (lambda: service.project_get("nope-project"), lambda: service.bucket_get("no-bucket"),
                 lambda: service.object_get("svc-bucket", "missing")):
        with pytest.raises(ApiError) as excinfo:
            call()
        assert excinfo.value.code == 404


@pytest.mark.django_db
def test_object_write_streams_files_and_object_iter_yields_names_in_order(data_dir):
    service.bucket_create(project_id="svc-project", name="svc-bucket")
    for name in ["b/2", "a/1", "b/1", "c"]:
        service.object_write("svc-bucket", name, io.BytesIO(name.encode()), content_type="text/plain")

    names = [o.name for o in service.object_iter("svc-bucket", batch=2)]
    in_b = [o.name for o in service.object_iter("svc-bucket", prefix="b/")]
    bounded = [o.name for o in service.object_iter("svc-bucket", start_offset="a/2", end_offset="c")]

    assert names == ["a/1", "b/1", "b/2", "c"]
    assert in_b == ["b/1", "b/2"]
    assert bounded == ["b/1", "b/2"]
    obj = service.object_get("svc-bucket", "b/2")
    with service.object_open(obj) as fh:
        assert fh.read() == b"b/2"
    assert obj.content_type == "text/plain"


@pytest.mark.django_db(transaction=True)
def test_concurrent_overwrites_leave_one_object_and_one_file(data_dir):
    service.bucket_create(project_id="svc-project", name="svc-bucket")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: service.object_write("svc-bucket", "same", f"v{i}".encode()), range(40)))

    obj = service.object_get("svc-bucket", "same")
    with service.object_open(obj) as fh:
        assert fh.read().startswith(b"v")
    files = [p for p in (data_dir / "objects").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [obj.blob_key]


@pytest.mark.django_db
def test_resumable_sessions_older_than_a_week_are_dropped_with_their_bytes(data_dir):
    from datetime import timedelta

    from django.utils import timezone

    from emulator.storage.blobs import upload_path, uploads_dir
    from emulator.storage.models import UploadSession
    from emulator.storage.uploads import _sessions_expire

    bucket = service.bucket_create(project_id="svc-project", name="svc-bucket")
    uploads_dir().mkdir(parents=True)
    for upload_id, age in (("a" * 32, 8), ("b" * 32, 1)):
        upload_path(upload_id).write_bytes(b"partial")
        UploadSession.objects.create(upload_id=upload_id, bucket=bucket, name="x")
        UploadSession.objects.filter(upload_id=upload_id).update(created=timezone.now() - timedelta(days=age))

    _sessions_expire()

    assert list(UploadSession.objects.values_list("upload_id", flat=True)) == ["b" * 32]
    assert not upload_path("a" * 32).exists() and upload_path("b" * 32).exists()


@pytest.mark.django_db(transaction=True)
def test_a_write_into_a_bucket_deleted_meanwhile_is_a_404_and_leaves_no_file(data_dir):
    from emulator.storage.blobs import blob_write

    service.bucket_create(project_id="svc-project", name="svc-bucket")
    bucket = service.bucket_get("svc-bucket")
    service.bucket_delete("svc-bucket")

    with pytest.raises(ApiError) as excinfo:
        service.object_commit(bucket, "late.txt", blob_write(b"late"))

    assert excinfo.value.code == 404
    assert [p for p in (data_dir / "objects").rglob("*") if p.is_file()] == []
