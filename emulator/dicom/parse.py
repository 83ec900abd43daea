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


def parse_instance(data: bytes) -> ParsedInstance:
    """Parse Part 10 bytes and extract UIDs, image geometry, QIDO attributes and DICOM JSON metadata."""
    ds = read_dataset(data)
    sop_uid = _text(ds, "SOPInstanceUID") or _text(ds.file_meta, "MediaStorageSOPInstanceUID")
    if not sop_uid:
        raise DicomParseError("failed to parse DICOM: the instance has no SOP Instance UID (0008,0018)")
    study_uid = _text(ds, "StudyInstanceUID")
    series_uid = _text(ds, "SeriesInstanceUID")
    if not study_uid or not series_uid:
        raise DicomParseError("failed to parse DICOM: the instance has no Study or Series Instance UID")
    for uid in (sop_uid, study_uid, series_uid):
        if len(uid) > 64:
            raise DicomParseError(f"invalid UID {uid[:80]!r}: longer than 64 characters")
    try:
        metadata = dataset_to_json(ds)
    except Exception as exc:
        raise DicomParseError(f"failed to parse DICOM: invalid attribute value: {exc}") from None
    transfer_syntax_uid = _text(ds.file_meta, "TransferSyntaxUID")
    if transfer_syntax_uid:
        # The file meta's Transfer Syntax UID is part of what a store answers for an instance.
        metadata["00020010"] = {"vr": "UI", "Value": [transfer_syntax_uid]}
        metadata = dict(sorted(metadata.items()))
    patient_name = ds.get("PatientName")
    referring = ds.get("ReferringPhysicianName")
    return ParsedInstance(
        dataset=ds,
        study_uid=study_uid,
        series_uid=series_uid,
        sop_uid=sop_uid,
        sop_class_uid=_text(ds, "SOPClassUID") or _text(ds.file_meta, "MediaStorageSOPClassUID"),
        transfer_syntax_uid=transfer_syntax_uid,
        number_of_frames=(_int(ds, "NumberOfFrames") or 1) if PIXEL_DATA in ds else 0,
        rows=_int(ds, "Rows") or 0,
        columns=_int(ds, "Columns") or 0,
        attributes={
            "patient_name": str(patient_name or "")[:256],
            "patient_id": _text(ds, "PatientID")[:128],
            "study_date": _text(ds, "StudyDate")[:8],
            "study_time": _text(ds, "StudyTime")[:32],
            "accession_number": _text(ds, "AccessionNumber")[:64],
            "modality": _text(ds, "Modality")[:16],
            "study_description": _text(ds, "StudyDescription")[:256],
            "series_description": _text(ds, "SeriesDescription")[:256],
            "series_number": _int(ds, "SeriesNumber"),
            "instance_number": _int(ds, "InstanceNumber"),
            "referring_physician_name": str(referring or "")[:256],
            "study_id": _text(ds, "StudyID")[:64],
        },
        metadata=metadata,
    )
