"""The import URI rules of dicomStores.import (the emulator's own copy; the console has gcp/wildcards.py).

`gs://BUCKET/OBJECT`, wildcards in the object part only:
`*` = zero or more characters except `/`; `?` = exactly one character except `/`;
`**` = zero or more characters including `/`, only at the end of the path (optionally followed by an
extension such as `**.dcm`) and only as the sole wildcard. No wildcard: exactly that object.
"""

import re
from dataclasses import dataclass

_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")
_EXTENSION = re.compile(r"\.[^/*?]+")

RULES = (
    "wildcards are allowed in the object part only: '*' matches zero or more characters except '/', "
    "'?' exactly one character, and '**' zero or more characters including '/'; '**' must be at the end of "
    "the path (optionally followed by an extension such as '**.dcm') and be the only wildcard"
)


class InvalidUri(ValueError):
    """The URI breaks a rule; the message names it."""


@dataclass(frozen=True)
class GcsPattern:
    bucket: str
    pattern: str  # the object part as given
    prefix: str  # the literal part before the first wildcard: what to list
    regex: re.Pattern

    @property
    def has_wildcard(self) -> bool:
        return self.prefix != self.pattern

    def matches(self, name: str) -> bool:
        return self.regex.fullmatch(name) is not None


def gcs_pattern_parse(uri: str) -> GcsPattern:
    """Parse and check an import URI; raise InvalidUri naming the broken rule."""
    if not uri.startswith("gs://"):
        raise InvalidUri(f"Invalid gcsSource.uri {uri!r}: it must have the form gs://BUCKET/OBJECT.")
    bucket, slash, pattern = uri[len("gs://"):].partition("/")
    if not _BUCKET.fullmatch(bucket):
        reason = "the bucket part may not contain wildcards" if any(c in bucket for c in "*?") else (
            "the bucket name is not valid: 3 to 222 characters of a-z, 0-9, ., _ and -")
        raise InvalidUri(f"Invalid gcsSource.uri {uri!r}: {reason} ({RULES}).")
    if not slash or not pattern:
        raise InvalidUri(f"Invalid gcsSource.uri {uri!r}: an object path is required, e.g. gs://{bucket}/folder/*.dcm "
                         f"or gs://{bucket}/**.dcm.")
    if "**" in pattern:
        head, _, tail = pattern.partition("**")
        if "*" in head or "?" in head or (tail and not _EXTENSION.fullmatch(tail)):
            raise InvalidUri(f"Invalid gcsSource.uri {uri!r}: '**' must be at the end of the path (optionally "
                             "followed by an extension such as '**.dcm') and be the only wildcard.")
        regex = re.escape(head) + ".*" + re.escape(tail)
        return GcsPattern(bucket, pattern, head, re.compile(regex, re.DOTALL))
    first = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    regex = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in pattern)
    return GcsPattern(bucket, pattern, pattern[:first], re.compile(regex, re.DOTALL))
