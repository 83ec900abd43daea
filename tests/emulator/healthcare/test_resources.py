"""Locations, datasets and DICOM stores through google-api-python-client (v1 and v1beta1)."""

import pytest
import requests
from googleapiclient.errors import HttpError

from .conftest import LOCATION

VERSIONS = ["v1", "v1beta1"]


@pytest.mark.parametrize("version", VERSIONS)
def test_locations_list_and_get_come_from_the_configured_regions(healthcare, project, version):
    client = healthcare(version)
    locations = client.projects().locations()

    listed = locations.list(name=f"projects/{project}").execute()
    one = locations.get(name=f"projects/{project}/locations/{LOCATION}").execute()

    assert {loc["locationId"] for loc in listed["locations"]} == {"us-central1", "europe-west4"}
    assert one == {"name": f"projects/{project}/locations/{LOCATION}", "locationId": LOCATION}


def test_locations_of_an_unknown_project_are_not_found(healthcare):
    with pytest.raises(HttpError) as error:
        healthcare().projects().locations().list(name="projects/no-such-project-here").execute()
    assert error.value.status_code == 404


def test_an_unknown_location_is_not_found(healthcare, project):
    with pytest.raises(HttpError) as error:
        healthcare().projects().locations().get(name=f"projects/{project}/locations/mars-north1").execute()
    assert error.value.status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_datasets_create_list_get_delete(healthcare, project, version):
    datasets = healthcare(version).projects().locations().datasets()
    parent = f"projects/{project}/locations/{LOCATION}"

    # when
    operation = datasets.create(parent=parent, datasetId="ds-a", body={"timeZone": "Europe/Berlin"}).execute()
    datasets.create(parent=parent, datasetId="ds-b", body={}).execute()
    first = datasets.list(parent=parent, pageSize=1).execute()
    second = datasets.list(parent=parent, pageSize=1, pageToken=first["nextPageToken"]).execute()
    got = datasets.get(name=f"{parent}/datasets/ds-a").execute()

    # then
    assert operation["done"] is True
    assert operation["name"].startswith(f"{parent}/datasets/ds-a/operations/")
    assert operation["response"] == {
        "@type": f"type.googleapis.com/google.cloud.healthcare.{version}.Dataset",
        "name": f"{parent}/datasets/ds-a",
        "timeZone": "Europe/Berlin",
    }
    assert [d["name"] for d in first["datasets"] + second["datasets"]] == [
        f"{parent}/datasets/ds-a",
        f"{parent}/datasets/ds-b",
    ]
    assert "nextPageToken" not in second
    assert got == {"name": f"{parent}/datasets/ds-a", "timeZone": "Europe/Berlin"}

    assert datasets.delete(name=f"{parent}/datasets/ds-a").execute() == {}
    with pytest.raises(HttpError) as error:
        datasets.get(name=f"{parent}/datasets/ds-a").execute()
    assert error.value.status_code == 404


def test_the_dataset_create_operation_can_be_read_back(healthcare, project):
    datasets = healthcare().projects().locations().datasets()
    parent = f"projects/{project}/locations/{LOCATION}"

    operation = datasets.create(parent=parent, datasetId="ds-op", body={}).execute()
    again = datasets.operations().get(name=operation["name"]).execute()

    assert again["done"] is True
    assert again["response"]["name"] == f"{parent}/datasets/ds-op"


def test_creating_a_dataset_twice_is_a_conflict(healthcare, project):
    datasets = healthcare().projects().locations().datasets()
    parent = f"projects/{project}/locations/{LOCATION}"
    datasets.create(parent=parent, datasetId="twice", body={}).execute()

    with pytest.raises(HttpError) as error:
        datasets.create(parent=parent, datasetId="twice", body={}).execute()

    assert error.value.status_code == 409
    assert error.value.error_details or "already exists" in str(error.value)


@pytest.mark.parametrize("dataset_id", ["has space", "slash%2Fx", "x" * 257, "question?"])
def test_an_invalid_dataset_id_is_rejected(emulator_server, project, dataset_id):
    response = requests.post(
        f"{emulator_server.url}/v1/projects/{project}/locations/{LOCATION}/datasets?datasetId={dataset_id}",
        json={},
        timeout=30,
    )

    assert response.status_code == 400
    assert response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_a_dataset_in_an_unknown_project_cannot_be_created(healthcare):
    with pytest.raises(HttpError) as error:
        healthcare().projects().locations().datasets().create(
            parent=f"projects/nobody-owns-this/locations/{LOCATION}", datasetId="d", body={}
        ).execute()
    assert error.value.status_code == 404


@pytest.mark.parametrize("version", VERSIONS)
def test_dicom_stores_create_list_filter_get_delete(healthcare, project, version):
    client = healthcare(version)
    parent = f"projects/{project}/locations/{LOCATION}"
    client.projects().locations().datasets().create(parent=parent, datasetId="stores", body={}).execute()
    stores = client.projects().locations().datasets().dicomStores()
    dataset = f"{parent}/datasets/stores"

    # when
    created = stores.create(parent=dataset, dicomStoreId="ct", body={"labels": {"modality": "ct"}}).execute()
    stores.create(parent=dataset, dicomStoreId="mr", body={"labels": {"modality": "mr"}}).execute()
    stores.create(parent=dataset, dicomStoreId="plain", body={}).execute()
    page1 = stores.list(parent=dataset, pageSize=2).execute()
    page2 = stores.list(parent=dataset, pageSize=2, pageToken=page1["nextPageToken"]).execute()
    filtered = stores.list(parent=dataset, filter="labels.modality=mr").execute()
    got = stores.get(name=f"{dataset}/dicomStores/ct").execute()

    # then
    assert created == {"name": f"{dataset}/dicomStores/ct", "labels": {"modality": "ct"}}
    assert [s["name"].rsplit("/", 1)[1] for s in page1["dicomStores"] + page2["dicomStores"]] == ["ct", "mr", "plain"]
    assert [s["name"] for s in filtered["dicomStores"]] == [f"{dataset}/dicomStores/mr"]
    assert got == created

    with pytest.raises(HttpError) as error:
        stores.create(parent=dataset, dicomStoreId="ct", body={}).execute()
    assert error.value.status_code == 409

    assert stores.delete(name=f"{dataset}/dicomStores/ct").execute() == {}
    with pytest.raises(HttpError) as error:
        stores.get(name=f"{dataset}/dicomStores/ct").execute()
    assert error.value.status_code == 404


def test_a_store_in_an_unknown_dataset_is_not_found(healthcare, project):
    stores = healthcare().projects().locations().datasets().dicomStores()
    with pytest.raises(HttpError) as error:
        stores.create(parent=f"projects/{project}/locations/{LOCATION}/datasets/missing", dicomStoreId="s",
                      body={}).execute()
    assert error.value.status_code == 404


def test_store_metrics_of_an_empty_store_carry_only_the_name(healthcare, store):
    stores = healthcare().projects().locations().datasets().dicomStores()

    metrics = stores.getDICOMStoreMetrics(name=store.name).execute()

    assert metrics == {"name": store.name}


def test_deleting_a_dataset_deletes_its_stores_and_instances(healthcare, store, emulator_server):
    from .conftest import dicom_bytes

    assert store.stow(dicom_bytes()).status_code == 200
    blobs_before = {p for p in (emulator_server.data_dir / "dicom").rglob("*") if p.is_file()}
    dataset = store.name.rsplit("/dicomStores/", 1)[0]

    healthcare().projects().locations().datasets().delete(name=dataset).execute()

    with pytest.raises(HttpError) as error:
        healthcare().projects().locations().datasets().dicomStores().get(name=store.name).execute()
    assert error.value.status_code == 404
    blobs_after = {p for p in (emulator_server.data_dir / "dicom").rglob("*") if p.is_file()}
    assert len(blobs_before - blobs_after) == 1
