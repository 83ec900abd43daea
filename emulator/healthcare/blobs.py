"""Instance bytes on disk under EMULATOR_DATA_DIR/dicom, named by random keys (never by UIDs)."""

import os
import secrets
import tempfile
from pathlib import Path

from django.conf import settings


def blob_root() -> Path:
    return Path(settings.EMULATOR_DATA_DIR) / "dicom"


def blob_path(key: str) -> Path:
    if len(key) != 32 or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"invalid blob key {key!r}")
    return blob_root() / key[:2] / key


def blob_write(data: bytes) -> str:
    """Write `data` atomically (temp file + rename) and return its new random key."""
    key = secrets.token_hex(16)
    path = blob_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return key


def blob_open(key: str):
    return open(blob_path(key), "rb")  # noqa: SIM115 — the caller closes it


def blob_delete(key: str) -> None:
    blob_path(key).unlink(missing_ok=True)
