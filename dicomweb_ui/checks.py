"""System checks for configuration that settings.py cannot judge on its own."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_emulator_in_production(app_configs, **kwargs):
    """Warn when a production deployment still points at the local emulator."""
    if settings.DEBUG or not settings.CLOUD_EMULATOR_URL:
        return []
    return [
        Warning(
            "CLOUD_EMULATOR_URL is set while DEBUG is off: the console talks to the local emulator, "
            "not to Google Cloud.",
            hint="Set CLOUD_EMULATOR_URL= (empty) to use Google Cloud with Application Default Credentials.",
            id="dicomweb_ui.W001",
        )
    ]
