"""Template helpers of the operations pages.

Status icons, status words and progress bars are built in Python rather than with `{% include %}`:
the list renders them for every row, and includes cost most of the page's server time.
"""

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_SVG = (
    '<svg class="op-icon op-icon-{kind}" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" '
    'data-testid="icon-{kind}"><path fill="currentColor" d="{path}"/></svg>'
)
ICONS = {
    "ok": _SVG.format(
        kind="ok", path="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-2 15-5-5 1.41-1.41L10 14.17l7.59-7.59L19 8l-9 9z"
    ),
    "error": _SVG.format(
        kind="error",
        path="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-2h2v2zm0-4h-2V7h2v6z",
    ),
    "stopped": _SVG.format(
        kind="stopped", path="M12 2C6.48 2 2 6.48 2 12s4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm5 11H7v-2h10v2z"
    ),
    "running": '<span class="op-spinner" aria-hidden="true" data-testid="icon-running"></span>',
}
ERROR_STATES = {"succeeded", "succeeded_with_failures", "failed"}


def icon_for(op) -> str:
    """Return the icon name of an operation: ok only for a clean success, error for any failure."""
    if op.state == "running":
        return "running"
    if op.state == "succeeded" and not op.failure_count:
        return "ok"
    if op.state in ERROR_STATES:
        return "error"
    return "stopped"


@register.simple_tag
def op_icon(name: str):
    return mark_safe(ICONS[name])  # noqa: S308 — constant markup, no data in it


@register.simple_tag
def op_status(op):
    """Return the status icon and word: spinner + Running, green check + OK, red icon + N failed …"""
    icon = icon_for(op)
    if icon == "running":
        word, css = _("Running"), ""
    elif icon == "ok":
        word, css = _("OK"), "status-ok"
    elif icon == "error":
        count = op.failure_count
        word = ngettext("%(count)s failed", "%(count)s failed", count) % {"count": count} if count else _("Failed")
        css = "status-error"
    else:
        word, css = op.get_state_display(), "muted"
    return format_html(
        '<span class="op-status op-status-{}" data-state="{}" title="{}">{}<span class="{}">{}</span></span>',
        op.state,
        op.state,
        op.get_state_display(),
        mark_safe(ICONS[icon]),  # noqa: S308 — constant markup
        css,
        word,
    )


@register.simple_tag
def op_progress(op):
    """Return the progress bar: succeeded share in green, failed share in red; aria-valuenow = % finished."""
    return format_html(
        '<div class="op-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{}" '
        'data-testid="progress"><span class="op-progress-success" style="width: {}%"></span>'
        '<span class="op-progress-failure" style="width: {}%"></span></div>',
        str(op.progress_percent),
        repr(op.success_percent),
        repr(op.failure_percent),
    )


@register.filter
def duration(value: timedelta | None) -> str:
    """Format a timedelta briefly: "2 h 5 min", "3 min 4 s", "12 s"."""
    if value is None:
        return "—"
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": secs}
    return _("%(s)d s") % {"s": secs}


# The stored request keys, shown under the API's own field names (what gcloud and the REST docs call them).
API_FIELDS = {
    "gcs_uri": "gcsSource.uri",
    "storage_class": "blobStorageSettings.blobStorageClass",
    "uri_prefix": "gcsDestination.uriPrefix",
    "mime_type": "gcsDestination.mimeType",
    "filter_uri": "filterConfig.resourcePathsGcsUri",
}


@register.filter
def api_field(key: str) -> str:
    """Name a stored request parameter as the API's request body does; unknown keys as they are."""
    return API_FIELDS.get(key, key)
