"""Objects through google-cloud-storage: uploads of every kind, downloads, ranges, metadata, deletes."""

import hashlib
import os

import pytest
import requests
from google.api_core import exceptions


def test_a_multipart_upload_round_trips_bytes_and_metadata(bucket):
    blob = bucket.blob("dir/hello.txt")
    blob.metadata = {"origin": "test"}

    blob.upload_from_string(b"hello world", content_type="text/plain")

    fetched = bucket.get_blob("dir/hello.txt")
    assert fetched.size == 11
    assert fetched.content_type == "text/plain"
    assert fetched.metadata == {"origin": "test"}
    assert fetched.md5_hash == "XrY7u+Ae7tCTyyK7j1rNww=="
    assert fetched.crc32c == "yZRlqg=="
    assert fetched.generation == blob.generation
    assert fetched.time_created is not None
    assert fetched.download_as_bytes() == b"hello world"
    [listed] = bucket.list_blobs(prefix="dir/")
    assert listed.metadata == {"origin": "test"}
    assert listed.md5_hash == fetched.md5_hash and listed.updated == fetched.updated


def test_overwriting_an_object_makes_a_new_generation(bucket):
    blob = bucket.blob("v.txt")
    blob.upload_from_string(b"one")
    first = blob.generation

    blob.upload_from_string(b"two")

    assert blob.generation > first
    assert bucket.blob("v.txt").download_as_bytes() == b"two"


def test_if_generation_match_zero_refuses_to_overwrite(bucket):
    bucket.blob("once.txt").upload_from_string(b"first")

    with pytest.raises(exceptions.PreconditionFailed):
        bucket.blob("once.txt").upload_from_string(b"second", if_generation_match=0)

    assert bucket.blob("once.txt").download_as_bytes() == b"first"


def test_a_20_mb_resumable_upload_in_chunks_keeps_every_byte(bucket, tmp_path):
    data = os.urandom(20 * 1024 * 1024)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    blob = bucket.blob("big/chunked.bin", chunk_size=5 * 1024 * 1024)  # four PUTs, three 308s

    blob.upload_from_filename(str(path))

    fetched = bucket.get_blob("big/chunked.bin")
    assert fetched.size == len(data)
    assert fetched.md5_hash == blob.md5_hash
    assert hashlib.md5(fetched.download_as_bytes()).digest() == hashlib.md5(data).digest()  # noqa: S324


def test_a_resumable_session_reports_what_it_has_received(emulator_server, bucket):
    base = f"{emulator_server.url}/upload/storage/v1/b/{bucket.name}/o"
    start = requests.post(f"{base}?uploadType=resumable", json={"name": "manual.bin"}, timeout=10)
    session = start.headers["Location"]

    partial = requests.put(session, data=b"a" * 262144, headers={"Content-Range": "bytes 0-262143/*"}, timeout=10)
    status = requests.put(session, headers={"Content-Range": "bytes */*"}, timeout=10)
    done = requests.put(session, data=b"b" * 10, headers={"Content-Range": "bytes 262144-262153/262154"}, timeout=10)

    assert partial.status_code == 308 and partial.headers["Range"] == "bytes=0-262143"
    assert status.status_code == 308 and status.headers["Range"] == "bytes=0-262143"
    assert done.status_code == 200
    assert done.json()["size"] == "262154"
    assert bucket.blob("manual.bin").download_as_bytes() == b"a" * 262144 + b"b" * 10


def test_a_simple_media_upload_takes_the_name_from_the_query(emulator_server, bucket):
    response = requests.post(
        f"{emulator_server.url}/upload/storage/v1/b/{bucket.name}/o",
        params={"uploadType": "media", "name": "media/upload.bin"},
        data=b"\x00\x01\x02",
        headers={"Content-Type": "application/x-test"},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["contentType"] == "application/x-test"
    assert bucket.blob("media/upload.bin").download_as_bytes() == b"\x00\x01\x02"


def test_a_range_download_answers_206_with_only_those_bytes(emulator_server, bucket):
    data = bytes(range(256)) * 4
    bucket.blob("range.bin").upload_from_string(data)
    url = f"{emulator_server.url}/download/storage/v1/b/{bucket.name}/o/range.bin?alt=media"

    assert bucket.blob("range.bin").download_as_bytes(start=10, end=19) == data[10:20]
    suffix = requests.get(url, headers={"Range": "bytes=-5"}, timeout=10)
    assert suffix.status_code == 206
    assert suffix.content == data[-5:]
    assert suffix.headers["Content-Range"] == f"bytes {len(data) - 5}-{len(data) - 1}/{len(data)}"
    beyond = requests.get(url, headers={"Range": f"bytes={len(data)}-"}, timeout=10)
    assert beyond.status_code == 416


def test_a_download_carries_the_checksums_the_client_verifies(emulator_server, bucket):
    bucket.blob("sum.txt").upload_from_string(b"hello")

    response = requests.get(f"{emulator_server.url}/storage/v1/b/{bucket.name}/o/sum.txt?alt=media", timeout=10)

    assert response.headers["x-goog-hash"] == "crc32c=mnG7TA==,md5=XUFAKrxLKna5cZ2REBfFkg=="
    assert response.headers["x-goog-stored-content-length"] == "5"
    assert response.headers["x-goog-generation"] == str(bucket.get_blob("sum.txt").generation)


def test_metadata_patch_bumps_the_metageneration(bucket):
    blob = bucket.blob("patch.txt")
    blob.upload_from_string(b"x")

    blob.metadata = {"k": "v"}
    blob.patch()

    fetched = bucket.get_blob("patch.txt")
    assert fetched.metadata == {"k": "v"}
    assert fetched.metageneration == 2


def test_deleted_objects_are_gone(bucket):
    bucket.blob("gone.txt").upload_from_string(b"x")

    bucket.blob("gone.txt").delete()

    assert not bucket.blob("gone.txt").exists()
    with pytest.raises(exceptions.NotFound):
        bucket.blob("gone.txt").delete()


def test_a_missing_object_answers_googles_error_envelope(emulator_server, bucket):
    response = requests.get(f"{emulator_server.url}/storage/v1/b/{bucket.name}/o/missing%2Fobject", timeout=10)

    assert response.status_code == 404
    assert response.json()["error"]["message"] == f"No such object: {bucket.name}/missing/object"


def test_a_checksum_mismatch_in_a_multipart_upload_is_refused(emulator_server, bucket):
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\ncontent-type: application/json\r\n\r\n{{"name": "bad.bin", "crc32c": "AAAAAA=="}}\r\n'
        f"--{boundary}\r\ncontent-type: application/octet-stream\r\n\r\nhello\r\n--{boundary}--"
    ).encode()

    response = requests.post(
        f"{emulator_server.url}/upload/storage/v1/b/{bucket.name}/o?uploadType=multipart",
        data=body,
        headers={"Content-Type": f'multipart/related; boundary="{boundary}"'},
        timeout=10,
    )

    assert response.status_code == 400
    assert not bucket.blob("bad.bin").exists()


def test_copy_rewrite_and_compose_make_new_objects(gcs, bucket, unique_id):
    other = gcs.create_bucket(f"st-copy-{unique_id}")
    bucket.blob("src/one.txt").upload_from_string(b"one,", content_type="text/plain")
    bucket.blob("src/two.txt").upload_from_string(b"two")

    copied = bucket.copy_blob(bucket.blob("src/one.txt"), other, "dst/one.txt")
    other.blob("dst/rewritten.txt").rewrite(bucket.blob("src/two.txt"))
    composed = bucket.blob("both.txt")
    composed.compose([bucket.blob("src/one.txt"), bucket.blob("src/two.txt")])

    assert copied.content_type == "text/plain"
    assert other.blob("dst/one.txt").download_as_bytes() == b"one,"
    assert other.blob("dst/rewritten.txt").download_as_bytes() == b"two"
    assert bucket.blob("both.txt").download_as_bytes() == b"one,two"
    assert composed.size == 7
    bucket.blob("src/one.txt").delete()
    assert other.blob("dst/one.txt").download_as_bytes() == b"one,"  # the copy does not share the source's fate


def test_content_disposition_cache_control_and_language_are_kept_and_served(emulator_server, bucket):
    blob = bucket.blob("report.pdf")
    blob.content_disposition = 'attachment; filename="report.pdf"'
    blob.cache_control = "no-cache"
    blob.content_language = "de"
    blob.upload_from_string(b"%PDF-", content_type="application/pdf")

    fetched = bucket.get_blob("report.pdf")
    response = requests.get(f"{emulator_server.url}/storage/v1/b/{bucket.name}/o/report.pdf?alt=media", timeout=10)

    assert (fetched.content_disposition, fetched.cache_control, fetched.content_language) == (
        'attachment; filename="report.pdf"', "no-cache", "de")
    assert response.headers["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response.headers["Cache-Control"] == "no-cache"
    fetched.cache_control = None
    fetched.patch()
    assert bucket.get_blob("report.pdf").cache_control is None
    assert [b.content_language for b in bucket.list_blobs(prefix="report")] == ["de"]
