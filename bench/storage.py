"""Benchmark the emulated Cloud Storage through the unmodified google-cloud-storage client.

Starts a fresh emulator (`manage.py runemulator`, temp database and data directory), uploads and
downloads N objects of S bytes with a thread pool, lists a bucket of L objects page by page, and
prints objects per second. When gcp-storage-emulator is importable (`pip install -r
requirements-bench.txt`), runs the same workload against it, with the same client concurrency, and
prints the ratio.

    .venv/bin/python bench/storage.py [--objects 1000] [--size 102400] [--list-objects 10000] [--threads 8]
"""

import argparse
import importlib.util
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from tests.processes import Process, django_env, free_port, wait_until  # noqa: E402


def start_ours(tmp: Path, workers: int, threads: int) -> tuple[Process, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = django_env(
        DATABASE_URL=f"sqlite:///{tmp / 'emulator.sqlite3'}",
        EMULATOR_DATA_DIR=str(tmp / "data"),
        EMULATOR_PUBLIC_URL=url,
        VAR_DIR=str(tmp / "var"),
        SECRET_KEY="bench-" + uuid.uuid4().hex * 2,
        DEBUG="0",
        EMULATOR_ALLOW="1",  # DEBUG off, as a deployed emulator would run; it still binds loopback only
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMULATOR_WORKERS=str(workers),
        EMULATOR_THREADS=str(threads),
    )
    import subprocess

    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    proc = Process([sys.executable, "manage.py", "runemulator", f"127.0.0.1:{port}"], env=env,
                   log=tmp / "emulator.log")
    wait_until(lambda: requests.get(f"{url}/healthz", timeout=1).ok, timeout=60, what="emulator", process=proc.popen)
    return proc, url


def start_reference(tmp: Path) -> tuple[Process, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = Process(
        [sys.executable, "-m", "gcp_storage_emulator", "--data-dir", str(tmp / "gse-data"), "start",
         "--host", "127.0.0.1", "--port", str(port), "--quiet"],
        log=tmp / "gcp-storage-emulator.log",
    )
    wait_until(lambda: requests.get(f"{url}/storage/v1/b?project=bench-project", timeout=1).status_code < 500,
               timeout=30, what="gcp-storage-emulator", process=proc.popen)
    return proc, url


def timed(threads: int, fn, items) -> float:
    """Run fn over items on a thread pool; return items per second."""
    items = list(items)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(fn, items))
    return len(items) / (time.perf_counter() - start)


def run_workload(url: str, *, objects: int, size: int, list_objects: int, threads: int, page_size: int) -> dict:
    os.environ["STORAGE_EMULATOR_HOST"] = url
    from google.cloud import storage

    client = storage.Client(project="bench-project")
    bucket = client.create_bucket(f"bench-{uuid.uuid4().hex[:8]}")
    payload = os.urandom(size)

    def upload(i: int) -> None:
        bucket.blob(f"data/{i:06d}.bin").upload_from_string(payload)

    def download(i: int) -> None:
        if len(bucket.blob(f"data/{i:06d}.bin").download_as_bytes()) != size:
            raise AssertionError("short download")

    results = {"upload": timed(threads, upload, range(objects)), "download": timed(threads, download, range(objects))}

    listing = client.create_bucket(f"bench-list-{uuid.uuid4().hex[:8]}")
    fill_start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda i: listing.blob(f"folder{i % 10}/obj{i:06d}").upload_from_string(b"x"),
                      range(list_objects)))
    results["fill"] = list_objects / (time.perf_counter() - fill_start)
    start = time.perf_counter()
    pages = seen = 0
    for page in client.list_blobs(listing.name, page_size=page_size).pages:
        pages += 1
        seen += page.num_items
    results["list"] = seen / (time.perf_counter() - start)
    results["list_pages"] = pages
    if seen != list_objects:
        raise AssertionError(f"listed {seen} of {list_objects} objects")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--size", type=int, default=100 * 1024)
    parser.add_argument("--list-objects", type=int, default=10_000)
    parser.add_argument("--reference-list-objects", type=int, default=2_000,
                        help="bucket size for gcp-storage-emulator's listing (its writes slow down as it fills)")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8, help="client thread pool, the same for both emulators")
    parser.add_argument("--workers", type=int, default=2, help="runemulator --workers")
    parser.add_argument("--server-threads", type=int, default=8, help="runemulator --threads")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()

    rows = {}
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmpdir:
        tmp = Path(tmpdir)
        proc, url = start_ours(tmp, args.workers, args.server_threads)
        try:
            rows["ours"] = run_workload(url, objects=args.objects, size=args.size, list_objects=args.list_objects,
                                        threads=args.threads, page_size=args.page_size)
        finally:
            proc.stop()
        if not args.skip_reference and importlib.util.find_spec("gcp_storage_emulator"):
            proc, url = start_reference(tmp)
            try:
                rows["reference"] = run_workload(url, objects=args.objects, size=args.size,
                                                 list_objects=args.reference_list_objects, threads=args.threads,
                                                 page_size=args.page_size)
            finally:
                proc.stop()

    print(f"\nCloud Storage emulator benchmark: google-cloud-storage client, {args.threads} client threads; "
          f"runemulator --workers {args.workers} --threads {args.server_threads}, SQLite, DEBUG=0")
    header = f"{'operation':<44} {'this emulator':>15}"
    if "reference" in rows:
        header += f" {'gcp-storage-emulator':>21} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    ours, ref = rows["ours"], rows.get("reference")
    labels = [
        ("upload", f"upload {args.objects} x {args.size // 1024} KB (objects/s)", "", ""),
        ("download", f"download {args.objects} x {args.size // 1024} KB (objects/s)", "", ""),
        ("fill", "upload 1-byte objects to fill a bucket (objects/s)",
         f" [{args.list_objects}]", f" [{args.reference_list_objects}]"),
        ("list", f"list page by page, maxResults={args.page_size} (objects/s)",
         f" [{args.list_objects}]", f" [{args.reference_list_objects}]"),
    ]
    for key, label, our_note, ref_note in labels:
        line = f"{label:<44} {ours[key]:>9.0f}{our_note:>6}"
        if ref:
            line += f" {ref[key]:>13.0f}{ref_note:>8} {ours[key] / ref[key]:>6.1f}x"
        print(line)
    pages = f"pages listed: {ours['list_pages']}"
    if ref:
        pages += f" (gcp-storage-emulator: {ref['list_pages']}; it ignores maxResults and pageToken)"
    print(pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
