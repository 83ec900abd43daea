import pytest
from django.test import RequestFactory

from dicomweb_ui.context_processors import frame

DATASET = "/projects/p/locations/us-central1/datasets/d"


@pytest.mark.parametrize(
    ("path", "active"),
    [
        ("/datasets/", "Datasets"),
        ("/projects/p/locations/us-central1/datasets", "Datasets"),
        (f"{DATASET}/dicomStores/s/import", "Datasets"),
        ("/operations/", "Operations"),
        (f"{DATASET}/operations", "Operations"),
        (f"{DATASET}/operations/123", "Operations"),
        ("/admin/", None),
    ],
)
def test_the_left_navigation_marks_the_section_of_the_page(path, active):
    items = frame(RequestFactory().get(path))["navigation"]
    assert [str(item["label"]) for item in items if item["active"]] == ([active] if active else [])
