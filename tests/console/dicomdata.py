"""Synthetic DICOM files for the console and gcp tests: pydicom test files with fresh UIDs."""

import io

import pydicom
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid


def dicom_copy(study_uid: str = "", series_uid: str = "", name: str = "CT_small.dcm") -> bytes:
    """Return a copy of a pydicom test file with fresh UIDs (or the given study/series)."""
    ds = pydicom.dcmread(get_testdata_file(name))
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()
