"""DICOMweb on a live emulator store: STOW-RS, QIDO-RS, WADO-RS, rendered, frames, deletes, metrics."""

import io

import numpy as np
import pydicom
import pytest
import requests
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid

from .conftest import dicom_bytes, multipart_body, split_multipart

MULTIPART_DICOM_ANY = 'multipart/related; type="application/dicom"; transfer-syntax=*'


def uids(data: bytes) -> tuple[str, str, str]:
    ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
    return ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID


def instance_path(data: bytes) -> str:
    study, series, sop = uids(data)
    return f"studies/{study}/series/{series}/instances/{sop}"


def value(result: dict, tag: str):
    return result[tag]["Value"][0]


def test_stow_answers_the_referenced_instance_with_its_retrieve_url(store):
    data = dicom_bytes()
    study, series, sop = uids(data)

    response = store.stow(data)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/dicom+json")
    body = response.json()
    referenced = body["00081199"]["Value"]
    assert [value(item, "00081155") for item in referenced] == [sop]
    assert value(referenced[0], "00081150") == "1.2.840.10008.5.1.4.1.1.2"
    assert value(referenced[0], "00081190") == f"{store.web}/studies/{study}/series/{series}/instances/{sop}"
    assert value(body, "00081190") == f"{store.web}/studies/{study}"
    assert "00081198" not in body


def test_stow_of_an_existing_sop_instance_keeps_the_stored_copy(store):
    # given
    sop = generate_uid()
    first = dicom_bytes(sop=sop, PatientID="FIRST")
    second = dicom_bytes(sop=sop, PatientID="SECOND")
    assert store.stow(first).status_code == 200

    # when
    response = store.stow(second)

    # then: 409 with the duplicate in FailedSOPSequence, reason 0111H; the first copy is kept
    assert response.status_code == 409
    failed = response.json()["00081198"]["Value"]
    assert value(failed[0], "00081155") == sop
    assert value(failed[0], "00081197") == 0x0111
    retrieved = store.get(instance_path(first), headers={"Accept": MULTIPART_DICOM_ANY})
    assert split_multipart(retrieved) == [first]


def test_stow_with_some_failures_is_accepted_with_202(store):
    good = dicom_bytes()

    response = store.stow(good, b"not dicom at all", b"")

    assert response.status_code == 202
    body = response.json()
    assert len(body["00081199"]["Value"]) == 1
    assert [value(item, "00081197") for item in body["00081198"]["Value"]] == [0xC000, 0xC000]


def test_stow_to_a_study_rejects_instances_of_other_studies(store):
    study = generate_uid()
    inside, outside = dicom_bytes(study=study), dicom_bytes()

    response = store.stow(inside, outside, study=study)

    assert response.status_code == 202
    body = response.json()
    assert value(body["00081199"]["Value"][0], "00081155") == uids(inside)[2]
    assert value(body["00081198"]["Value"][0], "00081155") == uids(outside)[2]
    assert value(body["00081198"]["Value"][0], "00081197") == 0xA901


def test_stow_accepts_a_single_application_dicom_body(store):
    data = dicom_bytes()

    response = requests.post(f"{store.web}/studies", data=data, headers={"Content-Type": "application/dicom"},
                             timeout=30)

    assert response.status_code == 200
    assert store.qido("instances", SOPInstanceUID=uids(data)[2])


def test_stow_rejects_other_media_types(store):
    response = requests.post(f"{store.web}/studies", data=b"{}", headers={"Content-Type": "application/json"},
                             timeout=30)
    assert response.status_code == 415


@pytest.fixture
def searchable(store):
    """Two studies: one CT study of two series (3 instances), one MR study; distinct names, dates, ids."""
    study1, study2 = generate_uid(), generate_uid()
    series_a, series_b, series_c = generate_uid(), generate_uid(), generate_uid()
    files = [
        dicom_bytes(study=study1, series=series_a, PatientName="Doe^Jane", PatientID="P-100", StudyDate="20200115",
                    AccessionNumber="ACC1", InstanceNumber=1, SeriesNumber=1),
        dicom_bytes(study=study1, series=series_a, PatientName="Doe^Jane", PatientID="P-100", StudyDate="20200115",
                    AccessionNumber="ACC1", InstanceNumber=2, SeriesNumber=1),
        dicom_bytes(study=study1, series=series_b, PatientName="Doe^Jane", PatientID="P-100", StudyDate="20200115",
                    AccessionNumber="ACC1", InstanceNumber=1, SeriesNumber=2),
        dicom_bytes("MR_small.dcm", study=study2, series=series_c, PatientName="Roe^Richard", PatientID="P-200",
                    StudyDate="20211231", AccessionNumber="ACC2"),
    ]
    assert store.stow(*files).status_code == 200
    return {"store": store, "study1": study1, "study2": study2, "series": (series_a, series_b, series_c),
            "files": files}


def test_qido_finds_studies_with_wildcards_ranges_uids_and_keywords_or_tags(searchable):
    store, study1, study2 = searchable["store"], searchable["study1"], searchable["study2"]

    def studies(**params):
        return sorted(value(r, "0020000D") for r in store.qido("studies", **params))

    assert studies() == sorted([study1, study2])
    assert studies(PatientName="Doe*") == [study1]
    assert studies(PatientName="doe^jane") == [study1]  # person names match case-insensitively
    assert studies(PatientName="R?e^Richard") == [study2]
    assert studies(PatientID="P-?00") == sorted([study1, study2])
    assert studies(StudyDate="20200101-20201231") == [study1]
    assert studies(StudyDate="20210101-") == [study2]
    assert studies(StudyDate="-20201231") == [study1]
    assert studies(StudyDate="20211231") == [study2]
    assert studies(StudyInstanceUID=f"{study1},{study2}") == sorted([study1, study2])
    assert studies(**{"0020000D": study2}) == [study2]
    assert studies(ModalitiesInStudy="MR") == [study2]
    assert studies(AccessionNumber="ACC1") == [study1]
    assert studies(PatientName="Rich", fuzzymatching="true") == [study2]
    assert studies(PatientID="nobody") == []


def test_qido_answers_204_when_nothing_matches(searchable):
    response = searchable["store"].get("studies", params={"PatientID": "nobody"})
    assert response.status_code == 204
    assert response.content == b""


def test_qido_study_results_carry_counts_modalities_and_retrieve_url(searchable):
    store, study1 = searchable["store"], searchable["study1"]

    [result] = store.qido("studies", StudyInstanceUID=study1)

    assert value(result, "00201206") == 2  # NumberOfStudyRelatedSeries
    assert value(result, "00201208") == 3  # NumberOfStudyRelatedInstances
    assert result["00080061"]["Value"] == ["CT"]
    assert value(result, "00100010") == {"Alphabetic": "Doe^Jane"}
    assert value(result, "00081190") == f"{store.web}/studies/{study1}"
    assert "00280010" not in result  # Rows is not a study attribute


def test_qido_includefield_adds_attributes_and_all_adds_everything(searchable):
    store, study1 = searchable["store"], searchable["study1"]

    [plain] = store.qido(f"studies/{study1}/series/{searchable['series'][0]}/instances", limit=1)
    [with_field] = store.qido(f"studies/{study1}/series/{searchable['series'][0]}/instances", limit=1,
                              includefield="Manufacturer")
    [with_all] = store.qido("instances", SOPInstanceUID=uids(searchable["files"][0])[2], includefield="all")

    assert "00080070" not in plain
    assert "00080070" in with_field
    assert "00180050" in with_all  # SliceThickness, only with includefield=all
    assert "7FE00010" not in with_all


def test_qido_limit_and_offset_page_through_instances(searchable):
    store, study1 = searchable["store"], searchable["study1"]

    every = [value(r, "00080018") for r in store.qido(f"studies/{study1}/instances")]
    pages = [value(r, "00080018") for offset in (0, 1, 2) for r in
             store.qido(f"studies/{study1}/instances", limit=1, offset=offset)]

    assert len(every) == 3
    assert pages == every
    assert store.qido(f"studies/{study1}/instances", offset=3) == []


def test_qido_series_at_every_level(searchable):
    store, study1 = searchable["store"], searchable["study1"]
    series_a, series_b, _ = searchable["series"]

    in_study = store.qido(f"studies/{study1}/series")
    everywhere = store.qido("series", SeriesInstanceUID=series_b)
    numbered = store.qido(f"studies/{study1}/series", SeriesNumber="2")

    assert sorted(value(r, "0020000E") for r in in_study) == sorted([series_a, series_b])
    assert {value(r, "0020000E"): value(r, "00201209") for r in in_study} == {series_a: 2, series_b: 1}
    assert value(everywhere[0], "0020000D") == study1  # study attributes at the top level
    assert [value(r, "0020000E") for r in numbered] == [series_b]


def test_qido_rejects_unknown_attributes(searchable):
    response = searchable["store"].get("studies", params={"NotAKeyword": "x"})
    assert response.status_code == 400


def test_wado_returns_the_stored_bytes_unchanged(searchable):
    store, files = searchable["store"], searchable["files"]
    study1 = searchable["study1"]

    instance = store.get(instance_path(files[0]), headers={"Accept": MULTIPART_DICOM_ANY})
    series = store.get(f"studies/{study1}/series/{searchable['series'][0]}", headers={"Accept": MULTIPART_DICOM_ANY})
    study = store.get(f"studies/{study1}", headers={"Accept": MULTIPART_DICOM_ANY})
    single = store.get(instance_path(files[0]), headers={"Accept": "application/dicom; transfer-syntax=*"})

    assert instance.headers["Content-Type"].startswith('multipart/related; type="application/dicom"')
    assert split_multipart(instance) == [files[0]]
    assert sorted(split_multipart(series)) == sorted(files[:2])
    assert sorted(split_multipart(study)) == sorted(files[:3])
    assert single.content == files[0]


def test_wado_transcodes_compressed_instances_to_explicit_little_endian_by_default(store):
    data = dicom_bytes("JPEG2000.dcm")
    assert store.stow(data).status_code == 200

    response = store.get(instance_path(data))
    [part] = split_multipart(response)

    ds = pydicom.dcmread(io.BytesIO(part))
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    original = pydicom.dcmread(io.BytesIO(data))
    assert np.array_equal(ds.pixel_array, original.pixel_array)


def test_wado_transcodes_on_request_and_refuses_what_it_cannot_encode(store):
    ct, big_endian = dicom_bytes(), dicom_bytes("MR_small_bigendian.dcm")
    store.stow(ct, big_endian)

    j2k = store.get(instance_path(ct), headers={
        "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.90'})
    little = store.get(instance_path(big_endian))
    htj2k = store.get(instance_path(ct), headers={
        "Accept": 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.201'})

    [part] = split_multipart(j2k)
    assert "transfer-syntax=1.2.840.10008.1.2.4.90" in j2k.content.decode("latin-1").split("\r\n\r\n")[0]
    assert np.array_equal(pydicom.dcmread(io.BytesIO(part)).pixel_array, pydicom.dcmread(io.BytesIO(ct)).pixel_array)
    [part] = split_multipart(little)
    converted = pydicom.dcmread(io.BytesIO(part))
    assert converted.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert np.array_equal(converted.pixel_array, pydicom.dcmread(io.BytesIO(big_endian)).pixel_array)
    assert htj2k.status_code == 406


def test_metadata_at_each_level_is_dicom_json_without_pixel_data(searchable):
    store, files, study1 = searchable["store"], searchable["files"], searchable["study1"]

    study = store.get(f"studies/{study1}/metadata").json()
    series = store.get(f"studies/{study1}/series/{searchable['series'][1]}/metadata").json()
    instance = store.get(instance_path(files[0]) + "/metadata").json()

    assert len(study) == 3 and len(series) == 1 and len(instance) == 1
    assert value(instance[0], "00080018") == uids(files[0])[2]
    assert value(instance[0], "00280010") == 128
    assert all("7FE00010" not in item for item in study)


def test_wado_of_a_missing_instance_is_not_found(store):
    response = store.get(f"studies/{generate_uid()}/series/{generate_uid()}/instances/{generate_uid()}")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == "NOT_FOUND"


def test_rendered_instance_is_a_jpeg_by_default_and_a_png_on_request(store):
    data = dicom_bytes()
    store.stow(data)

    jpeg = store.get(instance_path(data) + "/rendered")
    png = store.get(instance_path(data) + "/rendered", headers={"Accept": "image/png"})
    small = store.get(instance_path(data) + "/rendered", params={"viewport": "64,64"},
                      headers={"Accept": "image/png"})

    assert jpeg.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(jpeg.content)).format == "JPEG"
    image = Image.open(io.BytesIO(png.content))
    assert (image.format, image.size, image.mode) == ("PNG", (128, 128), "L")
    assert Image.open(io.BytesIO(small.content)).size == (64, 64)


def test_rendered_monochrome1_is_the_inverse_of_monochrome2(store):
    mono2 = dicom_bytes(PhotometricInterpretation="MONOCHROME2")
    mono1 = dicom_bytes(PhotometricInterpretation="MONOCHROME1")
    store.stow(mono1, mono2)

    def pixels(data):
        response = store.get(instance_path(data) + "/rendered", headers={"Accept": "image/png"})
        return np.asarray(Image.open(io.BytesIO(response.content))).astype(int)

    a, b = pixels(mono1), pixels(mono2)
    assert a.std() > 0
    assert np.array_equal(a, 255 - b)


def test_rendered_colour_image_is_rgb(store):
    data = dicom_bytes("SC_rgb_jpeg_dcmtk.dcm")  # JPEG baseline, YBR_FULL
    store.stow(data)

    response = store.get(instance_path(data) + "/rendered", headers={"Accept": "image/png"})

    image = Image.open(io.BytesIO(response.content))
    assert image.mode == "RGB"
    red = image.getpixel((50, 5))  # the test image's top band is red
    assert red[0] > 240 and red[1] < 15 and red[2] < 15


def test_frames_of_a_multiframe_instance(store):
    data = dicom_bytes("emri_small.dcm")
    store.stow(data)
    original = pydicom.dcmread(get_testdata_file("emri_small.dcm"))

    frames = split_multipart(store.get(instance_path(data) + "/frames/2,10"))
    rendered = store.get(instance_path(data) + "/frames/10/rendered", headers={"Accept": "image/png"})
    out_of_range = store.get(instance_path(data) + "/frames/11")

    assert len(frames) == 2
    assert np.array_equal(np.frombuffer(frames[0], dtype="<u2").reshape(64, 64), original.pixel_array[1])
    assert np.array_equal(np.frombuffer(frames[1], dtype="<u2").reshape(64, 64), original.pixel_array[9])
    assert Image.open(io.BytesIO(rendered.content)).size == (64, 64)
    assert out_of_range.status_code == 400


def test_metrics_and_storage_info_count_what_is_stored(healthcare, searchable):
    store, files = searchable["store"], searchable["files"]
    stores = healthcare().projects().locations().datasets().dicomStores()

    metrics = stores.getDICOMStoreMetrics(name=store.name).execute()
    info = stores.dicomWeb().studies().series().instances().getStorageInfo(
        resource=f"{store.name}/dicomWeb/{instance_path(files[0])}"
    ).execute()

    assert (metrics["studyCount"], metrics["seriesCount"], metrics["instanceCount"]) == ("2", "3", "4")
    assert metrics["blobStorageSizeBytes"] == str(sum(len(f) for f in files))
    assert int(metrics["structuredStorageSizeBytes"]) > 0
    assert info["blobStorageInfo"]["sizeBytes"] == str(len(files[0]))
    assert info["blobStorageInfo"]["storageClass"] == "STANDARD"
    assert info["referencedResource"] == f"{store.name}/dicomWeb/{instance_path(files[0])}"


def test_deleting_an_instance_a_series_and_a_study(healthcare, searchable):
    store, files, study1, study2 = searchable["store"], searchable["files"], searchable["study1"], searchable["study2"]
    series_b = searchable["series"][1]

    instance = requests.delete(f"{store.web}/{instance_path(files[0])}", timeout=30)
    series = requests.delete(f"{store.web}/studies/{study1}/series/{series_b}", timeout=30)
    study = requests.delete(f"{store.web}/studies/{study2}", timeout=30)
    again = requests.delete(f"{store.web}/studies/{study2}", timeout=30)

    assert instance.status_code == 200 and instance.json() == {}
    assert series.json()["done"] is True
    assert study.json()["response"] == {"@type": "type.googleapis.com/google.protobuf.Empty"}
    assert again.status_code == 404
    remaining = [value(r, "00080018") for r in store.qido("instances")]
    assert remaining == [uids(files[1])[2]]
    metrics = healthcare().projects().locations().datasets().dicomStores().getDICOMStoreMetrics(
        name=store.name).execute()
    assert metrics["instanceCount"] == "1"


def test_the_same_store_answers_under_v1beta1(store):
    data = dicom_bytes()
    beta = store.web.replace("/v1/", "/v1beta1/")

    body, content_type = multipart_body(data)
    stowed = requests.post(f"{beta}/studies", data=body, headers={"Content-Type": content_type}, timeout=30)

    assert stowed.status_code == 200
    assert value(stowed.json()["00081199"]["Value"][0], "00081190").startswith(f"{beta}/studies/")
    assert store.qido("instances", SOPInstanceUID=uids(data)[2])


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
@pytest.mark.parametrize(
    "bad_uid",
    ["../../../../tmp/evil", "1.2/../../3", "1.2.3/4", "1..2", "..", "1.2.3\\4"],
)
def test_uids_that_look_like_paths_are_rejected_and_write_nothing_outside_the_data_dir(
    store, emulator_server, bad_uid
):
    # given
    outside = emulator_server.data_dir.parent
    before = {p for p in outside.rglob("*") if p.is_file() and emulator_server.data_dir not in p.parents}
    data = dicom_bytes(sop=bad_uid)

    # when
    response = store.stow(data)

    # then
    assert response.status_code == 409
    assert value(response.json()["00081198"]["Value"][0], "00081197") == 0xC000
    after = {p for p in outside.rglob("*") if p.is_file() and emulator_server.data_dir not in p.parents}
    assert {p for p in after - before if p.suffix not in (".log", ".jsonl", ".sqlite3-wal", ".sqlite3-shm")} == set()
    for path in (emulator_server.data_dir / "dicom").rglob("*"):
        assert ".." not in path.name and "evil" not in str(path)


def test_a_study_uid_in_the_url_with_dot_dot_is_only_a_lookup(store):
    response = store.get("studies/..%2F..%2Fetc/series")
    assert response.status_code in (204, 404)


def test_the_discovery_client_searches_and_retrieves_through_dicomweb(healthcare, store):
    data = dicom_bytes(PatientID="DISCO-1")
    study, series, sop = uids(data)
    store.stow(data)
    stores = healthcare().projects().locations().datasets().dicomStores()

    found = stores.searchForInstances(parent=store.name, dicomWebPath="instances").execute()
    nothing = stores.studies().searchForSeries(parent=store.name, dicomWebPath=f"studies/{generate_uid()}/series"
                                               ).execute()
    rendered = stores.studies().series().instances().retrieveRendered(
        parent=store.name, dicomWebPath=f"studies/{study}/series/{series}/instances/{sop}/rendered"
    )
    rendered.postproc = lambda response, content: content
    image = Image.open(io.BytesIO(rendered.execute()))

    assert [value(r, "00080018") for r in found] == [sop]
    assert nothing == {}  # 204 No Content
    assert image.size == (128, 128)


def test_study_and_series_metrics(healthcare, searchable):
    store, files, study1 = searchable["store"], searchable["files"], searchable["study1"]
    series_a = searchable["series"][0]
    studies = healthcare().projects().locations().datasets().dicomStores().dicomWeb().studies()

    study = studies.getStudyMetrics(study=f"{store.name}/dicomWeb/studies/{study1}").execute()
    series = studies.series().getSeriesMetrics(series=f"{store.name}/dicomWeb/studies/{study1}/series/{series_a}"
                                               ).execute()

    assert (study["seriesCount"], study["instanceCount"]) == ("2", "3")
    assert study["blobStorageSizeBytes"] == str(sum(len(f) for f in files[:3]))
    assert series["instanceCount"] == "2"
    assert series["series"] == f"{store.name}/dicomWeb/studies/{study1}/series/{series_a}"
