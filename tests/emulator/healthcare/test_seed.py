"""The demo seed and the synthetic generator commands, run against the live emulator's database."""

import re
import subprocess
import sys

import requests

from tests.processes import BASE_DIR


def manage(emulator_server, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=emulator_server.env, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def object_names(url: str, bucket: str) -> list[str]:
    names, token = [], ""
    while True:
        page = requests.get(f"{url}/storage/v1/b/{bucket}/o", params={"pageToken": token}, timeout=30).json()
        names += [item["name"] for item in page.get("items", [])]
        token = page.get("nextPageToken", "")
        if not token:
            return names


def test_the_seed_is_idempotent_and_creates_the_demo_world(emulator_server, healthcare):
    # when
    first = manage(emulator_server, "emulator_seed")
    names_first = object_names(emulator_server.url, "demo-dicom-in")
    second = manage(emulator_server, "emulator_seed")
    names_second = object_names(emulator_server.url, "demo-dicom-in")

    # then
    created, kept = map(int, re.search(r"(\d+) created, (\d+) already there", second).groups())
    assert created == 0
    total_first = sum(map(int, re.search(r"(\d+) created, (\d+) already there", first).groups()))
    assert kept == total_first
    assert names_first == names_second
    for name in ["README.txt", "samples/CT_small.dcm", "samples/emri_small.dcm", "study1/series1/Example.dcm",
                 "study1/series1/Example1.dcm", "study1/series1/Example22.dcm", "study1/series1/empty.dcm",
                 "study1/series1/truncated.dcm", "study1/series2/Example.dcm", "study2/a/b/c/Deep1.dcm"]:
        assert name in names_first
    stores = healthcare().projects().locations().datasets().dicomStores().list(
        parent="projects/demo-project/locations/us-central1/datasets/demo-dataset").execute()
    assert [s["name"].rsplit("/", 1)[1] for s in stores["dicomStores"]] == ["demo-store"]
    buckets = requests.get(f"{emulator_server.url}/storage/v1/b", params={"project": "demo-project"}, timeout=30)
    assert {"demo-dicom-in", "demo-exports"} <= {b["name"] for b in buckets.json()["items"]}
    projects = requests.get(f"{emulator_server.url}/v3/projects/imaging-lab", timeout=30)
    assert projects.ok


def test_generate_writes_n_synthetic_instances_under_a_prefix(emulator_server, unique_id):
    bucket = f"gen-{unique_id}"

    output = manage(emulator_server, "emulator_generate", "--instances", "25", "--bucket", bucket, "--prefix", "p/",
                    "--studies", "5")

    names = object_names(emulator_server.url, bucket)
    assert "Wrote 25 instances" in output
    assert len(names) == 25
    assert all(name.startswith("p/study000") and name.endswith(".dcm") for name in names)
    assert len({name.split("/")[1] for name in names}) == 5


def test_the_seeded_samples_import_and_every_image_renders(emulator_server, unique_id):
    """End to end with the jobs app: import gs://demo-dicom-in/samples/*.dcm, then render each instance."""
    import time

    import pydicom
    from pydicom.data import get_testdata_file

    from emulator.healthcare.seed import SAMPLES

    manage(emulator_server, "emulator_seed")
    url = emulator_server.url
    dataset = "projects/demo-project/locations/us-central1/datasets/demo-dataset"
    store = f"{dataset}/dicomStores/samples-{unique_id}"
    assert requests.post(f"{url}/v1/{dataset}/dicomStores", params={"dicomStoreId": f"samples-{unique_id}"},
                         json={}, timeout=30).ok

    # when
    started = requests.post(f"{url}/v1/{store}:import", json={"gcsSource": {"uri": "gs://demo-dicom-in/samples/*.dcm"}},
                            timeout=30).json()
    deadline = time.monotonic() + 90
    while True:
        operation = requests.get(f"{url}/v1/{started['name']}", timeout=30).json()
        if operation.get("done") or time.monotonic() > deadline:
            break
        time.sleep(0.5)

    # then
    assert operation.get("done"), operation
    datasets = [pydicom.dcmread(get_testdata_file(name), stop_before_pixels=True) for name in SAMPLES]
    sops = {ds.SOPInstanceUID for ds in datasets}
    assert operation["metadata"]["counter"]["success"] == str(len(SAMPLES))  # duplicates count as success
    instances = requests.get(f"{url}/v1/{store}/dicomWeb/instances", params={"limit": 100, "includefield": "Rows"},
                             timeout=30).json()
    assert len(instances) == len(sops)
    for item in instances:
        study, series, sop = (item[tag]["Value"][0] for tag in ("0020000D", "0020000E", "00080018"))
        rendered = requests.get(f"{url}/v1/{store}/dicomWeb/studies/{study}/series/{series}/instances/{sop}/rendered",
                                params={"viewport": "256,256"}, timeout=60)
        if "00280010" not in item:  # the structured report has no pixels
            assert rendered.status_code == 400
        else:
            assert rendered.status_code == 200, (sop, rendered.text)
            assert rendered.headers["Content-Type"] == "image/jpeg"
