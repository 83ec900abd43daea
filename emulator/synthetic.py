"""Synthetic DICOM instances with fresh UIDs, made fast from one parsed template.

The template is written once with fixed-length placeholder values; every instance is then a few
byte replacements of equal length (no re-encoding), so a 40 KB CT costs microseconds, not milliseconds.

    for name, data in generate_instances(1000, studies=10, series_per_study=2):
        ...  # name like "study0001/series01/000001.dcm", data = Part 10 bytes
"""

import io
import math
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pydicom
from pydicom.data import get_testdata_file

DEFAULT_TEMPLATE = "CT_small.dcm"
UID_DIGITS = 39  # "2.25." + 39 digits = 44 characters: even, so no padding byte


def new_uid() -> str:
    """Return a fresh 2.25 UID (derived from a UUID4) of fixed length."""
    return f"2.25.{10**38 + uuid.uuid4().int % (9 * 10**38)}"


def _placeholder_uid(n: int) -> str:
    return "2.25." + str(10**38 + 7_777_777_000 + n)


class Generator:
    """Clone one template with new UIDs, patient and numbers by equal-length byte replacement."""

    FIELDS = {
        "study": ("StudyInstanceUID", _placeholder_uid(1)),
        "series": ("SeriesInstanceUID", _placeholder_uid(2)),
        "sop": ("SOPInstanceUID", _placeholder_uid(3)),
        "patient_id": ("PatientID", "SYNPID000000"),
        "patient_name": ("PatientName", "Synthetic^P000000"),
        "series_number": ("SeriesNumber", "800001"),
        "instance_number": ("InstanceNumber", "900001"),
        "accession": ("AccessionNumber", "SYNACC000000"),
    }

    def __init__(self, template: str | os.PathLike | bytes | pydicom.Dataset | None = None):
        ds = self._load(template)
        for keyword, placeholder in self.FIELDS.values():
            setattr(ds, keyword, placeholder)
        ds.file_meta.MediaStorageSOPInstanceUID = self.FIELDS["sop"][1]
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        self.template = out.getvalue()
        for _, placeholder in self.FIELDS.values():
            if placeholder.encode() not in self.template:
                raise ValueError(f"template encoding lost the placeholder {placeholder}")

    @staticmethod
    def _load(template) -> pydicom.Dataset:
        if template is None:
            template = get_testdata_file(DEFAULT_TEMPLATE, download=False)
        if isinstance(template, pydicom.Dataset):
            return template.copy()
        if isinstance(template, bytes):
            return pydicom.dcmread(io.BytesIO(template))
        path = Path(template)
        if not path.exists():
            found = get_testdata_file(str(template), download=False)
            if not found:
                raise FileNotFoundError(f"no DICOM template {template}")
            path = Path(found)
        return pydicom.dcmread(path)

    def instance(self, *, study_uid: str, series_uid: str, sop_uid: str = "", patient: int = 0,
                 series_number: int = 1, instance_number: int = 1) -> bytes:
        """Return Part 10 bytes of one clone; UIDs must be 44-character `new_uid()` values."""
        values = {
            "study": study_uid,
            "series": series_uid,
            "sop": sop_uid or new_uid(),
            "patient_id": f"SYN{patient:09d}",
            "patient_name": f"Synthetic^P{patient:06d}",
            "series_number": f"{series_number:06d}",
            "instance_number": f"{instance_number:06d}",
            "accession": f"SYN{patient:09d}",
        }
        data = self.template
        for field, (_, placeholder) in self.FIELDS.items():
            value = values[field]
            if len(value) != len(placeholder):
                raise ValueError(f"{field} {value!r} must be {len(placeholder)} characters long")
            data = data.replace(placeholder.encode(), value.encode())
        return data


def generate_instances(
    n: int,
    *,
    template: str | os.PathLike | bytes | pydicom.Dataset | None = None,
    studies: int | None = None,
    series_per_study: int = 2,
) -> Iterator[tuple[str, bytes]]:
    """Yield `n` (relative object name, Part 10 bytes) pairs with fresh UIDs.

    Instances fill `studies` studies (default: one per 100 instances) of `series_per_study` series
    in order; names are `studyNNNN/seriesNN/NNNNNN.dcm`.
    """
    generator = Generator(template)
    studies = max(1, studies or math.ceil(n / 100))
    per_study = math.ceil(n / studies)
    per_series = max(1, math.ceil(per_study / max(1, series_per_study)))
    study_uids: dict[int, str] = {}
    series_uids: dict[tuple[int, int], str] = {}
    for i in range(n):
        study, within = divmod(i, per_study)
        series = within // per_series
        study_uid = study_uids.setdefault(study, new_uid())
        series_uid = series_uids.setdefault((study, series), new_uid())
        data = generator.instance(
            study_uid=study_uid,
            series_uid=series_uid,
            patient=study + 1,
            series_number=series + 1,
            instance_number=within % per_series + 1,
        )
        yield f"study{study + 1:04d}/series{series + 1:02d}/{i + 1:06d}.dcm", data
