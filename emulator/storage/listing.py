"""objects.list and buckets.list pages: keyset pagination with opaque page tokens.

A page token encodes where the next page starts (the last name returned, or the first name after
a collapsed prefix), so every page is one or a few indexed range queries whatever the bucket size.
"""

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from emulator.wire import ApiError

from .glob import compile_glob, literal_prefix
from .models import Bucket
from .queries import ObjectRow, object_rows
from .service import successor

BATCH = 1000
SKIP_IN_PLACE = 32  # rows under an already-listed prefix skipped in place before jumping past it
SCAN_LIMIT = 100_000  # rows examined per request when matchGlob rejects most of them; the token resumes


@dataclass
class ObjectPage:
    items: list[ObjectRow] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    next_page_token: str = ""


def encode_token(start: str, inclusive: bool) -> str:
    raw = json.dumps([start, inclusive], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> tuple[str, bool]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        start, inclusive = json.loads(raw)
        if isinstance(start, str) and isinstance(inclusive, bool):
            return start, inclusive
    except (ValueError, TypeError):
        pass
    raise ApiError(400, "Invalid pageToken.")


def parse_max_results(value: str | None, default: int = 1000) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"Invalid value for maxResults: {value!r}") from None
    if number < 0:
        raise ApiError(400, f"Invalid value for maxResults: {value!r}")
    return min(number or default, 1000)


def object_list_page(bucket: Bucket, *, prefix: str = "", delimiter: str = "", match_glob: str = "",
                     start_offset: str = "", end_offset: str = "", include_trailing_delimiter: bool = False,
                     max_results: int = 1000, page_token: str = "") -> ObjectPage:
    """Return one page of objects.list: items and prefixes together at most `max_results`."""
    glob = compile_glob(match_glob) if match_glob else None
    low = max(prefix, start_offset, literal_prefix(match_glob) if match_glob else "")
    start, inclusive = decode_token(page_token) if page_token else (low, True)
    if start < low:
        start, inclusive = low, True
    bounds = [b for b in (successor(prefix) if prefix else "", end_offset,
                          successor(literal_prefix(match_glob)) if match_glob and literal_prefix(match_glob) else "")
              if b]
    stop = min(bounds) if bounds else ""
    page = ObjectPage()
    count = scanned = 0
    batch = min(BATCH, max_results + 1)
    while True:
        skip_prefix, skipped, restart = "", 0, False
        for obj in _scan(bucket.pk, start=start, inclusive=inclusive, stop=stop, batch=batch):
            scanned += 1
            if skip_prefix and obj.name.startswith(skip_prefix):
                skipped += 1
                if skipped > SKIP_IN_PLACE:
                    restart = True  # a big folder: jump past it with a fresh range query
                    break
                continue
            skip_prefix, skipped = "", 0
            if count >= max_results or scanned > SCAN_LIMIT:
                page.next_page_token = encode_token(obj.name, True)
                return page
            if glob and not glob.match(obj.name):
                continue
            folder = _folder(obj.name, prefix, delimiter)
            if folder:
                page.prefixes.append(folder)
                count += 1
                if include_trailing_delimiter and obj.name == folder:
                    page.items.append(obj)
                    count += 1
                skip_prefix = folder
                continue
            page.items.append(obj)
            count += 1
        if not restart:
            return page
        start, inclusive = successor(skip_prefix), True


def _folder(name: str, prefix: str, delimiter: str) -> str:
    if not delimiter:
        return ""
    cut = name.find(delimiter, len(prefix))
    return name[: cut + len(delimiter)] if cut >= 0 else ""


def _scan(bucket_id: int, *, start: str, inclusive: bool, stop: str, batch: int) -> Iterator[ObjectRow]:
    while True:
        rows = object_rows(bucket_id, start=start, inclusive=inclusive, stop=stop, limit=batch)
        yield from rows
        if len(rows) < batch:
            return
        start, inclusive = rows[-1].name, False
