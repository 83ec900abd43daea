from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Left navigation: (label, URL name). Entries whose URL is not installed are left out.
NAVIGATION = [
    (_("Datasets"), "console-datasets"),
    (_("Operations"), "operations-list"),
]


def frame(request):
    """Return what the Console-like frame needs: navigation and the backend in use."""
    items = []
    for label, name in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"navigation": items, "using_emulator": bool(settings.CLOUD_EMULATOR_URL)}
