"""Settings of the emulator process: the project's settings with the emulator's URLconf and middleware.

Google's clients send no CSRF token and no session; the emulator, like Google's own emulators,
ignores authentication altogether.
"""

import os

from dicomweb_ui.settings import *  # noqa: F403
from dicomweb_ui.settings import INSTALLED_APPS

ROOT_URLCONF = "emulator.urls"
MIDDLEWARE = [
    "emulator.wire.ApiErrorMiddleware",
]
INSTALLED_APPS = [app for app in INSTALLED_APPS if app not in ("django.contrib.admin", "django.contrib.messages")]
APPEND_SLASH = False
DATA_UPLOAD_MAX_MEMORY_SIZE = None  # uploads of any size (resumable chunks, STOW bodies)
FILE_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024

if os.environ.get("EMULATOR_CONTRACT_LOG"):
    # The test suite checks every JSON response against the discovery documents (emulator/contract.py).
    MIDDLEWARE.insert(0, "emulator.contract.ContractCheckMiddleware")

# Keep each server thread's database connection: opening a SQLite connection costs about 0.5 ms,
# a large share of a 100 KB upload (storage helper, #3).
DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
