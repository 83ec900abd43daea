"""Benchmark the emulated dicomStores.import / export against Orthanc's ingest, `cp -r` and dcmtk's dcmj2pnm.

On one run, with the same files: writes N synthetic ~40 KB CT instances (emulator/synthetic.py) to a
folder and to an emulated bucket, then measures
  - the emulator's import of the bucket (instances/s, peak RSS of the worker process tree),
  - Orthanc's REST ingest (`POST /instances`) of the same files, by 1 client and by 4, when /usr/sbin/Orthanc
    is installed (`apt-get install orthanc`; started on loopback ports by this script with storage in a scratch
    folder),
  - `cp -r` of the folder,
  - the emulator's export of the store as image/png and as application/dicom (Explicit VR Little Endian),
  - dcmtk's `dcmj2pnm --write-png`, one process per file (as a per-file converter runs), on a sample,
and prints a table with ratios. Missing tools print "n/a".

    .venv/bin/python bench/import_export.py [--instances 5000] [--worker-concurrency 2] [--chunk 100]
                                            [--orthanc-sample 1000] [--dcmtk-sample 300]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from emulator.synthetic import generate_instances  # noqa: E402
from tests.processes import Process, django_env, free_port, start_celery_worker, start_redis, wait_until  # noqa: E402

LOCATION = "us-central1"
ORTHANC = "/usr/sbin/Orthanc"


class MemorySampler(threading.Thread):
    """Sample a Celery worker's process tree every 250 ms; keep the peaks of the largest process's RSS and of
    the tree's PSS (shared pages counted once, so forked pool processes are not double-counted)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss, self.running = pid, 0, 0, True

    def run(self):
        tree, listed = [], 0.0
        while self.running:
            try:
                if time.monotonic() - listed > 2:
                    # Listing children scans every process of the machine: do it every 2 s, not every sample,
                    # so that the sampler does not take CPU from the worker it measures.
                    root = psutil.Process(self.pid)
                    tree, listed = [root, *root.children(recursive=True)], time.monotonic()
                self.peak_rss = max(self.peak_rss, *(p.memory_info().rss for p in tree))
                self.peak_pss = max(self.peak_pss, sum(p.memory_full_info().pss for p in tree))
            except psutil.Error:
                listed = 0.0
            time.sleep(0.25)  # memory moves slowly; sampling more often takes CPU from the workers measured

    def stop(self) -> tuple[int, int]:
        self.running = False
        self.join(1)
        return self.peak_rss, self.peak_pss


def start_emulator(tmp: Path, redis_url: str, *, concurrency: int, chunk: int):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = django_env(
        REDIS_URL=redis_url.rsplit("/", 1)[0] + "/1",
        DATABASE_URL=f"sqlite:///{tmp / 'emulator.sqlite3'}",
        EMULATOR_DATA_DIR=str(tmp / "emulator-data"),
        EMULATOR_PUBLIC_URL=url,
        EMULATOR_JOBS_CHUNK_SIZE=str(chunk),
        VAR_DIR=str(tmp / "emulator-var"),
        SECRET_KEY="bench-emulator-secret",  # noqa: S106 — a throwaway bench key
        DEBUG="1",
        LOG_LEVEL="WARNING",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    proc = Process([sys.executable, "manage.py", "runemulator", f"127.0.0.1:{port}"], env=env, log=tmp / "emulator.log")
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, timeout=60, what="emulator", process=proc.popen)
    worker = start_celery_worker(env, queues="emulator", log=tmp / "worker.log", concurrency=concurrency, name="bench")
    wait_until(lambda: "ready" in (tmp / "worker.log").read_text(), timeout=60, what="worker", process=worker.popen)
    return proc, worker, url


def wait_done(http: requests.Session, url: str, name: str) -> dict:
    while True:
        op = http.get(f"{url}/v1/{name}", timeout=30).json()
        if op.get("done"):
            return op
        time.sleep(0.1)


def run_operation(http, url: str, store: str, verb: str, body: dict, worker_pid: int) -> tuple[float, tuple, dict]:
    sampler = MemorySampler(worker_pid)
    sampler.start()
    start = time.perf_counter()
    response = http.post(f"{url}/v1/{store}:{verb}", json=body, timeout=30)
    response.raise_for_status()
    op = wait_done(http, url, response.json()["name"])
    elapsed = time.perf_counter() - start
    return elapsed, sampler.stop(), op


def bench_orthanc(files: list[Path], tmp: Path, sample: int) -> dict[int, float]:
    """Return Orthanc's ingest rate (instances/s) by client threads: 1 (sequential, as MACHINE-NOTES measured
    its 96/s) and 4, each over `sample` files of its own (a file Orthanc already holds would be a cheap no-op)."""
    if not os.access(ORTHANC, os.X_OK):
        return {}
    http_port, dicom_port = free_port(), free_port()
    config = tmp / "orthanc.json"
    (tmp / "orthanc-db").mkdir()
    config.write_text(json.dumps({
        "Name": "bench", "StorageDirectory": str(tmp / "orthanc-db"), "IndexDirectory": str(tmp / "orthanc-db"),
        "HttpPort": http_port, "DicomPort": dicom_port, "RemoteAccessAllowed": False, "AuthenticationEnabled": False,
        "Plugins": [], "StorageCompression": False,
    }))
    proc = Process([ORTHANC, str(config)], log=tmp / "orthanc.log")
    base = f"http://127.0.0.1:{http_port}"
    try:
        wait_until(lambda: requests.get(f"{base}/system", timeout=1).ok, timeout=60, what="Orthanc", process=proc.popen)
        session = requests.Session()

        def post(path: Path):
            session.post(f"{base}/instances", data=path.read_bytes(), timeout=60).raise_for_status()

        rates = {}
        for run, clients in enumerate((1, 4)):
            chosen = files[run * sample:(run + 1) * sample]
            start = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                list(pool.map(post, chosen))
            rates[clients] = len(chosen) / (time.perf_counter() - start)
        return rates
    finally:
        proc.stop()


def bench_dcmj2pnm(files: list[Path], tmp: Path, sample: int) -> float | None:
    """Return dcmj2pnm's files/s, one process per file (sequential), over `sample` files."""
    tool = shutil.which("dcmj2pnm")
    if tool is None:
        return None
    out = tmp / "dcmj2pnm"
    out.mkdir()
    chosen = files[:sample]
    start = time.perf_counter()
    for index, path in enumerate(chosen):
        subprocess.run([tool, "--write-png", str(path), str(out / f"{index}.png")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return len(chosen) / (time.perf_counter() - start)


def fmt_rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def ratio(ours: float, theirs: float | None) -> str:
    return "n/a" if not theirs else f"{ours / theirs:.1f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--worker-concurrency", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--orthanc-sample", type=int, default=1000)
    parser.add_argument("--dcmtk-sample", type=int, default=300)
    parser.add_argument("--no-anchors", action="store_true", help="skip cp -r, Orthanc and dcmtk (quick runs)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-import-export-") as scratch:
        tmp = Path(scratch)
        redis_proc, redis_url = start_redis(tmp / "redis")
        emulator, worker = None, None
        try:
            emulator, worker, url = start_emulator(tmp, redis_url, concurrency=args.worker_concurrency,
                                                   chunk=args.chunk)
            http = requests.Session()
            project, bucket = "bench-project", "bench-dicom"
            response = http.post(f"{url}/storage/v1/b", params={"project": project}, json={"name": bucket}, timeout=30)
            response.raise_for_status()
            base = f"{url}/v1/projects/{project}/locations/{LOCATION}/datasets"
            http.post(base, params={"datasetId": "bench"}, json={}, timeout=30).raise_for_status()
            http.post(f"{base}/bench/dicomStores", params={"dicomStoreId": "s"}, json={}, timeout=30).raise_for_status()
            store = f"projects/{project}/locations/{LOCATION}/datasets/bench/dicomStores/s"

            print(f"Writing {args.instances:,} synthetic instances to a folder and to gs://{bucket} ...", flush=True)
            folder = tmp / "files"
            files: list[Path] = []
            for name, data in generate_instances(args.instances):
                path = folder / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                files.append(path)
            size = sum(p.stat().st_size for p in files) / len(files)

            def upload(path: Path):
                name = path.relative_to(folder).as_posix()
                http.post(f"{url}/upload/storage/v1/b/{bucket}/o", params={"uploadType": "media", "name": name},
                          data=path.read_bytes(), headers={"Content-Type": "application/dicom"},
                          timeout=60).raise_for_status()

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(upload, files))

            print("Import ...", flush=True)
            t_import, (rss_import, pss_import), op = run_operation(http, url, store, "import",
                                                     {"gcsSource": {"uri": f"gs://{bucket}/**.dcm"}}, worker.pid)
            assert op["metadata"]["counter"] == {"success": str(args.instances)}, op
            print("Export image/png ...", flush=True)
            t_png, _, op = run_operation(http, url, store, "export", {"gcsDestination": {
                "uriPrefix": f"gs://{bucket}/png", "mimeType": "image/png"}}, worker.pid)
            assert op["metadata"]["counter"] == {"success": str(args.instances)}, op
            print("Export application/dicom (Explicit VR Little Endian) ...", flush=True)
            t_dcm, _, op = run_operation(http, url, store, "export", {"gcsDestination": {
                "uriPrefix": f"gs://{bucket}/dcm",
                "mimeType": "application/dicom; transfer-syntax=1.2.840.10008.1.2.1"}}, worker.pid)
            assert op["metadata"]["counter"] == {"success": str(args.instances)}, op
        finally:
            if worker:
                worker.stop()
            if emulator:
                emulator.stop()
            redis_proc.stop()

        cp_rate = dcmtk_rate = None
        orthanc_rates: dict[int, float] = {}
        if not args.no_anchors:
            print("cp -r ...", flush=True)
            start = time.perf_counter()
            subprocess.run(["cp", "-r", str(folder), str(tmp / "copy")], check=True)
            cp_rate = args.instances / (time.perf_counter() - start)
            print("Orthanc ...", flush=True)
            orthanc_rates = bench_orthanc(files, tmp, min(args.orthanc_sample, len(files) // 2))
            print("dcmj2pnm ...", flush=True)
            dcmtk_rate = bench_dcmj2pnm(files, tmp, min(args.dcmtk_sample, len(files)))

    n = args.instances
    import_rate, png_rate, dcm_rate = n / t_import, n / t_png, n / t_dcm
    print()
    print(f"{n:,} instances of {size / 1024:.0f} KB, worker concurrency {args.worker_concurrency}, "
          f"chunks of {args.chunk}, {os.cpu_count()} cores")
    rows = [
        ("Import (emulator)", f"{import_rate:,.0f} inst/s", "Orthanc POST /instances, 1 client",
         f"{fmt_rate(orthanc_rates.get(1))} inst/s", ratio(import_rate, orthanc_rates.get(1)), "≥ 10×"),
        ("Import (emulator)", f"{import_rate:,.0f} inst/s", "Orthanc POST /instances, 4 clients",
         f"{fmt_rate(orthanc_rates.get(4))} inst/s", ratio(import_rate, orthanc_rates.get(4)), ""),
        ("Import (emulator)", f"{import_rate:,.0f} inst/s", "cp -r", f"{fmt_rate(cp_rate)} files/s",
         ratio(import_rate, cp_rate), ""),
        ("Import peak RSS, largest worker process", f"{rss_import / 2**20:,.0f} MB", "", "", "", "≤ 300 MB"),
        ("Import peak PSS, whole worker tree", f"{pss_import / 2**20:,.0f} MB", "", "", "", "≤ 300 MB"),
        ("Export image/png", f"{png_rate:,.0f} files/s", "dcmj2pnm --write-png", f"{fmt_rate(dcmtk_rate)} files/s",
         ratio(png_rate, dcmtk_rate), "≥ 10×"),
        ("Export DICOM .1.2.1", f"{dcm_rate:,.0f} files/s", "cp -r", f"{fmt_rate(cp_rate)} files/s",
         ratio(dcm_rate, cp_rate), ""),
    ]
    header = ("measure", "emulator", "anchor", "anchor rate", "ratio", "target")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
