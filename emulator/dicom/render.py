"""Render one frame of a DICOM image to 8 bits and to PNG/JPEG (WADO-RS /rendered, image exports).

Grey images: modality LUT (rescale), then the VOI transform — a VOI LUT sequence, else the first
WindowCenter/WindowWidth (PS3.3 C.11.2.1.2 linear function), else the frame's min/max — and
MONOCHROME1 inverted so that white is high. Colour images come out RGB: YBR is converted with
pydicom's convert_color_space, palette colour goes through the colour LUT.
"""

import io
import zlib

import numpy as np
import pydicom
from PIL import Image
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi_lut, convert_color_space, pixel_array

FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG"}


class RenderError(ValueError):
    """The instance has no pixel data this renderer understands; the message says why."""


def _frame(ds: pydicom.Dataset, frame_index: int) -> np.ndarray:
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise RenderError("the instance has no pixel data")
    try:
        frames = int(ds.get("NumberOfFrames") or 1)
    except (TypeError, ValueError):
        raise RenderError("invalid Number of Frames (0028,0008)") from None
    if not 0 <= frame_index < frames:
        raise RenderError(f"frame {frame_index + 1} is out of range: the instance has {frames} frame(s)")
    try:
        # as_rgb=False: YBR data stays YBR here and _colour_to_8bit converts it explicitly.
        return pixel_array(ds, index=frame_index if frames > 1 else None, as_rgb=False)
    except Exception as exc:  # decoders raise many types (missing plugin, corrupt stream)
        raise RenderError(f"cannot decode the pixel data: {exc}") from None


def _scale_to_8bit(arr: np.ndarray, low: float, high: float) -> np.ndarray:
    arr = arr.astype(np.float64)
    if high <= low:
        return np.zeros(arr.shape, dtype=np.uint8)
    return np.clip((arr - low) * (255.0 / (high - low)), 0, 255).round().astype(np.uint8)


def _first(value) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, pydicom.multival.MultiValue | list | tuple):
        return float(value[0]) if len(value) else None
    return float(value)


def _grey_to_8bit(arr: np.ndarray, ds: pydicom.Dataset, frame_index: int) -> np.ndarray:
    arr = apply_modality_lut(arr, ds).astype(np.float64)
    center, width = _first(ds.get("WindowCenter")), _first(ds.get("WindowWidth"))
    if "VOILUTSequence" in ds:
        arr = apply_voi_lut(arr, ds, index=0, prefer_lut=True).astype(np.float64)
        out = _scale_to_8bit(arr, float(arr.min()), float(arr.max()))
    elif center is not None and width is not None and width >= 1:
        # PS3.3 C.11.2.1.2.1: the LINEAR VOI function.
        scaled = ((arr - (center - 0.5)) / max(width - 1, 1e-9) + 0.5) * 255.0
        out = np.clip(scaled, 0, 255).round().astype(np.uint8)
    else:
        out = _scale_to_8bit(arr, float(arr.min()), float(arr.max()))
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        out = 255 - out
    return out


def _colour_to_8bit(arr: np.ndarray, ds: pydicom.Dataset) -> np.ndarray:
    photometric = str(ds.get("PhotometricInterpretation", "RGB"))
    if photometric in ("YBR_FULL", "YBR_FULL_422", "YBR_PARTIAL_420"):
        # Decoded 4:2:2/4:2:0 data is upsampled already, so it converts like YBR_FULL.
        arr = convert_color_space(arr, "YBR_FULL", "RGB")
    if arr.dtype != np.uint8:
        bits = int(ds.get("BitsStored") or 8)
        arr = _scale_to_8bit(arr, 0, 2**bits - 1)
    return arr


def frame_to_8bit(ds: pydicom.Dataset, frame_index: int = 0) -> np.ndarray:
    """Return frame `frame_index` (0-based) as uint8, HxW for grey or HxWx3 RGB for colour images."""
    arr = _frame(ds, frame_index)
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    if photometric == "PALETTE COLOR":
        rgb = apply_color_lut(arr, ds)
        bits = 16 if rgb.dtype.itemsize > 1 else 8
        return _scale_to_8bit(rgb, 0, 2**bits - 1) if bits > 8 else rgb.astype(np.uint8)
    if arr.ndim == 3 and arr.shape[-1] in (3, 4):
        return _colour_to_8bit(arr[..., :3], ds)
    if arr.ndim != 2 or arr.size == 0:
        raise RenderError(f"cannot render pixel data of shape {arr.shape}")
    return _grey_to_8bit(arr, ds, frame_index)


def render_frame(
    ds: pydicom.Dataset,
    frame_index: int = 0,
    *,
    fmt: str = "png",
    quality: int = 90,
    size: tuple[int, int] | None = None,
) -> bytes:
    """Return frame `frame_index` (0-based) encoded as PNG or JPEG; `size` (width, height) scales it to fit."""
    pil_format = FORMATS.get(fmt.lower().removeprefix("image/"))
    if pil_format is None:
        raise RenderError(f"unsupported image format {fmt!r}: use png or jpeg")
    image = Image.fromarray(frame_to_8bit(ds, frame_index))
    if size:
        image.thumbnail((max(1, size[0]), max(1, size[1])), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if pil_format == "JPEG":
        image.save(out, "JPEG", quality=quality)
    else:
        # zlib level 1 with the Z_RLE strategy: 2–3× faster than level 1 alone and 3–4× faster than Pillow's
        # default 6 on CT-like images; the pixels are the same (lossless), the files up to ~1.5× larger.
        image.save(out, "PNG", compress_level=1, compress_type=zlib.Z_RLE)
    return out.getvalue()
