"""Instance bytes on disk under EMULATOR_DATA_DIR/dicom, named by random keys (never by UIDs)."""

import os
import secrets
from pathlib import Path

from django.conf import settings


def blob_root() -> Path:
    return Path(settings.EMULATOR_DATA_DIR) / "dicom"


def blob_path(key: str) -> Path:
    if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"invalid blob key {key!r}")
    return blob_root() / key[:2] / key


_made_dirs: set[Path] = set()


def _parent(path: Path) -> Path:
    parent = path.parent
    if parent not in _made_dirs:  # one mkdir per folder and process, not one per write
        parent.mkdir(parents=True, exist_ok=True)
        _made_dirs.add(parent)
    return parent


def blob_write(data: bytes, *, source: str | None = None) -> str:
    """Store `data` atomically and return its new random key.

    `source`, when given, is a file holding exactly these bytes that nobody changes in place (a storage
    emulator blob): it is hard-linked instead of copied, falling back to writing `data` when linking fails
    (another filesystem, the file already gone).
    """
    key = secrets.token_hex(16)
    path = blob_path(key)
    parent = _parent(path)
    if source:
        try:
            os.link(source, path)
            return key
        except OSError:
            pass
    tmp = parent / f".tmp-{key}"  # the key is random already: no need for mkstemp's name search
    try:
        with open(tmp, "xb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return key


def blob_open(key: str):
    return open(blob_path(key), "rb")  # noqa: SIM115 — the caller closes it


def blob_delete(key: str) -> None:
    blob_path(key).unlink(missing_ok=True)
