"""Transfer syntax changes for WADO-RS retrieval.

The jobs app's transcoder (pydicom + GDCM, used for exports) covers every syntax an export can write;
without it only Explicit VR Little Endian from little-endian sources is available.
"""

import io

import pydicom
from pydicom.uid import ExplicitVRLittleEndian

NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2"}


class TranscodeError(ValueError):
    """The instance cannot be converted to the requested transfer syntax."""


def transcode(data: bytes, syntax: str) -> bytes:
    """Return Part 10 bytes re-encoded in transfer syntax `syntax`; raise TranscodeError when impossible."""
    try:
        from emulator.jobs.transcode import DICOM_SYNTAXES, to_dicom
    except ImportError:
        to_dicom = None
    if to_dicom is None:
        if syntax != ExplicitVRLittleEndian:
            raise TranscodeError(f"transcoding to transfer syntax {syntax} is not supported")
        return to_explicit_little_endian(data)
    if syntax not in DICOM_SYNTAXES:
        raise TranscodeError(f"transcoding to transfer syntax {syntax} is not supported")
    try:
        return to_dicom(data, syntax)
    except Exception as exc:  # the encoders raise many types
        raise TranscodeError(f"cannot transcode to transfer syntax {syntax}: {exc}") from None


def to_explicit_little_endian(data: bytes) -> bytes:
    """Return Part 10 bytes in Explicit VR Little Endian (decompressing pixel data when needed)."""
    ds = pydicom.dcmread(io.BytesIO(data))
    if ds.file_meta.get("TransferSyntaxUID") == ExplicitVRLittleEndian:
        return data
    try:
        if ds.file_meta.TransferSyntaxUID not in NATIVE and "PixelData" in ds:
            ds.decompress()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True, implicit_vr=False, little_endian=True)
    except Exception as exc:  # decoders raise many types
        raise TranscodeError(f"cannot transcode to Explicit VR Little Endian: {exc}") from None
    return out.getvalue()
