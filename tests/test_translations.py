"""Every string the console marks for translation has a German translation in one of the catalogs.

`makemessages` runs on a copy of the sources (the work tree stays untouched) and every message it
finds must be translated, non-fuzzy, by some committed catalog: Django merges the project's and the
apps' catalogs at run time, so a string may live in any of them.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("manage.py", "dicomweb_ui", "console", "operations", "gcp", "emulator", "templates", "locale")


def _catalogs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("de/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def _key(entry: polib.POEntry) -> tuple:
    return entry.msgctxt, entry.msgid, entry.msgid_plural


def _translated(entry: polib.POEntry) -> bool:
    if entry.obsolete or "fuzzy" in entry.flags:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list[polib.POEntry]:
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing: `make test` installs Debian's gettext")
        pytest.skip("gettext is not installed")
    copy = tmp_path_factory.mktemp("messages")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, copy / name)
    for app in (".", "console", "operations"):  # each app with a locale/ folder keeps its own catalog
        result = subprocess.run(
            [sys.executable, str(copy / "manage.py"), "makemessages", "-l", "de", "--no-obsolete", "-v", "0",
             "--ignore", "emulator"],  # the emulator speaks Google's English, like Google
            cwd=copy / app, capture_output=True, text=True,
        )
        assert result.returncode == 0, result.stderr
    return [entry for po in _catalogs(copy) for entry in polib.pofile(str(po))]


def test_makemessages_finds_the_console_strings(extracted):
    ids = {entry.msgid for entry in extracted}

    assert {"Import", "Export", "Override Cloud Storage path", "Storage class", "Operations"} <= ids
    assert "View details in Cloud Logging" in ids


def test_every_marked_string_has_a_german_translation(extracted):
    committed = {_key(e) for po in _catalogs(ROOT) for e in polib.pofile(str(po)) if _translated(e)}

    missing = sorted({f"{e.msgctxt + ' | ' if e.msgctxt else ''}{e.msgid}" for e in extracted
                      if _key(e) not in committed})

    assert missing == [], "add German translations (then `make messages`) for: " + "; ".join(missing)
