"""Parse DICOM Part 10 bytes into a dataset and the attributes the emulator indexes."""

import io
import threading
import warnings
from dataclasses import dataclass, field

import pydicom
from pydicom.dataelem import RawDataElement
from pydicom.errors import InvalidDicomError

from .dicomjson import dataset_json

PIXEL_DATA = 0x7FE00010
# Binary VRs whose large values DICOM JSON would carry as bulk data; /metadata leaves them out.
BULK_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
BULK_THRESHOLD = 1024
# warnings.catch_warnings swaps process-wide state: threads of the emulator must not interleave it.
_WARNINGS_LOCK = threading.Lock()


class DicomParseError(ValueError):
    """The bytes are not a usable DICOM Part 10 instance; the message says why."""


@dataclass
class ParsedInstance:
    dataset: pydicom.Dataset
    study_uid: str
    series_uid: str
    sop_uid: str
    sop_class_uid: str
    transfer_syntax_uid: str
    number_of_frames: int
    rows: int
    columns: int
    attributes: dict = field(default_factory=dict)  # QIDO columns of the Instance model
    metadata: dict = field(default_factory=dict)  # DICOM JSON without bulk data


def read_dataset(data: bytes, *, stop_before_pixels: bool = False) -> pydicom.Dataset:
    """Read Part 10 bytes strictly: a preamble/file meta is required and truncation is an error."""
    if not data:
        raise DicomParseError("empty DICOM instance found")
    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=stop_before_pixels)
        except InvalidDicomError:
            raise DicomParseError("failed to parse DICOM: not a DICOM Part 10 file (missing 'DICM' prefix or "
                                  "file meta information)") from None
        except Exception as exc:  # pydicom raises many types for garbage input
            raise DicomParseError(f"failed to parse DICOM: {exc}") from None
    for warning in caught:
        if "EOF" in str(warning.message) or "end of file" in str(warning.message).lower():
            raise DicomParseError("failed to parse DICOM: the file is truncated (unexpected end of data)")
    for elem in ds._dict.values():
        # A defined length longer than the bytes read means the file was cut short.
        if (
            isinstance(elem, RawDataElement)
            and elem.length != 0xFFFFFFFF
            and isinstance(elem.value, bytes)
            and len(elem.value) < elem.length
        ):
                raise DicomParseError(
                    f"failed to parse DICOM: the file is truncated in element ({elem.tag >> 16:04X},"
                    f"{elem.tag & 0xFFFF:04X}): {len(elem.value)} of {elem.length} bytes"
                )
    return ds


def _text(ds: pydicom.Dataset, keyword: str) -> str:
    value = ds.get(keyword)
    if value is None or value == "":
        return ""
    if isinstance(value, pydicom.multival.MultiValue):
        return "\\".join(str(v) for v in value)
    return str(value)


def _int(ds: pydicom.Dataset, keyword: str) -> int | None:
    try:
        value = ds.get(keyword)
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def dataset_to_json(ds: pydicom.Dataset) -> dict:
    """Return DICOM JSON of the dataset (not its file meta) with PixelData and bulk binary values left out."""
    return dataset_json(ds, BULK_THRESHOLD)


_STRING_VRS = {"AE", "AS", "CS", "DA", "DT", "LO", "LT", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
_INT_VRS = {"IS", "US", "UL", "SS", "SL", "SV", "UV"}


class _Attributes:
    """Read top-level attributes from the DICOM JSON already built (no second conversion by pydicom),
    falling back to the dataset for anything the JSON does not hold as plain strings or integers."""

    def __init__(self, ds: pydicom.Dataset, metadata: dict):
        self.ds, self.metadata = ds, metadata

    def _item(self, keyword: str, vrs: set) -> dict | None:
        tag = pydicom.datadict.tag_for_keyword(keyword)
        item = self.metadata.get(f"{tag:08X}")
        if item is None or item.get("vr") not in vrs or ("Value" not in item and len(item) > 1):
            return None
        return item

    def text(self, keyword: str) -> str:
        item = self._item(keyword, _STRING_VRS)
        if item is None:
            return _text(self.ds, keyword)
        values = item.get("Value")
        if not values:
            return ""
        return values[0] if len(values) == 1 else "\\".join(values)

    def int(self, keyword: str) -> int | None:
        item = self._item(keyword, _INT_VRS)
        if item is None:
            return _int(self.ds, keyword)
        values = item.get("Value")
        return values[0] if values and len(values) == 1 else None


def parse_instance(data: bytes) -> ParsedInstance:
    """Parse Part 10 bytes and extract UIDs, image geometry, QIDO attributes and DICOM JSON metadata."""
    ds = read_dataset(data)
    try:
        metadata = dataset_to_json(ds)
    except Exception as exc:
        metadata, error = None, exc
    attrs = _Attributes(ds, metadata or {})
    sop_uid = attrs.text("SOPInstanceUID") or _text(ds.file_meta, "MediaStorageSOPInstanceUID")
    if not sop_uid:
        raise DicomParseError("failed to parse DICOM: the instance has no SOP Instance UID (0008,0018)")
    study_uid = attrs.text("StudyInstanceUID")
    series_uid = attrs.text("SeriesInstanceUID")
    if not study_uid or not series_uid:
        raise DicomParseError("failed to parse DICOM: the instance has no Study or Series Instance UID")
    for uid in (sop_uid, study_uid, series_uid):
        if len(uid) > 64:
            raise DicomParseError(f"invalid UID {uid[:80]!r}: longer than 64 characters")
    if metadata is None:
        raise DicomParseError(f"failed to parse DICOM: invalid attribute value: {error}")
    attributes = {
        "patient_name": str(ds.get("PatientName") or "")[:256],
        "patient_id": attrs.text("PatientID")[:128],
        "study_date": attrs.text("StudyDate")[:8],
        "study_time": attrs.text("StudyTime")[:32],
        "accession_number": attrs.text("AccessionNumber")[:64],
        "modality": attrs.text("Modality")[:16],
        "study_description": attrs.text("StudyDescription")[:256],
        "series_description": attrs.text("SeriesDescription")[:256],
        "series_number": attrs.int("SeriesNumber"),
        "instance_number": attrs.int("InstanceNumber"),
        "referring_physician_name": str(ds.get("ReferringPhysicianName") or "")[:256],
        "study_id": attrs.text("StudyID")[:64],
    }
    sop_class_uid = attrs.text("SOPClassUID") or _text(ds.file_meta, "MediaStorageSOPClassUID")
    number_of_frames = (attrs.int("NumberOfFrames") or 1) if PIXEL_DATA in ds else 0
    rows, columns = attrs.int("Rows") or 0, attrs.int("Columns") or 0
    transfer_syntax_uid = _text(ds.file_meta, "TransferSyntaxUID")
    if transfer_syntax_uid:
        # The file meta's Transfer Syntax UID is part of what a store answers for an instance.
        metadata["00020010"] = {"vr": "UI", "Value": [transfer_syntax_uid]}
        metadata = dict(sorted(metadata.items()))
    return ParsedInstance(
        dataset=ds,
        study_uid=study_uid,
        series_uid=series_uid,
        sop_uid=sop_uid,
        sop_class_uid=sop_class_uid,
        transfer_syntax_uid=transfer_syntax_uid,
        number_of_frames=number_of_frames,
        rows=rows,
        columns=columns,
        attributes=attributes,
        metadata=metadata,
    )
