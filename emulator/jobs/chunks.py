"""The chunk engine: a listing task cuts the work into chunks, chunk tasks process them, the last one finishes.

Finaliser: `Operation.chunks_left` counts chunks created and not yet done; the listing task sets
`listing_done` when it has cut the last chunk. Whoever sees `listing_done and chunks_left == 0`
inside a locked transaction finishes the operation with a guarded update (`done=False` → `True`), so it
finishes exactly once no matter which of them comes last.

Idempotency: a chunk's `position` is a checkpoint that moves forward only through a guarded update
(`position=old, done=False`), in the same transaction that adds the counts and the log entries for
the items processed since the last checkpoint. A redelivered task (worker killed, acks_late) resumes
from the checkpoint; re-processing the few items after it is harmless (a re-imported instance is a
duplicate that the store ignores, an exported file is overwritten) and never counted twice. A copy of
the task that loses the guard stops.
"""

import contextlib
import fcntl
import gc
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, reset_queries, transaction
from django.utils import timezone

from .ids import store_parts
from .models import Chunk, LogEntry, Operation
from .service import LOG_IDS, counters_add, status

logger = logging.getLogger(__name__)

CHECKPOINT_ITEMS = 25
CHECKPOINT_SECONDS = 0.5
CANCEL_POLL_SECONDS = 0.2
SEVERITY_ERROR = 500


def chunk_size() -> int:
    return getattr(settings, "EMULATOR_JOBS_CHUNK_SIZE", 100)


def chunks_cut(op: Operation, items: Iterator, *, empty_error: dict | None = None) -> None:
    """Cut `items` (streamed) into chunks, enqueue each on commit, then mark the listing done.

    Safe to run again after a crash: the listing is deterministic, existing chunks are kept (and
    re-enqueued if not done, in case the crash fell between commit and enqueue). `empty_error` becomes
    the result when there are no items at all.
    """
    existing = dict(Chunk.objects.filter(operation=op).values_list("seq", "done"))
    batch: list = []
    seq = 0
    for item in items:
        batch.append(item)
        if len(batch) >= chunk_size():
            _chunk_save(op, seq, batch, existing)
            seq, batch = seq + 1, []
            if _cancelled(op.pk):
                break
    else:
        if batch:
            _chunk_save(op, seq, batch, existing)
        elif seq == 0 and empty_error:
            Operation.objects.filter(pk=op.pk, done=False).update(error=empty_error)
    Operation.objects.filter(pk=op.pk).update(listing_done=True)
    operation_finish_if_complete(op.pk)


def _chunk_save(op: Operation, seq: int, items: list, existing: dict) -> None:
    from .tasks import chunk_run_task

    if seq in existing:
        if not existing[seq]:
            chunk_id = Chunk.objects.get(operation=op, seq=seq).pk
            chunk_run_task.delay(chunk_id)
        return
    with writers_queue(), transaction.atomic():
        chunk = Chunk.objects.create(operation=op, seq=seq, items=items)
        counters_add(op.pk, listed=len(items), chunks=1)
        transaction.on_commit(lambda: chunk_run_task.delay(chunk.pk))


def listing_fail(op: Operation, error: dict) -> None:
    """End the listing with an error that becomes the operation's result."""
    Operation.objects.filter(pk=op.pk, done=False).update(error=error, listing_done=True)
    operation_finish_if_complete(op.pk)


def _cancelled(op_id: int) -> bool:
    return Operation.objects.filter(pk=op_id, cancel_requested=True).exists()


@dataclass
class _Progress:
    """Results since the last checkpoint."""

    success: int = 0
    failure: int = 0
    entries: list = field(default_factory=list)


def chunk_run(chunk_id: int, processor: Callable[[Operation], Callable[[object], dict | None]]) -> None:
    """Process a chunk's items from its checkpoint on.

    `processor(op)` returns the function applied to each item: None on success, a log payload on failure.
    It may also have `begin(items)`, called once with the items about to be processed (to read what they
    need in bulk), `flush()`, called inside each checkpoint's transaction to write what the items since
    the previous checkpoint produced (so those writes commit or roll back with the checkpoint), and
    `discard()`, called instead when another copy of the task has taken the chunk over.
    """
    chunk = Chunk.objects.select_related("operation").filter(pk=chunk_id, done=False).first()
    if chunk is None or chunk.operation.done:
        return
    with _fewer_gc_passes():
        _chunk_process(chunk, processor)


@contextlib.contextmanager
def _fewer_gc_passes(threshold: int = 10_000):
    """Run the cyclic garbage collector every `threshold` allocations instead of every 700.

    Parsing a DICOM header allocates thousands of small objects; with the default threshold the collector's
    full passes over a worker's heap took about 18 % of an import. Memory stays bounded (it still runs).
    """
    old = gc.get_threshold()
    gc.set_threshold(max(threshold, old[0]), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


def _chunk_process(chunk: Chunk, processor) -> None:
    op = chunk.operation
    process = processor(op)
    position = chunk.position
    progress = _Progress()
    last_checkpoint = last_cancel_check = time.monotonic()
    delay = getattr(settings, "EMULATOR_JOBS_ITEM_DELAY", 0.0)
    cancelled = False
    if hasattr(process, "begin"):
        process.begin(chunk.items[position:])
    for index in range(chunk.position, len(chunk.items)):
        now = time.monotonic()
        if now - last_cancel_check >= CANCEL_POLL_SECONDS or index == chunk.position:
            last_cancel_check = now
            if cancelled := _cancelled(op.pk):
                break
        payload = process(chunk.items[index])
        if delay:
            time.sleep(delay)  # tests only: widen the window for a SIGKILL
        if payload is None:
            progress.success += 1
        else:
            progress.failure += 1
            progress.entries.append(_log_entry(op, f"{op.pk}-{chunk.seq}-{index}", payload))
        if index + 1 - position >= CHECKPOINT_ITEMS or time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
            if not _checkpoint(chunk, position, index + 1, progress, final=False, process=process):
                return
            position, progress, last_checkpoint = index + 1, _Progress(), time.monotonic()
    end = position + progress.success + progress.failure if cancelled else len(chunk.items)
    if _checkpoint(chunk, position, end, progress, final=True, process=process):
        operation_finish_if_complete(op.pk)


def _checkpoint(chunk: Chunk, old: int, new: int, progress: _Progress, *, final: bool, process=None) -> bool:
    """Move the checkpoint and add the counts, log entries and the processor's pending writes, atomically."""
    # With DEBUG on (the default of a local emulator) Django keeps the last 9,000 queries' SQL; the bulk
    # inserts carry whole DICOM JSON headers, so a long import would hold tens of MB in that log.
    reset_queries()
    try:
        with writers_queue(), transaction.atomic():
            moved = Chunk.objects.filter(pk=chunk.pk, position=old, done=False).update(position=new, done=final)
            if moved != 1:
                logger.info("chunk %s was taken over by another copy of its task; stopping", chunk)
                if hasattr(process, "discard"):
                    process.discard()
                return False
            if hasattr(process, "flush"):
                process.flush()
            counters_add(chunk.operation_id, success=progress.success, failure=progress.failure,
                         chunks=-int(final))
            LogEntry.objects.bulk_create(progress.entries)
    except BaseException:
        if hasattr(process, "discard"):
            process.discard()  # nothing of this checkpoint was committed
        raise
    return True


_lock_file = None


@contextlib.contextmanager
def writers_queue():
    """Let the job workers of one SQLite database write one at a time, queued on a file lock (never nested).

    Exports write an object per file and every checkpoint is a write transaction: short SQLite write
    transactions of several worker processes. When two collide, the loser sleeps in SQLite's busy handler
    (1 ms, 2 ms, 5 ms, …) although the lock is free again after a fraction of a millisecond; a kernel file
    lock (`<database>-jobs-lock`, next to the database) wakes the next writer at once: imports and exports
    ran 15–30 % faster with two workers. Other databases wait for locks properly: no queue there.
    """
    global _lock_file
    database = connection.settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3" or str(database["NAME"]).startswith((":memory:", "file:")):
        yield
        return
    if _lock_file is None:
        _lock_file = open(f"{database['NAME']}-jobs-lock", "a")  # noqa: SIM115 — kept for the worker's life
    fcntl.flock(_lock_file, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_lock_file, fcntl.LOCK_UN)


def _log_entry(op: Operation, insert_id: str, payload: dict) -> LogEntry:
    parts = store_parts(op.store_name)
    return LogEntry(
        operation=op, project_id=parts["project"], location=parts["location"], dataset_id=parts["dataset"],
        dicom_store_id=parts["store"], log_id=f"healthcare.googleapis.com/{LOG_IDS[op.kind]}",
        severity=SEVERITY_ERROR, timestamp=timezone.now(), insert_id=insert_id, payload=payload,
    )


def operation_finish_if_complete(op_id: int) -> bool:
    """Finish the operation if its listing is done and no chunk is left; return whether this call finished it."""
    with transaction.atomic():
        op = Operation.objects.select_for_update().filter(pk=op_id, done=False).first()
        if op is None or not (op.listing_done and op.chunks_left <= 0):
            return False
        error, response = _result(op)
        return Operation.objects.filter(pk=op_id, done=False).update(
            done=True, end_time=timezone.now(), error=error, response=response) == 1


def _result(op: Operation) -> tuple[dict | None, dict | None]:
    kind = "ImportDicomDataResponse" if op.kind == Operation.Kind.IMPORT else "ExportDicomDataResponse"
    verb = "import" if op.kind == Operation.Kind.IMPORT else "export"
    if op.cancel_requested:
        return status("CANCELLED", "Operation was cancelled."), None
    if op.error:
        return op.error, None
    if op.failure:
        total = op.success + op.failure
        return status("INVALID_ARGUMENT", f"{op.failure} of {total} instances failed to {verb}; "
                      "see the operation's log entries (metadata.logsUrl) for details."), None
    return None, {"@type": f"type.googleapis.com/google.cloud.healthcare.{op.api_version}.dicom.{kind}"}
