import pytest
import requests
from google.api_core import exceptions
from google.cloud import storage


def test_a_created_bucket_can_be_fetched_with_its_metadata(gcs, unique_id):
    created = gcs.create_bucket(f"st-{unique_id}", location="europe-west4")

    fetched = gcs.get_bucket(created.name)

    assert fetched.name == created.name
    assert fetched.location == "EUROPE-WEST4"
    assert fetched.storage_class == "STANDARD"
    assert fetched.time_created is not None
    assert len(str(fetched.project_number)) == 12


def test_creating_an_existing_bucket_is_a_conflict(gcs, bucket):
    with pytest.raises(exceptions.Conflict):
        gcs.create_bucket(bucket.name)


def test_list_buckets_honours_the_project_filter(emulator_url, unique_id):
    # given: buckets in two projects
    first = storage.Client(project=f"first-{unique_id}")
    second = storage.Client(project=f"second-{unique_id}")
    first.create_bucket(f"st-a-{unique_id}")
    first.create_bucket(f"st-b-{unique_id}")
    second.create_bucket(f"st-c-{unique_id}")

    # when / then
    assert [b.name for b in first.list_buckets()] == [f"st-a-{unique_id}", f"st-b-{unique_id}"]
    assert [b.name for b in second.list_buckets()] == [f"st-c-{unique_id}"]


def test_list_buckets_pages_with_max_results_and_filters_by_prefix(emulator_url, unique_id):
    client = storage.Client(project=f"paged-{unique_id}")
    names = [f"st-{unique_id}-{i}" for i in range(5)]
    for name in names:
        client.create_bucket(name)
    client.create_bucket(f"other-{unique_id}")

    pages = list(client.list_buckets(prefix=f"st-{unique_id}", page_size=2).pages)

    assert [[b.name for b in page] for page in pages] == [names[0:2], names[2:4], names[4:5]]


def test_deleting_a_bucket_that_still_holds_objects_is_a_409(gcs, bucket):
    bucket.blob("keep.txt").upload_from_string(b"still here")

    with pytest.raises(exceptions.Conflict) as excinfo:
        bucket.delete()

    assert "not empty" in str(excinfo.value)
    bucket.blob("keep.txt").delete()
    bucket.delete()
    assert not gcs.lookup_bucket(bucket.name)


def test_a_missing_bucket_answers_googles_error_envelope(emulator_server):
    response = requests.get(f"{emulator_server.url}/storage/v1/b/no-such-bucket-here", timeout=10)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == 404
    assert response.json()["error"]["message"] == "The specified bucket does not exist."


def test_listing_buckets_without_a_project_is_a_400(emulator_server):
    response = requests.get(f"{emulator_server.url}/storage/v1/b", timeout=10)

    assert response.status_code == 400
    assert "project" in response.json()["error"]["message"]


def test_test_iam_permissions_grants_what_is_asked_on_an_existing_bucket(gcs, bucket):
    granted = bucket.test_iam_permissions(["storage.objects.create", "storage.objects.list"])

    assert granted == ["storage.objects.create", "storage.objects.list"]
    with pytest.raises(exceptions.NotFound):
        gcs.bucket("no-such-bucket-for-iam").test_iam_permissions(["storage.objects.create"])
