import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ["DJANGO_SETTINGS_MODULE"] = "emulator.settings"
application = get_wsgi_application()
# Import every view module (pydicom, numpy, ...) now, so that no client waits for it on a first request.
_views = get_resolver().url_patterns
