"""Demo data for the emulator: projects, a dataset and store, buckets full of DICOM to import.

Idempotent: existing projects, datasets, stores, buckets and objects are left as they are.
"""

from dataclasses import dataclass, field
from pathlib import Path

from pydicom.data import get_testdata_file

from emulator.healthcare import service as healthcare
from emulator.storage import service as storage
from emulator.synthetic import Generator, new_uid
from emulator.wire import ApiError

PROJECTS = {"demo-project": "Demo project", "imaging-lab": "Imaging lab"}
DATASET = ("demo-project", "us-central1", "demo-dataset")
STORE_ID = "demo-store"
INPUT_BUCKET = "demo-dicom-in"
EXPORT_BUCKET = "demo-exports"
# pydicom's test files and pydicom-data: transfer syntaxes, modalities, multi-frame, colour, MONOCHROME1, SR.
SAMPLES = [
    "CT_small.dcm",  # CT, Explicit VR Little Endian
    "MR_small.dcm",  # MR, Explicit VR Little Endian
    "MR_small_implicit.dcm",  # Implicit VR Little Endian (same SOP Instance UID as MR_small)
    "MR_small_bigendian.dcm",  # Explicit VR Big Endian (same SOP Instance UID as MR_small)
    "image_dfl.dcm",  # Deflated Explicit VR Little Endian
    "emri_small.dcm",  # multi-frame MR, 10 frames
    "SC_rgb_rle.dcm",  # RLE Lossless, RGB
    "SC_rgb_jpeg_dcmtk.dcm",  # JPEG Baseline, YBR_FULL
    "JPEG2000.dcm",  # JPEG 2000, NM
    "MR_small_jpeg_ls_lossless.dcm",  # JPEG-LS lossless
    "JPGLosslessP14SV1_1s_1f_8b.dcm",  # JPEG Lossless SV1
    "US1_J2KR.dcm",  # US, JPEG 2000 lossless, YBR_RCT (pydicom-data)
    "RG3_J2KI.dcm",  # CR, MONOCHROME1, JPEG 2000 (pydicom-data)
    "OBXXXX1A_rle.dcm",  # US, palette colour, RLE (pydicom-data)
    "liver_1frame.dcm",  # SEG
    "test-SR.dcm",  # structured report, no pixel data
]
README = b"""Demo input bucket of the local Cloud emulator.

samples/   real DICOM files from pydicom's test data (several transfer syntaxes and modalities)
study1/    synthetic series: series1/Example.dcm, Example1.dcm, Example22.dcm (+ empty.dcm and
           truncated.dcm, which are not valid DICOM), series2/...
study2/    deeper folders: study2/a/b/c/*.dcm

Wildcards: gs://demo-dicom-in/study1/series1/Example*.dcm matches Example.dcm, Example1.dcm and
Example22.dcm; Example?.dcm only Example1.dcm; gs://demo-dicom-in/study2/**.dcm every .dcm below study2/.
"""


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)

    def note(self, what: str, created: bool) -> None:
        (self.created if created else self.existing).append(what)


def _object_exists(bucket: str, name: str) -> bool:
    try:
        storage.object_get(bucket, name)
    except ApiError:
        return False
    return True


def _put(report: SeedReport, bucket: str, name: str, data_factory, content_type: str) -> None:
    if _object_exists(bucket, name):
        report.note(f"gs://{bucket}/{name}", False)
        return
    storage.object_write(bucket, name, data_factory(), content_type=content_type)
    report.note(f"gs://{bucket}/{name}", True)


def _synthetic_objects() -> dict[str, callable]:
    """Object name -> function returning its bytes; the UIDs of one study/series are shared."""
    generator = Generator()
    study1, study2 = new_uid(), new_uid()
    series1, series2, series3 = new_uid(), new_uid(), new_uid()

    def clone(study, series, patient, series_number, number):
        return lambda: generator.instance(study_uid=study, series_uid=series, patient=patient,
                                          series_number=series_number, instance_number=number)

    def truncated():
        data = generator.instance(study_uid=study1, series_uid=series1, patient=1)
        return data[: len(data) // 2]

    return {
        "study1/series1/Example.dcm": clone(study1, series1, 1, 1, 1),
        "study1/series1/Example1.dcm": clone(study1, series1, 1, 1, 2),
        "study1/series1/Example22.dcm": clone(study1, series1, 1, 1, 3),
        "study1/series1/empty.dcm": lambda: b"",
        "study1/series1/truncated.dcm": truncated,
        "study1/series2/Example.dcm": clone(study1, series2, 1, 2, 1),
        "study1/series2/Example2.dcm": clone(study1, series2, 1, 2, 2),
        "study2/a/Top.dcm": clone(study2, series3, 2, 1, 1),
        "study2/a/b/c/Deep1.dcm": clone(study2, series3, 2, 1, 2),
        "study2/a/b/c/Deep2.dcm": clone(study2, series3, 2, 1, 3),
        "study2/a/b/c/notes.txt": lambda: b"Not DICOM: a text file among the images.\n",
    }


def seed() -> SeedReport:
    """Create the demo projects, dataset, store, buckets and input objects; return what was created."""
    report = SeedReport()
    for project_id, display_name in PROJECTS.items():
        exists = _project_exists(project_id)
        storage.project_create(project_id=project_id, display_name=display_name)
        report.note(f"project {project_id}", not exists)
    project_id, location, dataset_id = DATASET
    exists = healthcare.Dataset.objects.filter(project_id=project_id, location=location, dataset_id=dataset_id)
    existed = exists.exists()
    dataset = healthcare.dataset_create(project_id=project_id, location=location, dataset_id=dataset_id)
    report.note(f"dataset {dataset.name}", not existed)
    existed = dataset.stores.filter(store_id=STORE_ID).exists()
    store = healthcare.store_create(dataset=dataset, store_id=STORE_ID)
    report.note(f"DICOM store {store.name}", not existed)
    for bucket in (INPUT_BUCKET, EXPORT_BUCKET):
        existed = _bucket_exists(bucket)
        storage.bucket_create(project_id="demo-project", name=bucket, location="US-CENTRAL1")
        report.note(f"bucket gs://{bucket}", not existed)
    for name in SAMPLES:
        path = get_testdata_file(name, download=False)  # never reach the network
        if path:
            _put(report, INPUT_BUCKET, f"samples/{name}", lambda path=path: Path(path).read_bytes(),
                 "application/dicom")
    for name, factory in _synthetic_objects().items():
        content_type = "text/plain" if name.endswith(".txt") else "application/dicom"
        _put(report, INPUT_BUCKET, name, factory, content_type)
    _put(report, INPUT_BUCKET, "README.txt", lambda: README, "text/plain")
    return report


def _project_exists(project_id: str) -> bool:
    try:
        storage.project_get(project_id)
    except ApiError:
        return False
    return True


def _bucket_exists(name: str) -> bool:
    try:
        storage.bucket_get(name)
    except ApiError:
        return False
    return True
