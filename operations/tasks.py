"""Celery tasks of the operations app: poll one operation, sweep for lost polls, notify on end."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, name="operations.tasks.operation_poll_task")
def operation_poll_task(self, operation_id: int, token: str = "") -> None:
    """Poll one operation and re-schedule itself until it is done.

    Only the chain holding the row's current `poll_token` polls; a stale or duplicate message is a no-op,
    so the task is idempotent and safe with acks_late. Transient API errors are retried with capped
    backoff; when the retries run out the row is marked failed.
    """
    from gcp.errors import Transient

    from . import services
    from .state import retry_delay

    if not token:  # called by hand without a token: start a fresh chain instead
        from .models import Operation

        operation = Operation.objects.filter(id=operation_id, state=Operation.State.RUNNING).first()
        if operation is not None:
            services.operation_schedule_poll(operation=operation)
        return
    try:
        delay = services.operation_poll(operation_id=operation_id, token=token)
    except Transient as exc:
        if self.request.retries >= settings.OPERATIONS_POLL_MAX_RETRIES:
            services.operation_poll_failed(operation_id=operation_id, token=token, message=str(exc))
            return
        countdown = retry_delay(self.request.retries, cap=min(60.0, services.visibility_ceiling()))
        services.operation_note_poll_error(operation_id=operation_id, token=token, message=str(exc), retry_in=countdown)
        raise self.retry(countdown=countdown, exc=exc) from None
    except OperationalError as exc:  # e.g. SQLite busy beyond its timeout: try again, the row is unchanged
        if self.request.retries >= settings.OPERATIONS_POLL_MAX_RETRIES:
            logger.error("Database error polling operation %s, leaving it to the sweeper: %s", operation_id, exc)
            return
        raise self.retry(countdown=retry_delay(self.request.retries, cap=60.0), exc=exc) from None
    if delay is not None:
        operation_poll_task.apply_async((operation_id, token), countdown=delay)


@shared_task(acks_late=True, name="operations.tasks.operations_sweep_task")
def operations_sweep_task() -> dict:
    """Re-enqueue overdue polls and sync operations.list of the datasets the console has seen."""
    from .services import operations_sweep

    result = operations_sweep()
    if result["requeued"]:
        logger.info("Sweeper re-enqueued %s overdue operation polls", result["requeued"])
    return result


@shared_task(acks_late=True, name="operations.tasks.operations_sync_task")
def operations_sync_task(watched_id: int) -> int:
    """Sync operations.list of one dataset the console has just shown for the first time."""
    from .services import dataset_sync

    return dataset_sync(watched_id=watched_id)


@shared_task(bind=True, acks_late=True, max_retries=3, name="operations.tasks.operation_notify_task")
def operation_notify_task(self, operation_id: int) -> None:
    """Send the end-of-operation e-mail and webhook configured in settings."""
    from .notify import NotifyError, operation_notify

    try:
        operation_notify(operation_id=operation_id)
    except NotifyError as exc:
        raise self.retry(countdown=10 * 2**self.request.retries, exc=exc) from None
