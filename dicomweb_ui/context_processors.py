import re

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Left navigation: (label, URL name, pattern of the paths it is the active entry for).
# Entries whose URL is not installed are left out.
NAVIGATION = [
    (_("Datasets"), "console-datasets", re.compile(r"^/(datasets/|projects/(?!.*/operations(/|$)))")),
    (_("Operations"), "operations-list", re.compile(r"^/(operations/|projects/.*/operations(/|$))")),
]


def frame(request):
    """Return what the Console-like frame needs: navigation and the backend in use."""
    items = []
    for label, name, active in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": bool(active.match(request.path))})
    return {"navigation": items, "using_emulator": bool(settings.CLOUD_EMULATOR_URL)}
