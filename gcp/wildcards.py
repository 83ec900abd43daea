"""The import URI rules of dicomStores.import (`gcsSource.uri`), checked before anything is sent.

`gs://{bucket}/{object}`, wildcards only in the object part:
  `*`  0+ characters, not crossing `/`;
  `**` 0+ characters including `/`; only at the end of the path, the only wildcard in it, optionally
       followed by an extension (`dir/**.dcm`);
  `?`  exactly one character (not `/`).
The console also accepts `bucket/path` without the scheme. This is the dashboard's own copy of the rules:
the emulator has its own, and neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
WILDCARD_CHARS = "*?"


class WildcardError(ValueError):
    """A URI that breaks one of the rules; the message names the rule."""


@dataclass(frozen=True)
class ImportUri:
    bucket: str
    pattern: str  # the object part, with wildcards

    @property
    def uri(self) -> str:
        return f"gs://{self.bucket}/{self.pattern}"

    @property
    def prefix(self) -> str:
        return literal_prefix(self.pattern)

    @property
    def has_wildcards(self) -> bool:
        return any(ch in self.pattern for ch in WILDCARD_CHARS)


def split_uri(text: str) -> tuple[str, str]:
    """Split `gs://bucket/path` or `bucket/path` into (bucket, path)."""
    text = text.strip()
    if not text:
        raise WildcardError(_("Enter a Cloud Storage path such as gs://bucket/folder/**.dcm."))
    if "://" in text:
        scheme, _sep, rest = text.partition("://")
        if scheme != "gs":
            raise WildcardError(_("The path must start with gs:// (or with the bucket name)."))
        text = rest
    bucket, _sep, path = text.partition("/")
    return bucket, path


def check_bucket(bucket: str) -> str:
    """Return the bucket name, or raise WildcardError when it is not a valid one."""
    if any(ch in bucket for ch in WILDCARD_CHARS):
        raise WildcardError(_("Wildcards are only allowed in the object path, not in the bucket name."))
    if not BUCKET_RE.match(bucket) or ".." in bucket:
        raise WildcardError(
            _("“%(bucket)s” is not a valid bucket name: use 3–63 lowercase letters, digits, dashes, "
              "underscores and dots, starting and ending with a letter or digit.") % {"bucket": bucket}
        )
    return bucket


def check_import_uri(text: str) -> ImportUri:
    """Return the parsed import URI, or raise WildcardError naming the rule it breaks."""
    bucket, pattern = split_uri(text)
    if not pattern:
        check_bucket(bucket)
        raise WildcardError(
            _("Add the objects to import after the bucket name, e.g. gs://%(bucket)s/folder/**.dcm.")
            % {"bucket": bucket}
        )
    if "\n" in pattern or "\r" in pattern:
        raise WildcardError(_("The path must not contain line breaks."))
    if len(pattern.encode()) > 1024:
        raise WildcardError(_("Object names are at most 1024 bytes long."))
    if "***" in pattern:
        raise WildcardError(_("Use * or **, not three or more * in a row."))
    if "**" in pattern:
        head, _sep, tail = pattern.partition("**")
        if "/" in tail:
            raise WildcardError(
                _("** must be at the end of the path (it may only be followed by a file extension such as .dcm).")
            )
        if any(ch in head + tail for ch in WILDCARD_CHARS):
            raise WildcardError(_("** must be the only wildcard in the path: remove the other * and ?."))
        if tail and not tail.startswith("."):
            raise WildcardError(_("** may only be followed by a file extension that starts with a dot, such as .dcm."))
    # The object rules first: they are what people get wrong; then the bucket name.
    return ImportUri(check_bucket(bucket), pattern)


def to_regex(pattern: str) -> re.Pattern:
    """Return a regular expression matching whole object names against a checked pattern."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def matcher(pattern: str) -> Callable[[str], bool]:
    """Return a function telling whether an object name matches the pattern."""
    regex = to_regex(pattern)
    return lambda name: regex.fullmatch(name) is not None


def literal_prefix(pattern: str) -> str:
    """Return the part before the first wildcard: the prefix to list objects with."""
    for index, ch in enumerate(pattern):
        if ch in WILDCARD_CHARS:
            return pattern[:index]
    return pattern
