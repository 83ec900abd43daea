"""Fixtures of the console tests: a project with a bucket of DICOM files and a dataset with a store, in the emulator."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from pydicom.uid import generate_uid

from gcp import dicomweb, healthcare, storage
from gcp.session import get_session
from tests.console.dicomdata import dicom_copy

LOCATION = "us-central1"


@dataclass
class Cloud:
    project: str
    location: str
    dataset: str
    store: str
    bucket: str

    @property
    def dataset_name(self) -> str:
        return f"projects/{self.project}/locations/{self.location}/datasets/{self.dataset}"

    @property
    def store_name(self) -> str:
        return f"{self.dataset_name}/dicomStores/{self.store}"

    def url(self, page: str = "") -> str:
        base = f"/projects/{self.project}/locations/{self.location}/datasets/{self.dataset}"
        return f"{base}/dicomStores/{self.store}/{page}" if page else base


@pytest.fixture
def cloud(emulator_url, unique_id) -> Cloud:
    """A project (made by creating its bucket), a dataset and an empty DICOM store in the emulator."""
    session = get_session()
    c = Cloud(project=f"p-{unique_id}", location=LOCATION, dataset=f"ds-{unique_id}", store=f"st-{unique_id}",
              bucket=f"b-{unique_id}")
    storage.bucket_create(session, project_id=c.project, bucket=c.bucket)
    healthcare.dataset_create(session, project_id=c.project, location=c.location, dataset_id=c.dataset)
    healthcare.dicom_store_create(session, dataset_name=c.dataset_name, store_id=c.store)
    return c


@pytest.fixture
def bucket_files(cloud):
    """Put DICOM files (and one text file) in the bucket: dir/a.dcm, dir/b.dcm, dir/sub/c.dcm, dir/notes.txt."""
    session = get_session()
    for name in ("dir/a.dcm", "dir/b.dcm", "dir/sub/c.dcm"):
        storage.object_upload(session, bucket=cloud.bucket, name=name, data=dicom_copy(),
                              content_type="application/dicom")
    storage.object_upload(session, bucket=cloud.bucket, name="dir/notes.txt", data=b"not dicom")
    return cloud


@pytest.fixture
def stored_study(cloud):
    """Store two series of one study in the DICOM store; return (study_uid, [series_uid, ...])."""
    study = generate_uid()
    series = [generate_uid(), generate_uid()]
    files = [dicom_copy(study, series[0]), dicom_copy(study, series[0]), dicom_copy(study, series[1])]
    dicomweb.store_instances(get_session(), store_name=cloud.store_name, files=files)
    return study, series


@pytest.fixture
def starter(django_user_model, password):
    """A user allowed to start imports and exports."""
    user = django_user_model.objects.create_user("bob", "bob@example.org", password)
    user.user_permissions.add(Permission.objects.get(codename="start_operation", content_type__app_label="operations"))
    return user


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, whatever language an earlier request left active in this thread."""
    from django.utils import translation

    with translation.override("en"):
        yield
