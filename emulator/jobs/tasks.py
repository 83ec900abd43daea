"""Celery tasks of the emulated import/export jobs (names emulator.jobs.tasks.* → queue `emulator`)."""

import logging

from celery import shared_task
from django.db import OperationalError

logger = logging.getLogger(__name__)

# A busy SQLite database is worth retrying; the work itself is idempotent (see chunks.py).
RETRY = {"acks_late": True, "autoretry_for": (OperationalError,), "retry_backoff": 1, "retry_backoff_max": 30,
         "max_retries": 8}


@shared_task(**RETRY)
def import_list_task(operation_id: int) -> None:
    """List the objects an import matches and enqueue their chunks."""
    _list(operation_id, "import")


@shared_task(**RETRY)
def export_list_task(operation_id: int) -> None:
    """List the instances an export covers and enqueue their chunks."""
    _list(operation_id, "export")


def _list(operation_id: int, kind: str) -> None:
    from .chunks import listing_fail
    from .exporting import export_list
    from .importing import import_list
    from .models import Operation
    from .service import status

    op = Operation.objects.filter(pk=operation_id, done=False, listing_done=False).first()
    if op is None:
        return
    try:
        (import_list if kind == "import" else export_list)(op)
    except OperationalError:
        raise
    except Exception as exc:
        logger.exception("listing of operation %s failed", operation_id)
        listing_fail(op, status("INTERNAL", f"Listing failed: {type(exc).__name__}: {exc}"))


@shared_task(**RETRY)
def chunk_run_task(chunk_id: int) -> None:
    """Process one chunk of an operation from its checkpoint on."""
    from .chunks import chunk_run
    from .exporting import export_processor
    from .importing import import_processor
    from .models import Chunk, Operation

    kind = Chunk.objects.filter(pk=chunk_id).values_list("operation__kind", flat=True).first()
    if kind is not None:
        chunk_run(chunk_id, import_processor if kind == Operation.Kind.IMPORT else export_processor)
