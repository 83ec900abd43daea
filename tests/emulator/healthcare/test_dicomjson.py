"""The fast DICOM JSON conversion gives exactly what pydicom's to_json_dict gives."""

import io
import json
import logging
import os
import random
import struct
import warnings
from pathlib import Path

import pydicom
import pytest
from pydicom.data.data_manager import DATA_ROOT, DataTypes, external_data_sources
from pydicom.dataset import FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from emulator.dicom.dicomjson import dataset_json, dataset_json_pydicom


def _both(data: bytes) -> tuple[str, str] | None:
    """Return (pydicom's JSON, the fast JSON) of two fresh reads, or None when pydicom cannot convert it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            slow = pydicom.dcmread(io.BytesIO(data), force=True)
            fast = pydicom.dcmread(io.BytesIO(data), force=True)
            expected = json.dumps(dataset_json_pydicom(slow, 1024))
        except Exception:  # noqa: BLE001 — files pydicom itself cannot read are not the question here
            return None
        return expected, json.dumps(dataset_json(fast, 1024))


@pytest.fixture(autouse=True)
def _quiet_pydicom():
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


def _local_test_files() -> list[str]:
    """pydicom's bundled test files and pydicom-data's, without the download that get_testdata_files tries."""
    paths = [str(p) for p in (Path(DATA_ROOT) / "test_files").glob("**/*")]
    for source in external_data_sources().values():
        paths.extend(source.get_paths("**/*", DataTypes.DATASET))
    return sorted(set(paths))


def test_fast_json_equals_pydicom_on_every_bundled_test_file():
    compared = 0
    for path in _local_test_files():
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            pair = _both(f.read())
        if pair is None:
            continue
        compared += 1
        assert pair[1] == pair[0], path
    assert compared > 100


def _element(tag: int, vr: str, raw: bytes) -> bytes:
    return struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr.encode() + struct.pack("<H", len(raw)) + raw


def test_fast_json_equals_pydicom_on_odd_padding_numbers_and_character_sets():
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.MediaStorageSOPClassUID = "1.2"
    meta.MediaStorageSOPInstanceUID = "1.3"
    out = io.BytesIO()
    pydicom.filewriter.write_file_meta_info(pydicom.filebase.DicomFileLike(out), meta, enforce_standard=True)
    head = b"\0" * 128 + b"DICM" + out.getvalue()
    pieces = ["", " ", "  ", "\\", "A", "a b", " x", "1", "-2", "+3", "1.5", ".5", "1e3", "1.0", "\x00",
              "12345678901234567", "nan", "inf", "0", "  7 ", "é", "^", "=", "\x1b$B"]
    elements = [("AE", 0x00020016), ("CS", 0x00080060), ("DA", 0x00080020), ("TM", 0x00080030),
                ("DT", 0x0008002A), ("UI", 0x00080016), ("UR", 0x00080120), ("SH", 0x00080050),
                ("LO", 0x00081030), ("PN", 0x00100010), ("AS", 0x00101010), ("DS", 0x00101020),
                ("LT", 0x00204000), ("IS", 0x00200013), ("DS", 0x00280030), ("ST", 0x00324000)]
    charsets = [b"ISO_IR 100", b"ISO_IR 192", b"ISO 2022 IR 87", b"\\ISO 2022 IR 87", b"ISO_IR 144"]
    rng = random.Random(4)
    compared = 0
    for _ in range(400):
        body = b""
        if rng.random() < 0.3:
            body += _element(0x00080005, "CS", rng.choice(charsets))
        for vr, tag in elements:
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
            raw = text.encode("latin-1" if rng.random() < 0.5 else "utf-8")
            if len(raw) % 2:
                raw += rng.choice([b" ", b"\x00"])
            body += _element(tag, vr, raw)
        body += _element(0x00280010, "US", struct.pack("<H", rng.randint(0, 65535)))
        body += _element(0x00189087, "FD", struct.pack("<d", rng.random()))
        body += _element(0x00091001, "OB", bytes(rng.randint(0, 500) * 2))
        pair = _both(head + body)
        if pair is None:
            continue
        compared += 1
        assert pair[1] == pair[0]
    assert compared > 300
