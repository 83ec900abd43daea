"""The small list-filter grammar the emulator accepts (operations.list, entries:list).

A filter is one or more comparisons joined by `AND` (or plain whitespace, as in Cloud Logging):
`field OP value`, OP one of `=`, `!=`, `>=`, `<=`, `>`, `<`, `:`; the value is a double-quoted string
(backslash escapes) or a bare word. `OR`, `NOT` and parentheses are rejected with a clear message.
"""

import re
from dataclasses import dataclass

from emulator.wire import ApiError

_TERM = re.compile(
    r"\s*(?P<field>[A-Za-z_][A-Za-z0-9_.]*)\s*(?P<op>>=|<=|!=|=|>|<|:)\s*"
    r"(?P<value>\"(?:[^\"\\]|\\.)*\"|[^\s()\"]+)\s*"
)
_AND = re.compile(r"\s*AND\s+|\s*AND$")


@dataclass(frozen=True)
class Term:
    field: str
    op: str
    value: str


def filter_parse(text: str, *, allowed: set[str] | None = None, prefixes: tuple[str, ...] = ()) -> list[Term]:
    """Parse `text` into AND-joined terms; raise ApiError(400) naming what is wrong."""
    terms: list[Term] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        match = _TERM.match(text, pos)
        if not match:
            raise ApiError(400, f"Invalid filter {text!r}: expected `field OP value` at position {pos + 1} "
                           "(supported: comparisons joined by AND).")
        field, value = match["field"], match["value"]
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        if allowed is not None and field not in allowed and not field.startswith(prefixes):
            raise ApiError(400, f"Invalid filter: unsupported field {field!r}; supported: "
                           f"{', '.join(sorted(allowed) + [p + '*' for p in prefixes])}.")
        terms.append(Term(field, match["op"], value))
        pos = match.end()
        joiner = _AND.match(text, pos)
        if joiner:
            pos = joiner.end()
            if pos >= len(text):
                raise ApiError(400, f"Invalid filter {text!r}: AND at the end.")
        elif pos < len(text) and text[pos:].split()[0] in ("OR", "NOT"):
            raise ApiError(400, f"Invalid filter {text!r}: OR and NOT are not supported by the emulator.")
    return terms


def parse_bool(term: Term) -> bool:
    value = term.value.lower()
    if value not in ("true", "false") or term.op not in ("=", "!="):
        raise ApiError(400, f"Invalid filter: {term.field} takes `=true` or `=false`, not {term.op}{term.value}.")
    return (value == "true") == (term.op == "=")
