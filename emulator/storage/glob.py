"""Cloud Storage's `matchGlob` grammar, compiled to a regular expression.

`*` any run of characters except `/`; `**` any run including `/` (`**/` also matches no folder at
all, so `a/**/b` matches `a/b`); `?` one character except `/`; `[abc]`, `[a-z]`, `[!abc]` one
character of (or not of) a set; `{x,y}` one of the comma-separated alternatives (which may hold
wildcards themselves); a backslash escapes the next character.
"""

import re
from functools import lru_cache

from emulator.wire import ApiError


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern:
    """Return a compiled regular expression matching exactly the names `pattern` matches."""
    regex, end = _translate(pattern, 0, in_braces=False)
    if end != len(pattern):
        raise ApiError(400, f"Invalid matchGlob {pattern!r}: unbalanced '}}'.")
    return re.compile(regex + r"\Z", re.DOTALL)


def _translate(pattern: str, i: int, *, in_braces: bool) -> tuple[str, int]:
    out: list[str] = []
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if in_braces and c in ",}":
            return "".join(out), i
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):  # `**/`: zero or more whole folders
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            i += 1
            if i >= n:
                raise ApiError(400, f"Invalid matchGlob {pattern!r}: trailing backslash.")
            out.append(re.escape(pattern[i]))
        elif c == "[":
            cls, i = _char_class(pattern, i)
            out.append(cls)
            continue
        elif c == "{":
            alternatives = []
            i += 1
            while True:
                alt, i = _translate(pattern, i, in_braces=True)
                alternatives.append(alt)
                if i >= n:
                    raise ApiError(400, f"Invalid matchGlob {pattern!r}: unclosed '{{'.")
                if pattern[i] == "}":
                    break
                i += 1  # the comma
            out.append("(?:" + "|".join(alternatives) + ")")
        else:
            out.append(re.escape(c))
        i += 1
    if in_braces:
        raise ApiError(400, f"Invalid matchGlob {pattern!r}: unclosed '{{'.")
    return "".join(out), i


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "^", "]") else i + 1)
    if end < 0:
        raise ApiError(400, f"Invalid matchGlob {pattern!r}: unclosed '['.")
    body = pattern[i + 1 : end]
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    body = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[").replace("]", "\\]")
    return ("[^" if negate else "[") + body + "]", end + 1


def literal_prefix(pattern: str) -> str:
    """Return the part of `pattern` before its first wildcard: listing can start there."""
    match = re.match(r"[^*?\[{\\]*", pattern)
    return match.group(0) if match else ""
