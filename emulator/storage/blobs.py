"""Object bytes on disk: files named by a random key, never by the object name.

A write streams into a temp file in the same directory (computing MD5 and CRC32C on the way) and is
published with `os.replace`, so a reader sees either no file or the whole file.
"""

import base64
import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import google_crc32c
from django.conf import settings

CHUNK = 1024 * 1024


@dataclass
class BlobInfo:
    key: str
    size: int
    md5: str  # base64
    crc32c: str  # base64


def objects_dir() -> Path:
    return settings.EMULATOR_DATA_DIR / "objects"


def uploads_dir() -> Path:
    return settings.EMULATOR_DATA_DIR / "uploads"


def blob_path(key: str) -> Path:
    if not key.isalnum():  # keys are ours (hex); refuse anything else rather than build a path from it
        raise ValueError(f"invalid blob key {key!r}")
    return objects_dir() / key[:2] / key


def upload_path(upload_id: str) -> Path:
    if not upload_id.isalnum():
        raise ValueError("invalid upload id")
    return uploads_dir() / upload_id


def encode_crc32c(value: int) -> str:
    return base64.b64encode(value.to_bytes(4, "big")).decode()


def _chunks(data: bytes | BinaryIO | Iterable[bytes]) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
    elif hasattr(data, "read"):
        while chunk := data.read(CHUNK):
            yield chunk
    else:
        yield from data


def blob_write(data: bytes | BinaryIO | Iterable[bytes]) -> BlobInfo:
    """Store `data` under a fresh random key and return its key, size and checksums."""
    key = secrets.token_hex(16)
    final = blob_path(key)
    md5 = hashlib.md5()  # noqa: S324 — Cloud Storage's md5Hash, not a security use
    crc = 0
    size = 0
    tmp = final.parent / f".tmp-{key}"  # the key is random already: no need for mkstemp's name search
    fd = _create(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(data):
                out.write(chunk)
                md5.update(chunk)
                crc = google_crc32c.extend(crc, chunk)
                size += len(chunk)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return BlobInfo(key=key, size=size, md5=base64.b64encode(md5.digest()).decode(), crc32c=encode_crc32c(crc))


def _create(path: Path) -> int:
    """Create `path` exclusively (its fan-out directory too, the first time) and return the descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        return os.open(path, flags, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o600)


def blob_adopt(path: Path) -> BlobInfo:
    """Move a finished upload file into the object store (one rename), computing its checksums."""
    with open(path, "rb") as src:
        md5 = hashlib.md5()  # noqa: S324 — Cloud Storage's md5Hash
        crc = 0
        size = 0
        while chunk := src.read(CHUNK):
            md5.update(chunk)
            crc = google_crc32c.extend(crc, chunk)
            size += len(chunk)
    key = secrets.token_hex(16)
    final = blob_path(key)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, final)
    return BlobInfo(key=key, size=size, md5=base64.b64encode(md5.digest()).decode(), crc32c=encode_crc32c(crc))


def blob_clone(key: str) -> str:
    """Return a new key holding the same bytes (a hard link: blob files are never changed in place)."""
    new_key = secrets.token_hex(16)
    target = blob_path(new_key)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(blob_path(key), target)
    except OSError:
        with blob_open(key) as src:
            return blob_write(src).key
    return new_key


def blob_open(key: str) -> BinaryIO:
    return open(blob_path(key), "rb")  # noqa: SIM115 — the caller closes it


def blob_delete(key: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(blob_path(key))

