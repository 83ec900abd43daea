"""Export encodings: DICOM in another transfer syntax, raw pixel data, consumer JPEG/PNG.

Uncompressed targets are written by pydicom (decompressing with its plugins when needed); compressed
targets by python-gdcm's ImageChangeTransferSyntax. JPEG Baseline/Extended (8-bit lossy) first window
the image to 8 bits the way /rendered does (emulator.dicom.render.frame_to_8bit).
"""

import io
import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pydicom
from pydicom.encaps import generate_frames
from pydicom.uid import UID, ExplicitVRLittleEndian

EXPLICIT_LE = "1.2.840.10008.1.2.1"
UNCOMPRESSED = ("1.2.840.10008.1.2", EXPLICIT_LE, "1.2.840.10008.1.2.1.99")
EIGHT_BIT_LOSSY = ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51")
# Transfer syntaxes the emulator can write (application/dicom); the API lists more (JPEG XL, HTJ2K,
# Deflated Image Frame Compression) that no installed encoder produces: those are rejected at submission.
DICOM_SYNTAXES = (
    *UNCOMPRESSED,
    *EIGHT_BIT_LOSSY,
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.5",
)
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None  # noqa: S108


class TranscodeError(ValueError):
    """The instance cannot be written in the requested form; the message says why."""


@dataclass(frozen=True)
class Output:
    suffix: str  # "" or "/<frame>" (1-based)
    data: bytes


def read(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data), force=True)


def to_dicom(data: bytes, syntax: str) -> bytes:
    """Return the Part 10 instance `data` re-encoded in transfer syntax `syntax` ("*" = as stored)."""
    if syntax == "*":
        return data
    ds = read(data)
    source = str(ds.file_meta.get("TransferSyntaxUID", ""))
    if source == syntax:
        return data
    if source == "1.2.840.10008.1.2.2":
        # pydicom does not switch byte order when writing; GDCM does.
        data = _gdcm_change(data, EXPLICIT_LE)
        ds, source = read(data), EXPLICIT_LE
        if syntax == EXPLICIT_LE:
            return data
    if "PixelData" not in ds:
        # Nothing to compress: an instance without pixel data is written in a lossless native syntax.
        return _pydicom_write(ds, syntax if syntax in UNCOMPRESSED else EXPLICIT_LE)
    if syntax in UNCOMPRESSED:
        if UID(source).is_compressed:
            _decompress(ds)
        return _pydicom_write(ds, syntax)
    if int(ds.get("BitsAllocated", 8)) > 16 and syntax not in EIGHT_BIT_LOSSY:
        raise TranscodeError(f"{ds.BitsAllocated}-bit pixel data cannot be compressed in transfer syntax {syntax}")
    if syntax in EIGHT_BIT_LOSSY and int(ds.get("BitsStored", 8)) > 8:
        ds = _to_8bit(ds)
        return _gdcm_change(_pydicom_write(ds, EXPLICIT_LE), syntax)
    return _gdcm_change(data, syntax)


def _decompress(ds: pydicom.Dataset) -> None:
    try:
        ds.decompress()
    except Exception as exc:  # plugins raise many types
        raise TranscodeError(f"cannot decode the stored pixel data: {exc}") from None


def _pydicom_write(ds: pydicom.Dataset, syntax: str) -> bytes:
    ds.file_meta.TransferSyntaxUID = UID(syntax)
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def _to_8bit(ds: pydicom.Dataset) -> pydicom.Dataset:
    """Return a copy of an image windowed to 8 bits (VOI applied, MONOCHROME1 inverted, colour as RGB)."""
    from emulator.dicom.render import RenderError, frame_to_8bit

    frames = int(ds.get("NumberOfFrames") or 1)
    try:
        pixels = np.stack([frame_to_8bit(ds, index) for index in range(frames)])
    except RenderError as exc:
        raise TranscodeError(str(exc)) from None
    colour = pixels.ndim == 4
    for keyword in ("RescaleSlope", "RescaleIntercept", "RescaleType", "WindowCenter", "WindowWidth",
                    "VOILUTSequence", "ModalityLUTSequence", "SmallestImagePixelValue", "LargestImagePixelValue",
                    "WindowCenterWidthExplanation", "VOILUTFunction", "PixelPaddingValue"):
        if keyword in ds:
            delattr(ds, keyword)
    ds.SamplesPerPixel = 3 if colour else 1
    ds.PhotometricInterpretation = "RGB" if colour else "MONOCHROME2"
    if colour:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PixelData = pixels.tobytes()
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = False
    return ds


def _gdcm_change(data: bytes, syntax: str) -> bytes:
    import gdcm

    with tempfile.TemporaryDirectory(dir=_SCRATCH) as scratch:
        source, target = os.path.join(scratch, "in.dcm"), os.path.join(scratch, "out.dcm")
        with open(source, "wb") as handle:
            handle.write(data)
        reader = gdcm.ImageReader()
        reader.SetFileName(source)
        if not reader.Read():
            raise TranscodeError("the instance is not an image GDCM can read")
        change = gdcm.ImageChangeTransferSyntax()
        change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.GetTSType(syntax)))
        change.SetInput(reader.GetImage())
        if not change.Change():
            raise TranscodeError(f"GDCM cannot encode this image in transfer syntax {syntax}")
        writer = gdcm.ImageWriter()
        writer.SetFileName(target)
        writer.SetFile(reader.GetFile())
        writer.SetImage(change.GetOutput())
        if not writer.Write():
            raise TranscodeError(f"GDCM could not write the image in transfer syntax {syntax}")
        with open(target, "rb") as handle:
            return handle.read()


def frame_count(ds: pydicom.Dataset) -> int:
    try:
        return max(int(ds.get("NumberOfFrames") or 1), 1)
    except (TypeError, ValueError):
        raise TranscodeError("invalid Number of Frames (0028,0008)") from None


def _suffixes(frames: int) -> list[str]:
    return [""] if frames == 1 else [f"/{index + 1}" for index in range(frames)]


def to_images(data: bytes, fmt: str) -> list[Output]:
    """Return each frame rendered to 8 bits as PNG or JPEG (per-frame files for multi-frame instances)."""
    from emulator.dicom.render import RenderError, render_frame

    ds = read(data)
    if "PixelData" not in ds:
        raise TranscodeError("the instance has no pixel data to render")
    frames = frame_count(ds)
    try:
        return [Output(suffix, render_frame(ds, index, fmt=fmt)) for index, suffix in enumerate(_suffixes(frames))]
    except RenderError as exc:
        raise TranscodeError(str(exc)) from None


def to_raw(data: bytes, syntax: str) -> list[Output]:
    """Return each frame's pixel data: uncompressed native bytes (".1.2.1") or as stored ("*")."""
    ds = read(data)
    if "PixelData" not in ds:
        raise TranscodeError("the instance has no pixel data")
    frames = frame_count(ds)
    source = UID(str(ds.file_meta.get("TransferSyntaxUID", EXPLICIT_LE)))
    if source.is_compressed and syntax == "*":
        fragments = list(generate_frames(ds.PixelData, number_of_frames=frames))
        return [Output(suffix, bytes(frame)) for suffix, frame in zip(_suffixes(frames), fragments, strict=False)]
    if source.is_compressed:
        _decompress(ds)
    pixels = bytes(ds.PixelData)
    if not source.is_little_endian and source != ExplicitVRLittleEndian and int(ds.get("BitsAllocated", 8)) > 8:
        # Raw octet-stream output is little endian, like the ".1.2.1" it is named after.
        pixels = ds.pixel_array.astype(ds.pixel_array.dtype.newbyteorder("<")).tobytes()
    size = len(pixels) // frames
    return [Output(suffix, pixels[i * size : (i + 1) * size]) for i, suffix in enumerate(_suffixes(frames))]
