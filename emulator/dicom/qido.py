"""QIDO-RS query parsing and attribute matching (PS3.18 8.3.4, PS3.4 C.2.2.2), on DICOM JSON values.

Pure functions: no database. The healthcare app translates the indexed attributes into SQL and uses
`value_matches` for the rest.
"""

import re
from dataclasses import dataclass, field

from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword

from emulator.wire import ApiError

# Query parameters that are not attribute matches.
CONTROL_PARAMS = {"limit", "offset", "fuzzymatching", "includefield"}
GLOBAL_PARAMS = {"alt", "fields", "prettyPrint", "key", "access_token", "oauth_token", "quotaUser", "$.xgafv",
                 "callback", "upload_protocol", "uploadType"}
LEVELS = ("study", "series", "instance")
# Healthcare API maxima (spec §6); the defaults are the emulator's choice.
MAX_LIMIT = {"study": 5000, "series": 5000, "instance": 50000}
DEFAULT_LIMIT = {"study": 100, "series": 100, "instance": 100}
MAX_OFFSET = 1_000_000


def tag_hex(tag: int) -> str:
    return f"{tag:08X}"


def tag_resolve(name: str) -> int:
    """Return the tag for a keyword (`PatientName`) or hex tag (`00100010`, `0010,0010`); 400 otherwise."""
    text = name.strip().replace(",", "")
    if re.fullmatch(r"[0-9A-Fa-f]{8}", text):
        return int(text, 16)
    tag = tag_for_keyword(name.strip())
    if tag is None:
        raise ApiError(400, f"invalid QIDO-RS query parameter {name!r}: not a DICOM attribute keyword or tag")
    return tag


def tag_vr(tag: int) -> str:
    try:
        return dictionary_VR(tag)
    except KeyError:
        return "UN"


@dataclass
class Query:
    level: str
    matches: dict[int, str] = field(default_factory=dict)  # tag -> query value
    includefields: set[int] = field(default_factory=set)
    include_all: bool = False
    limit: int = 100
    offset: int = 0
    fuzzy: bool = False


def _int_param(name: str, value: str, maximum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"invalid QIDO-RS query parameter {name}={value!r}: not an integer") from None
    if number < 0:
        raise ApiError(400, f"invalid QIDO-RS query parameter {name}={value!r}: must not be negative")
    return min(number, maximum)


def query_parse(params, level: str) -> Query:
    """Parse a QueryDict (or a dict of lists) of QIDO-RS parameters for `level`."""
    query = Query(level=level, limit=DEFAULT_LIMIT[level])
    for name in params:
        values = params.getlist(name) if hasattr(params, "getlist") else list(params[name])
        if name in GLOBAL_PARAMS:
            continue
        if name == "limit":
            query.limit = _int_param(name, values[-1], MAX_LIMIT[level])
        elif name == "offset":
            query.offset = _int_param(name, values[-1], MAX_OFFSET)
        elif name == "fuzzymatching":
            query.fuzzy = values[-1].lower() == "true"
        elif name == "includefield":
            for value in values:
                for item in value.split(","):
                    if item.strip() == "all":
                        query.include_all = True
                    elif item.strip():
                        query.includefields.add(tag_resolve(item))
        else:
            if "." in name:
                raise ApiError(400, f"invalid QIDO-RS query parameter {name!r}: sequence matching is not supported")
            query.matches[tag_resolve(name)] = values[-1]
    return query


MAX_WILDCARD_STARS = 8


def wildcard_regex(pattern: str) -> str:
    """Translate DICOM wildcards (`*` any run, `?` one character) into an anchored regular expression."""
    pattern = re.sub(r"\*+", "*", pattern)
    if pattern.count("*") > MAX_WILDCARD_STARS:
        # Many `.*` make backtracking regular expressions slow; no real query needs that many.
        raise ApiError(400, f"invalid QIDO-RS match {pattern!r}: at most {MAX_WILDCARD_STARS} '*' wildcards")
    parts = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return "^" + "".join(parts) + "$"


def has_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def uid_list(value: str) -> list[str]:
    return [uid.strip() for uid in re.split(r"[,\\]", value) if uid.strip()]


def range_bounds(value: str) -> tuple[str, str] | None:
    """Return (low, high) for a range `A-B`, `-B`, `A-` (either may be ""); None when not a range."""
    if "-" not in value:
        return None
    low, _, high = value.partition("-")
    return low.strip(), high.strip()


def json_values(element: dict | None) -> list[str]:
    """Return the values of a DICOM JSON element as strings (PN as its Alphabetic group)."""
    if not element:
        return []
    values = []
    for value in element.get("Value", []):
        if isinstance(value, dict):
            values.append(str(value.get("Alphabetic", "")))
        elif isinstance(value, float) and value.is_integer():
            values.append(str(int(value)))
        else:
            values.append(str(value))
    return values


def _in_range(value: str, low: str, high: str, vr: str) -> bool:
    if vr == "TM":  # compare times as HHMMSS.ffffff strings of equal precision
        value, low, high = value.split(".")[0].ljust(6, "0"), low.split(".")[0].ljust(6, "0") if low else "", (
            high.split(".")[0].ljust(6, "9") if high else "")
    return (not low or value >= low) and (not high or value[: len(high)] <= high)


def value_matches(vr: str, query: str, values: list[str], *, fuzzy: bool = False) -> bool:
    """Return whether the attribute values match the QIDO query value (any value matching is enough)."""
    if query == "" or query == "*":
        return True  # universal matching
    if vr == "UI":
        wanted = set(uid_list(query))
        return any(v in wanted for v in values)
    if vr in ("DA", "TM", "DT"):
        bounds = range_bounds(query)
        if bounds is not None:
            return any(v and _in_range(v, bounds[0], bounds[1], vr) for v in values)
    if vr == "PN":
        if fuzzy and not has_wildcard(query):
            # Fuzzy: the query is a prefix of any name component, case-insensitive.
            needle = query.lower()
            return any(part.startswith(needle) for v in values for part in re.split(r"[\^= ]", v.lower()))
        pattern = re.compile(wildcard_regex(query), re.IGNORECASE)
        return any(pattern.match(v) for v in values)
    if vr in ("IS", "DS", "US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"):
        try:
            return any(float(v) == float(query) for v in values)
        except ValueError:
            return False
    if has_wildcard(query):
        pattern = re.compile(wildcard_regex(query))
        return any(pattern.match(v) for v in values)
    return query in values


def element_for(tag: int, values: list, vr: str | None = None) -> dict:
    """Return a DICOM JSON element; PN strings become {"Alphabetic": ...}."""
    vr = vr or tag_vr(tag)
    if not values:
        return {"vr": vr}
    if vr == "PN":
        values = [{"Alphabetic": v} for v in values]
    return {"vr": vr, "Value": values}


def keyword(tag: int) -> str:
    return keyword_for_tag(tag) or tag_hex(tag)
