"""Benchmark the emulated Cloud Storage through the unmodified google-cloud-storage client.

Starts a fresh emulator (`manage.py runemulator`, temp database and data directory), uploads and
downloads N objects of S bytes with a thread pool, lists a bucket of L objects page by page, and
prints objects per second. When gcp-storage-emulator is importable (`pip install -r
requirements-bench.txt`), runs the same workload against it, with the same client concurrency, and
prints the ratio.

    .venv/bin/python bench/storage.py [--objects 1000] [--size 102400] [--list-objects 10000] [--threads 8]
"""

import argparse
import contextlib
import importlib.util
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
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


def cpu_seconds(proc: Process) -> float:
    """CPU time (user + system) used so far by a server process and its children (gunicorn workers)."""
    total = 0.0
    try:
        root = psutil.Process(proc.pid)
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = p.cpu_times()
                total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


class Target:
    """One emulator under test: its process, a client bound to it, and its buckets."""

    def __init__(self, label: str, proc: Process, url: str):
        self.label, self.proc, self.url = label, proc, url
        os.environ["STORAGE_EMULATOR_HOST"] = url  # read when the client is built; each client keeps its own
        from google.cloud import storage

        self.client = storage.Client(project="bench-project")
        self.bucket = self.client.create_bucket(f"bench-{uuid.uuid4().hex[:8]}")
        self.listing = self.client.create_bucket(f"bench-list-{uuid.uuid4().hex[:8]}")
        self.results: dict[str, tuple[float, float]] = {}  # phase -> (objects/s, server CPU ms per object)


def measure(target: Target, phase: str, threads: int, fn, count: int) -> None:
    """Run fn(i) for i < count on a thread pool; record objects/s and the server's CPU ms per object."""
    cpu_before = cpu_seconds(target.proc)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(fn, range(count)))
    elapsed = time.perf_counter() - start
    target.results[phase] = (count / elapsed, (cpu_seconds(target.proc) - cpu_before) * 1000 / count)


def run_phases(targets: list[Target], args) -> None:
    """Run each phase on every target in turn, so that both see the same machine load."""
    payload = os.urandom(args.size)

    def upload(t):
        return lambda i: t.bucket.blob(f"data/{i:06d}.bin").upload_from_string(payload)

    def download(t):
        def fn(i):
            if len(t.bucket.blob(f"data/{i:06d}.bin").download_as_bytes()) != args.size:
                raise AssertionError("short download")
        return fn

    def fill(t):
        return lambda i: t.listing.blob(f"folder{i % 10}/obj{i:06d}").upload_from_string(b"x")

    def list_pages(t, count):
        def fn(_):
            seen = pages = 0
            for page in t.client.list_blobs(t.listing.name, page_size=args.page_size).pages:
                pages += 1
                seen += page.num_items
            if seen != count:
                raise AssertionError(f"{t.label}: listed {seen} of {count} objects")
            t.pages = pages
        return fn

    for t in targets:
        t.list_count = args.list_objects if t.label == "ours" else args.reference_list_objects
        # Warm up every server process first: each gunicorn worker imports the emulator's URLconf (pydicom,
        # numpy, ...) on its first request, about 0.8 s of CPU that is no part of an upload's cost.
        measure(t, "warmup", args.threads, lambda i, t=t: t.bucket.blob(f"warmup/{i}").upload_from_string(b"w"), 64)
    for phase in ("upload", "download", "fill", "list"):
        for t in targets:
            if phase == "upload":
                measure(t, phase, args.threads, upload(t), args.objects)
            elif phase == "download":
                measure(t, phase, args.threads, download(t), args.objects)
            elif phase == "fill":
                measure(t, phase, args.threads, fill(t), t.list_count)
            else:
                measure(t, phase, 1, list_pages(t, t.list_count), 1)
                rate, cpu_ms = t.results[phase]
                t.results[phase] = (rate * t.list_count, cpu_ms / t.list_count)


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

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmpdir:
        tmp = Path(tmpdir)
        procs = []
        try:
            proc, url = start_ours(tmp, args.workers, args.server_threads)
            procs.append(proc)
            targets = [Target("ours", proc, url)]
            if not args.skip_reference and importlib.util.find_spec("gcp_storage_emulator"):
                proc, url = start_reference(tmp)
                procs.append(proc)
                targets.append(Target("reference", proc, url))
            run_phases(targets, args)
        finally:
            for proc in procs:
                proc.stop()
    print_table(targets, args, load_before, os.getloadavg())
    return 0


def print_table(targets: list[Target], args, load_before, load_after) -> None:
    ours = targets[0]
    ref = targets[1] if len(targets) > 1 else None
    print(f"\nCloud Storage emulator benchmark: google-cloud-storage client, {args.threads} client threads "
          f"(the same for both); runemulator --workers {args.workers} --threads {args.server_threads}, SQLite, "
          f"DEBUG=0; {os.cpu_count()} CPUs, load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    header = f"{'operation':<46} {'this emulator':>13} {'CPU ms':>7}"
    if ref:
        header += f" {'gcp-storage-emulator':>20} {'CPU ms':>7} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    rows = [
        ("upload", f"upload {args.objects} x {args.size // 1024} KB", "", ""),
        ("download", f"download {args.objects} x {args.size // 1024} KB", "", ""),
        ("fill", "upload 1-byte objects", f"{args.list_objects}", f"{args.reference_list_objects}"),
        ("list", f"list page by page, maxResults={args.page_size}", f"{args.list_objects}",
         f"{args.reference_list_objects}"),
    ]
    for key, label, our_n, ref_n in rows:
        rate, cpu_ms = ours.results[key]
        if our_n:
            label += f" ({our_n} / {ref_n})" if ref else f" ({our_n})"
        line = f"{label:<46} {rate:>13.0f} {cpu_ms:>7.2f}"
        if ref:
            ref_rate, ref_cpu = ref.results[key]
            line += f" {ref_rate:>20.0f} {ref_cpu:>7.2f} {rate / ref_rate:>5.1f}x"
        print(line)
    print("objects/s (wall clock); CPU ms = server CPU time per object (all its processes)")
    pages = f"pages listed: {ours.pages}"
    if ref:
        pages += f" (gcp-storage-emulator: {ref.pages}; it ignores maxResults and pageToken)"
    print(pages)
    print("target from issue 3: >= 620 uploads/s (20 x the 31/s measured for gcp-storage-emulator)")


if __name__ == "__main__":
    sys.exit(main())
