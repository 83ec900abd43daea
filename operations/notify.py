"""Tell people an operation ended: e-mail (Django mail settings) and/or a webhook, both optional."""

import logging

import requests
from django.conf import settings
from django.core.mail import send_mail

from .models import Operation

logger = logging.getLogger(__name__)


class NotifyError(Exception):
    """A webhook call failed in a way worth retrying."""


def operation_link(operation: Operation) -> str:
    return f"{settings.SITE_URL}{operation.get_absolute_url()}"


def operation_summary(operation: Operation) -> dict:
    """Return the JSON body of the webhook: outcome, counters and a link."""
    return {
        "name": operation.name,
        "kind": operation.kind,
        "state": operation.state,
        "ok": operation.is_ok,
        "store": operation.store_name,
        "uri": operation.uri,
        "success": operation.success_count,
        "failure": operation.failure_count,
        "error": {"code": operation.error_code, "message": operation.error_message}
        if operation.error_message
        else None,
        "createTime": operation.create_time.isoformat() if operation.create_time else None,
        "endTime": operation.end_time.isoformat() if operation.end_time else None,
        "url": operation_link(operation),
    }


def _recipients(operation: Operation) -> list[str]:
    recipients = list(settings.OPERATIONS_NOTIFY_EMAILS)
    if settings.OPERATIONS_NOTIFY_STARTER and operation.started_by and operation.started_by.email:
        recipients.append(operation.started_by.email)
    return sorted(set(recipients))


def operation_notify(*, operation_id: int) -> None:
    """Send the configured notifications for an ended operation."""
    operation = Operation.objects.select_related("started_by").get(id=operation_id)
    if operation.is_running:
        return
    summary = operation_summary(operation)
    recipients = _recipients(operation)
    if recipients:
        outcome = "OK" if operation.is_ok else operation.get_state_display()
        subject = f"[DICOM console] {operation.get_kind_display()} {operation.operation_id}: {outcome}"
        body = (
            f"{operation.get_kind_display()} {operation.name}\n"
            f"Store: {operation.store_name or '-'}\nURI: {operation.uri or '-'}\n"
            f"Outcome: {outcome}\nSucceeded: {operation.success_count}  Failed: {operation.failure_count}\n"
            + (f"Error: {operation.error_message}\n" if operation.error_message else "")
            + f"\n{summary['url']}\n"
        )
        send_mail(subject, body, None, recipients, fail_silently=False)
    if settings.OPERATIONS_WEBHOOK_URL:
        try:
            response = requests.post(settings.OPERATIONS_WEBHOOK_URL, json=summary, timeout=10)
        except requests.RequestException as exc:
            raise NotifyError(f"Webhook failed: {exc}") from None
        if response.status_code >= 500 or response.status_code == 429:
            raise NotifyError(f"Webhook answered HTTP {response.status_code}")
        if response.status_code >= 400:
            logger.warning("Webhook refused the notification of %s: HTTP %s", operation.name, response.status_code)
