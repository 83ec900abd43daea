"""Transfer syntax changes for WADO-RS retrieval: stored bytes as they are, or Explicit VR Little Endian."""

import io

import pydicom
from pydicom.uid import ExplicitVRLittleEndian

NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2"}


class TranscodeError(ValueError):
    """The instance cannot be converted to the requested transfer syntax."""


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
