"""System checks of the console's configuration."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def google_credentials_check(app_configs, **kwargs):
    """Warn at startup when Google is used (no emulator) but no credentials can be found."""
    if settings.CLOUD_EMULATOR_URL:
        return []
    import google.auth
    import google.auth.exceptions

    from gcp.session import SCOPES

    try:
        google.auth.default(scopes=SCOPES)
    except google.auth.exceptions.DefaultCredentialsError as exc:
        return [Warning(
            "CLOUD_EMULATOR_URL is empty, so the console uses Google Cloud, but no credentials were found.",
            hint="Run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, attach a "
                 f"service account, or set CLOUD_EMULATOR_URL to use the local emulator. ({exc})",
            id="console.W001",
        )]
    return []
