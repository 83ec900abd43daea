"""DICOM JSON (PS3.18 F.2) of a freshly read dataset, fast, identical to pydicom's `to_json_dict`.

pydicom converts each raw element into a DataElement, stores it back into the dataset and only then
serialises it: about 50 µs per element, 6–12 ms for a typical header. Most header elements are plain
ASCII strings, decimal strings or little binary numbers; this module decodes those straight from the raw
bytes (a few µs each) with exactly pydicom's rules (padding stripped the same way per VR, `\\` splitting,
IS/DS as numbers, small binary values inline as base64, large ones left out). Every element it is not
certain about — sequences, person names, non-ASCII or ISO 2022 text, implicit-VR private or ambiguous
tags, UN, unusual numbers, big-endian data, non-default pydicom settings — goes through pydicom itself, so
the output is always the one pydicom would give (`tests/emulator/healthcare/test_dicomjson.py` compares
both on every bundled test file).
"""

import base64
import re
import struct
from collections.abc import Callable

import pydicom
from pydicom import config
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import RawDataElement

# Strings decoded with the default encoding (and split/stripped as pydicom's convert_string does).
_PLAIN_VRS = {"AS", "CS", "DA", "DT", "TM"}
_TEXT_VRS = {"SH", "LO", "UC"}  # convert_text: split, each value right-stripped of NUL and space
_SINGLE_TEXT_VRS = {"ST", "LT", "UT"}  # convert_single_string: never split
_NUMBER_FORMATS = {"US": "H", "UL": "L", "SS": "h", "SL": "l", "FL": "f", "FD": "d", "SV": "q", "UV": "Q"}
_FLOAT_BINARY = {"FL", "FD"}
_BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW"}
# pydicom changes these values after conversion (LUT descriptors); leave them to pydicom.
_SPECIAL_TAGS = {0x00281101, 0x00281102, 0x00281103, 0x00283002}
_DS_ITEM = r" *[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)? *"
_DS_LIST = re.compile(rf"{_DS_ITEM}(?:\\{_DS_ITEM})*")
_IS_ITEM = r" *[+-]?\d+ *"
_IS_LIST = re.compile(rf"{_IS_ITEM}(?:\\{_IS_ITEM})*")
_PIXEL_DATA = 0x7FE00010
_DROP = object()  # the element is bulk data: left out


class _Slow(Exception):
    """This element needs pydicom's own conversion."""


def _settings_plain() -> bool:
    """Return whether pydicom runs with the default conversions this module reproduces."""
    return not (
        config.datetime_conversion
        or config.use_DS_decimal
        or config.use_DS_numpy
        or config.use_IS_numpy
    )


def _strings(vr: str, value: bytes) -> list:
    if not value:
        return []
    if not value.isascii() or b"\x1b" in value:
        raise _Slow
    text = value.decode("ascii")
    if vr in _PLAIN_VRS:
        items = text.rstrip(" \x00").split("\\")
    elif vr == "UI":
        items = [item.strip() for item in text.rstrip("\x00 ").split("\\")]  # UID() strips each
    elif vr in _TEXT_VRS:
        items = [item.rstrip("\x00 ") for item in text.split("\\")]
    elif vr in _SINGLE_TEXT_VRS:
        items = [text.rstrip("\x00 ")]
    elif vr == "AE":
        items = [item.strip() for item in text.split("\\")]
    elif vr == "UR":
        items = [text.rstrip()]
    elif vr == "DS":
        text = text.strip().rstrip(" \x00")
        if not _DS_LIST.fullmatch(text):
            raise _Slow
        items = text.split("\\")
        if max(map(len, items)) > 16:
            raise _Slow
        return [float(item) for item in items]
    elif vr == "IS":
        text = text.rstrip(" \x00")
        if not _IS_LIST.fullmatch(text):
            raise _Slow
        items = text.split("\\")
        if max(map(len, items)) > 12:
            raise _Slow
        return [int(item) for item in items]
    else:
        raise _Slow
    if len(items) == 1 and not items[0]:
        return []
    return items


def _element(raw: RawDataElement, threshold: int):
    """Return the JSON of one raw element, _DROP for bulk data; raise _Slow when unsure."""
    vr = raw.VR
    if vr is None:
        if raw.tag.group & 1:
            raise _Slow  # private tag in implicit VR: the VR comes from the private dictionary
        try:
            vr = dictionary_VR(raw.tag)
        except KeyError:
            raise _Slow from None
    if not raw.is_little_endian or raw.tag in _SPECIAL_TAGS:
        raise _Slow
    value = raw.value
    if value is None:
        value = b""
    elif not isinstance(value, bytes):
        raise _Slow
    if raw.length not in (len(value), 0xFFFFFFFF) and vr != "SQ":
        raise _Slow
    if vr in _NUMBER_FORMATS:
        fmt = _NUMBER_FORMATS[vr]
        size = struct.calcsize("<" + fmt)
        if len(value) % size:
            raise _Slow
        if not value:
            return {"vr": vr}
        numbers = list(struct.unpack(f"<{len(value) // size}{fmt}", value))
        if vr in _FLOAT_BINARY:
            numbers = [float(n) for n in numbers]
        return {"vr": vr, "Value": numbers}
    if vr in _BINARY_VRS:
        if not value:
            return {"vr": vr}
        if len(value) > (threshold // 4) * 3:
            return _DROP
        return {"vr": vr, "InlineBinary": base64.b64encode(value).decode("utf-8")}
    if vr in ("SQ", "PN", "AT", "UN") or " or " in vr:
        raise _Slow
    items = _strings(vr, value)
    return {"vr": vr, "Value": items} if items else {"vr": vr}


def _strip_bulk(value, marker):
    if isinstance(value, dict):
        if value.get("BulkDataURI") == marker:
            return None
        out = {}
        for key, item in value.items():
            if key == "7FE00010":
                continue
            item = _strip_bulk(item, marker)
            if item is not None:
                out[key] = item
        return out
    if isinstance(value, list):
        return [item for item in (_strip_bulk(v, marker) for v in value) if item is not None]
    return value


def _pydicom_json(ds: pydicom.Dataset, threshold: int, handler: Callable, marker: str) -> dict:
    """The former, all-pydicom conversion (kept for the fallback and for comparison in tests)."""
    try:
        result = ds.to_json_dict(bulk_data_threshold=threshold, bulk_data_element_handler=handler)
    except Exception:
        # Leave out the values pydicom cannot convert rather than reject the instance (stores accept
        # imperfect real-world files). Not suppress_invalid_tags: it flips pydicom's global reading mode,
        # which other threads of the emulator would see.
        result = {}
        for tag in list(ds.keys()):
            try:
                result[f"{tag:08X}"] = ds[tag].to_json_dict(handler, threshold)
            except Exception:  # noqa: S112 — skipping one unconvertible attribute is the point
                continue
    return _strip_bulk(result, marker)


def dataset_json_pydicom(ds: pydicom.Dataset, threshold: int) -> dict:
    """Return the DICOM JSON pydicom makes, bulk data and PixelData left out."""
    marker = "__bulk__"
    return _pydicom_json(ds, threshold, lambda elem: marker, marker)


def dataset_json(ds: pydicom.Dataset, threshold: int) -> dict:
    """Return the DICOM JSON of the dataset (not its file meta), bulk data and PixelData left out.

    Same result as `dataset_json_pydicom`, several times faster on freshly read datasets.
    """
    if not _settings_plain():
        return dataset_json_pydicom(ds, threshold)
    marker = "__bulk__"
    handler = lambda elem: marker  # noqa: E731
    result = {}
    slow = []
    for tag, elem in ds._dict.items():
        if tag == _PIXEL_DATA:
            continue
        if isinstance(elem, RawDataElement):
            try:
                item = _element(elem, threshold)
            except _Slow:
                slow.append(tag)
                item = None
            if item is _DROP:
                continue
        else:
            slow.append(tag)
            item = None
        result[f"{tag:08X}"] = item
    if slow:
        for tag in slow:
            key = f"{tag:08X}"
            try:
                item = _strip_bulk({key: ds[tag].to_json_dict(handler, threshold)}, marker).get(key)
            except Exception:  # pydicom cannot convert it: left out, as the all-pydicom path does
                item = None
            if item is None:
                del result[key]
            else:
                result[key] = item
    return result
