"""Fixtures for the emulated import/export jobs: a small REST client, synthetic DICOM, an isolated emulator."""

import io
import subprocess
import sys
import time
from urllib.parse import quote

import pydicom
import pytest
import requests
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from tests.conftest import EmulatorServer
from tests.processes import BASE_DIR, Process, django_env, free_port, wait_until

LOCATION = "us-central1"


def dicom_bytes(source: str = "CT_small.dcm", *, study: str = "", series: str = "", sop: str = "") -> bytes:
    """Return a copy of one of pydicom's test files with fresh (or the given) UIDs."""
    ds = pydicom.dcmread(get_testdata_file(source))
    ds.StudyInstanceUID = study or generate_uid()
    ds.SeriesInstanceUID = series or generate_uid()
    ds.SOPInstanceUID = sop or generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


class Api:
    """The emulator's REST APIs, as a client uses them (plain HTTP)."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def call(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, f"{self.url}{path}", timeout=30, **kwargs)

    def ok(self, method: str, path: str, **kwargs) -> dict:
        response = self.call(method, path, **kwargs)
        assert response.ok, response.text
        return response.json()

    def store(self, project: str, dataset: str, store: str = "s1") -> str:
        """Create a dataset (if needed) and a DICOM store; return the store's name."""
        self.bucket(project, f"{project}-home")  # buckets.insert creates the project, datasets.create needs it
        base = f"/v1/projects/{project}/locations/{LOCATION}/datasets"
        response = self.call("POST", base, params={"datasetId": dataset}, json={})
        assert response.status_code in (200, 409), response.text
        self.ok("POST", f"{base}/{dataset}/dicomStores", params={"dicomStoreId": store}, json={})
        return f"projects/{project}/locations/{LOCATION}/datasets/{dataset}/dicomStores/{store}"

    def bucket(self, project: str, name: str) -> str:
        response = self.call("POST", "/storage/v1/b", params={"project": project}, json={"name": name})
        assert response.status_code in (200, 409), response.text
        return name

    def upload(self, bucket: str, name: str, data: bytes) -> None:
        self.ok("POST", f"/upload/storage/v1/b/{bucket}/o", params={"uploadType": "media", "name": name}, data=data,
                headers={"Content-Type": "application/octet-stream"})

    def download(self, bucket: str, name: str) -> bytes:
        response = self.call("GET", f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}", params={"alt": "media"})
        assert response.ok, f"gs://{bucket}/{name}: {response.status_code}"
        return response.content

    def names(self, bucket: str, prefix: str = "") -> list[str]:
        names, token = [], ""
        while True:
            page = self.ok("GET", f"/storage/v1/b/{bucket}/o", params={"prefix": prefix, "pageToken": token})
            names += [item["name"] for item in page.get("items", [])]
            token = page.get("nextPageToken", "")
            if not token:
                return sorted(names)

    def start_import(self, store: str, uri: str, *, version: str = "v1", **extra) -> requests.Response:
        return self.call("POST", f"/{version}/{store}:import", json={"gcsSource": {"uri": uri}, **extra})

    def start_export(self, store: str, prefix: str, mime_type: str = "", *, filter_uri: str = "",
                     version: str = "v1") -> requests.Response:
        body: dict = {"gcsDestination": {"uriPrefix": prefix, **({"mimeType": mime_type} if mime_type else {})}}
        if filter_uri:
            body["filterConfig"] = {"resourcePathsGcsUri": filter_uri}
        return self.call("POST", f"/{version}/{store}:export", json=body)

    def wait(self, name: str, *, timeout: float = 60, version: str = "v1") -> dict:
        deadline = time.monotonic() + timeout
        while True:
            op = self.ok("GET", f"/{version}/{name}")
            if op.get("done"):
                return op
            assert time.monotonic() < deadline, f"operation still running: {op}"
            time.sleep(0.1)

    def run_import(self, store: str, uri: str, **extra) -> dict:
        response = self.start_import(store, uri, **extra)
        assert response.ok, response.text
        return self.wait(response.json()["name"])

    def run_export(self, store: str, prefix: str, mime_type: str = "", **extra) -> dict:
        response = self.start_export(store, prefix, mime_type, **extra)
        assert response.ok, response.text
        return self.wait(response.json()["name"])

    def entries(self, project: str, filter: str, **extra) -> list[dict]:
        body = {"resourceNames": [f"projects/{project}"], "filter": filter, **extra}
        return self.ok("POST", "/v2/entries:list", json=body).get("entries", [])

    def instance_count(self, store: str) -> int:
        response = self.ok("GET", f"/v1/{store}:getDICOMStoreMetrics")
        return int(response.get("instanceCount", "0"))


@pytest.fixture
def api(emulator_server) -> Api:
    return Api(emulator_server.url)


@pytest.fixture
def project(unique_id) -> str:
    return f"p-{unique_id}"


@pytest.fixture
def store(api, project, unique_id) -> str:
    return api.store(project, f"d{unique_id}")


@pytest.fixture
def bucket(api, project, unique_id) -> str:
    return api.bucket(project, f"b-{unique_id}")


@pytest.fixture(scope="module")
def isolated_emulator(redis_url, tmp_path_factory):
    """An emulator of its own with no worker: tests start (and kill) the workers they need.

    The shared emulator's worker would take the tasks these tests want to control.
    """
    root = tmp_path_factory.mktemp("isolated-emulator")
    port = free_port()
    env = django_env(
        REDIS_URL=redis_url.rsplit("/", 1)[0] + "/2",
        DATABASE_URL=f"sqlite:///{root / 'emulator.sqlite3'}",
        EMULATOR_DATA_DIR=str(root / "data"),
        EMULATOR_PUBLIC_URL=f"http://127.0.0.1:{port}",
        EMULATOR_CONTRACT_LOG=str(root / "contract.jsonl"),
        VAR_DIR=str(root / "var"),
        SECRET_KEY="emulator-test-secret",
        DEBUG="1",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True,
                   timeout=300)
    process = Process([sys.executable, "manage.py", "runemulator", f"127.0.0.1:{port}"], env=env,
                      log=root / "emulator.log")
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, timeout=60, what="emulator", process=process.popen)
    server = EmulatorServer(url, env, root / "data", process, None)
    server.contract_log = root / "contract.jsonl"
    server.root = root
    yield server
    process.stop()
    # Leave no messages behind in this Redis database for later runs.
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
