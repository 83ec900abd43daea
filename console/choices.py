"""What the Import and Export pages offer: storage classes, file types and their transfer syntaxes."""

from django.utils.translation import gettext_lazy as _

STORAGE_CLASSES = [
    ("STANDARD", _("Standard"), _("For data you read often or keep only briefly. No minimum storage duration.")),
    ("NEARLINE", _("Nearline"), _("For data read about once a month or less; stored at least 30 days.")),
    ("COLDLINE", _("Coldline"), _("For data read about once a quarter or less; stored at least 90 days.")),
    ("ARCHIVE", _("Archive"), _("For long-term retention read less than once a year; stored at least 365 days.")),
]

AS_STORED = "*"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
TRANSFER_SYNTAXES = {
    AS_STORED: _("As stored (no transcoding)"),
    EXPLICIT_LE: _("Explicit VR Little Endian (uncompressed)"),
    "1.2.840.10008.1.2": _("Implicit VR Little Endian (uncompressed)"),
    "1.2.840.10008.1.2.1.99": _("Deflated Explicit VR Little Endian"),
    "1.2.840.10008.1.2.4.50": _("JPEG Baseline (lossy, 8-bit)"),
    "1.2.840.10008.1.2.4.51": _("JPEG Extended (lossy, 12-bit)"),
    "1.2.840.10008.1.2.4.57": _("JPEG lossless"),
    "1.2.840.10008.1.2.4.70": _("JPEG lossless, first-order prediction"),
    "1.2.840.10008.1.2.4.80": _("JPEG-LS lossless"),
    "1.2.840.10008.1.2.4.81": _("JPEG-LS near-lossless"),
    "1.2.840.10008.1.2.4.90": _("JPEG 2000 lossless"),
    "1.2.840.10008.1.2.4.91": _("JPEG 2000"),
    "1.2.840.10008.1.2.4.110": _("JPEG XL lossless"),
    "1.2.840.10008.1.2.4.111": _("JPEG XL JPEG recompression"),
    "1.2.840.10008.1.2.4.112": _("JPEG XL"),
    "1.2.840.10008.1.2.4.201": _("High-Throughput JPEG 2000 lossless"),
    "1.2.840.10008.1.2.4.202": _("High-Throughput JPEG 2000 lossless (RPCL)"),
    "1.2.840.10008.1.2.4.203": _("High-Throughput JPEG 2000"),
    "1.2.840.10008.1.2.5": _("RLE lossless"),
    "1.2.840.10008.1.2.8.1": _("Deflated image frame compression"),
}

# File type → (label, media type, transfer syntaxes it allows; the first is the default).
FILE_TYPES = {
    "dicom": (_("DICOM file (.dcm)"), "application/dicom", list(TRANSFER_SYNTAXES)),
    "octet-stream": (_("Raw pixel data (octet-stream)"), "application/octet-stream", [AS_STORED, EXPLICIT_LE]),
    "jpeg": (_("Image (.jpg)"), "image/jpeg", ["1.2.840.10008.1.2.4.50"]),
    "png": (_("Image (.png)"), "image/png", []),
}


def file_type_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _media, _syntaxes) in FILE_TYPES.items()]


def syntax_choices(file_type: str) -> list[tuple[str, str]]:
    """Return the transfer syntaxes valid for a file type, with human names."""
    syntaxes = FILE_TYPES.get(file_type, FILE_TYPES["dicom"])[2]
    return [(uid, TRANSFER_SYNTAXES[uid]) for uid in syntaxes]


def mime_type_for(file_type: str, syntax: str) -> str:
    """Return the gcsDestination.mimeType of a file type and transfer syntax (checked by the form)."""
    _label, media, syntaxes = FILE_TYPES[file_type]
    if not syntaxes:
        return media
    return f"{media}; transfer-syntax={syntax}"
