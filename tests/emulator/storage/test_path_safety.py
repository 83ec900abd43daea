"""Object names never become paths: hostile names stay inside the data directory's blob store."""

import os
import re

import requests

HOSTILE_NAMES = [
    "../../etc/x",
    "../../../../../../tmp/escaped",
    "a/../../b",
    "/leading/slash",
    "./dot/./segments",
    "..\\..\\windows",
    "%2e%2e/encoded",
    "x" * 1000,
    "ünïcödé/名前.dcm",
]


def _files(root):
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_hostile_names_are_stored_and_read_back_without_touching_paths(emulator_server, bucket):
    data_dir = emulator_server.data_dir

    for i, name in enumerate(HOSTILE_NAMES):
        bucket.blob(name).upload_from_string(f"payload {i}".encode())

    for i, name in enumerate(HOSTILE_NAMES):
        assert bucket.blob(name).download_as_bytes() == f"payload {i}".encode()
    assert sorted(b.name for b in bucket.list_blobs()) == sorted(HOSTILE_NAMES)
    # Every file in the data directory is a blob named by a random hex key (or an upload session file).
    blob_file = re.compile(r"(objects|dicom)/[0-9a-f]{2}/[0-9a-f]{32}|uploads/[0-9a-f]{32}|.*\.(log|sqlite3.*)")
    for path in _files(data_dir):
        assert blob_file.fullmatch(path), path
    # And nothing landed where a name used as a path would have put it.
    for name in HOSTILE_NAMES[:7]:
        for root in (data_dir, data_dir / "objects", data_dir / "objects" / "ab"):
            naive = os.path.normpath(os.path.join(root, name.lstrip("/")))
            assert not os.path.exists(naive) or os.path.isdir(naive), naive


def test_names_google_rejects_are_a_400(emulator_server, bucket):
    base = f"{emulator_server.url}/upload/storage/v1/b/{bucket.name}/o"
    for name in ["", ".", "..", "nul\x00inside", "line\nfeed", "y" * 1025]:
        response = requests.post(base, params={"uploadType": "media", "name": name}, data=b"x", timeout=10)
        assert response.status_code == 400, name
        assert response.json()["error"]["code"] == 400
    assert list(bucket.list_blobs()) == []
