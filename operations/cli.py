"""Helpers shared by the management commands: progress lines, --wait, finding an operation."""

import time

from django.core.management.base import CommandError

from gcp import errors as gcp_errors

from . import services
from .models import Operation


def progress_line(operation: Operation) -> str:
    """Return one line describing where the operation stands."""
    outcome = "OK" if operation.is_ok else operation.get_state_display()
    line = (
        f"{operation.operation_id} {outcome}: {operation.success_count} succeeded, "
        f"{operation.failure_count} failed, {operation.pending_count} pending"
    )
    if operation.is_running:
        line += f" ({operation.progress_percent}%)"
    if operation.error_message and not operation.is_running:
        line += f" — {operation.error_message}"
    return line


def wait(operation: Operation, *, write, interval: float = 2.0, timeout: float = 0) -> Operation:
    """Poll the operation until it ends, writing a progress line whenever it changes."""
    started = time.monotonic()
    last = ""
    while True:
        try:
            operation = services.operation_refresh(operation=operation)
        except gcp_errors.Transient as exc:
            write(f"(poll failed, retrying: {exc})")
        line = progress_line(operation)
        if line != last:
            write(line)
            last = line
        if not operation.is_running:
            return operation
        if timeout and time.monotonic() - started > timeout:
            raise CommandError(f"Still running after {timeout:.0f} s: {operation.name}", returncode=3)
        time.sleep(interval)


def exit_for(operation: Operation) -> None:
    """Raise CommandError (non-zero exit) unless the operation ended cleanly or still runs."""
    if operation.is_running or operation.is_ok:
        return
    raise CommandError(progress_line(operation), returncode=2 if operation.success_count else 1)


def find(name_or_id: str) -> Operation:
    """Return the operation with this full name or operation ID; read an unknown full name from the API."""
    if "/" in name_or_id:
        try:
            return services.operation_lookup(name=name_or_id)
        except gcp_errors.ApiError as exc:
            raise CommandError(f"{name_or_id}: {exc}") from None
    matches = list(Operation.objects.filter(operation_id=name_or_id)[:2])
    if not matches:
        raise CommandError(f"No operation with ID {name_or_id} is known; give the full name to read it from the API.")
    if len(matches) > 1:
        raise CommandError(f"Several operations have ID {name_or_id}; give the full name.")
    return matches[0]


def resolve_user(username: str):
    """Return the user recorded as starter (None when no username is given)."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user {username!r}.") from None
