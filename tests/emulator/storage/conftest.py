"""Fixtures for the emulated Cloud Storage: Google's own client pointed at the live emulator."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.cloud import storage

PROJECT = "storage-tests"


@pytest.fixture
def data_dir(settings, tmp_path):
    """The in-process service's data directory (for tests that call emulator.storage directly)."""
    settings.EMULATOR_DATA_DIR = tmp_path / "emulator"
    return settings.EMULATOR_DATA_DIR


@pytest.fixture
def gcs(emulator_url) -> storage.Client:
    """An unmodified google-cloud-storage client talking to the session's emulator (no credentials)."""
    return storage.Client(project=PROJECT)


@pytest.fixture
def bucket(gcs, unique_id) -> storage.Bucket:
    return gcs.create_bucket(f"st-{unique_id}")


def upload_many(bucket: storage.Bucket, names: list[str], data: bytes = b"x", threads: int = 8) -> None:
    """Upload one small object per name, concurrently (8 threads: the client's connection pool holds 10)."""
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda name: bucket.blob(name).upload_from_string(data), names))


@pytest.fixture(scope="module")
def big_bucket(emulator_server):
    """A bucket with 2,500 objects `obj/00000` … `obj/02499`, shared by the module's pagination tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STORAGE_EMULATOR_HOST", emulator_server.url)
    client = storage.Client(project=PROJECT)
    bucket = client.create_bucket(f"st-big-{uuid.uuid4().hex[:10]}")
    upload_many(bucket, [f"obj/{i:05d}" for i in range(2500)])
    yield bucket
    mp.undo()
