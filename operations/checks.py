"""System checks of the operations settings."""

from django.conf import settings
from django.core import checks


@checks.register()
def check_polling_settings(app_configs, **kwargs):
    """Polls must stay well below the broker's visibility timeout, or a delayed task is delivered twice."""
    messages = []
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    visibility = float(options.get("visibility_timeout", 3600))
    steady = settings.OPERATIONS_POLL_STEADY_SECONDS
    if steady >= visibility / 2:
        messages.append(
            checks.Warning(
                f"OPERATIONS_POLL_STEADY_SECONDS={steady} is not far below the "
                f"broker's visibility_timeout ({visibility:.0f} s); polls are capped at half of it.",
                id="operations.W001",
            )
        )
    if settings.OPERATIONS_POLL_FIRST_SECONDS > settings.OPERATIONS_POLL_STEADY_SECONDS:
        messages.append(
            checks.Error(
                "OPERATIONS_POLL_FIRST_SECONDS must not exceed OPERATIONS_POLL_STEADY_SECONDS.",
                id="operations.E001",
            )
        )
    if "operations-sweep" not in getattr(settings, "CELERY_BEAT_SCHEDULE", {}):
        messages.append(
            checks.Warning(
                "The operations sweeper is not in CELERY_BEAT_SCHEDULE: lost polls would never be re-enqueued.",
                id="operations.W002",
            )
        )
    return messages
