"""In-process unit tests: DICOM parsing, QIDO matching, multipart, rendering, the synthetic generator."""

import io
import threading

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from emulator.dicom import multipart, qido
from emulator.dicom.parse import DicomParseError, parse_instance
from emulator.dicom.render import RenderError, frame_to_8bit, render_frame
from emulator.synthetic import generate_instances, new_uid
from emulator.wire import ApiError


def read(name: str) -> bytes:
    with open(get_testdata_file(name), "rb") as handle:
        return handle.read()


# -- parsing -------------------------------------------------------------------------------------------------


def test_parse_extracts_uids_geometry_and_qido_attributes():
    parsed = parse_instance(read("emri_small.dcm"))

    assert parsed.number_of_frames == 10
    assert (parsed.rows, parsed.columns) == (64, 64)
    assert parsed.transfer_syntax_uid == "1.2.840.10008.1.2.1"
    assert parsed.attributes["modality"] == "MR"
    assert "7FE00010" not in parsed.metadata
    assert parsed.metadata["00080018"]["Value"] == [parsed.sop_uid]


@pytest.mark.filterwarnings("ignore:Invalid value for VR")
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty DICOM instance found"),
        (b"hello, I am a text file", "not a DICOM Part 10 file"),
        (read("CT_small.dcm")[:20000], "truncated"),
        (read("MR_truncated.dcm"), "truncated"),
        (read("meta_missing_tsyntax.dcm"), "SOP Instance UID"),
    ],
)
def test_parse_rejects_bad_input_with_a_specific_message(data, message):
    with pytest.raises(DicomParseError, match=message):
        parse_instance(data)


# -- QIDO matching -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vr", "query", "values", "expected"),
    [
        ("PN", "Doe*", ["Doe^Jane"], True),
        ("PN", "doe^jane", ["Doe^Jane"], True),
        ("PN", "D?e^Jane", ["Doe^Jane"], True),
        ("PN", "Doe", ["Doe^Jane"], False),
        ("LO", "P-1*", ["P-100"], True),
        ("LO", "p-100", ["P-100"], False),  # non-PN strings match case-sensitively
        ("LO", "P-1?0", ["P-100"], True),
        ("LO", "", ["anything"], True),
        ("DA", "20200101-20201231", ["20200615"], True),
        ("DA", "20200101-20201231", ["20210101"], False),
        ("DA", "-20200101", ["20191231"], True),
        ("DA", "20200101-", ["20191231"], False),
        ("TM", "080000-120000", ["093015.123"], True),
        ("UI", "1.2.3,1.2.4", ["1.2.4"], True),
        ("UI", "1.2.3\\1.2.4", ["1.2.5"], False),
        ("IS", "2", ["2"], True),
        ("CS", "CT", ["MR", "CT"], True),
    ],
)
def test_value_matching_follows_dicom_rules(vr, query, values, expected):
    assert qido.value_matches(vr, query, values) is expected


def test_fuzzy_matching_matches_the_start_of_any_name_component():
    assert qido.value_matches("PN", "jan", ["Doe^Jane"], fuzzy=True)
    assert not qido.value_matches("PN", "ane", ["Doe^Jane"], fuzzy=True)


def test_query_parse_accepts_keywords_tags_and_includefield_lists():
    query = qido.query_parse({"PatientName": ["Doe*"], "00100020": ["P1"], "includefield": ["00080070,Modality"],
                              "limit": ["5"], "offset": ["10"], "fuzzymatching": ["true"], "alt": ["json"]}, "study")

    assert query.matches == {0x00100010: "Doe*", 0x00100020: "P1"}
    assert query.includefields == {0x00080070, 0x00080060}
    assert (query.limit, query.offset, query.fuzzy) == (5, 10, True)


@pytest.mark.parametrize("params", [{"Nonsense": ["1"]}, {"limit": ["-1"]}, {"offset": ["x"]}])
def test_query_parse_rejects_bad_parameters(params):
    with pytest.raises(ApiError) as error:
        qido.query_parse(params, "instance")
    assert error.value.code == 400


# -- multipart -----------------------------------------------------------------------------------------------


def test_multipart_round_trip_keeps_binary_payloads_intact():
    payloads = [b"\r\n--not-the-boundary\r\n", bytes(range(256)), b""]
    body = b"".join(multipart.build([("application/dicom", p) for p in payloads], "BOUNDARY"))

    parsed = multipart.parts(body, "BOUNDARY")

    assert [p for _, p in parsed] == payloads
    assert parsed[0][0]["content-type"] == "application/dicom"


def test_content_type_params_unquote_values():
    media_type, params = multipart.content_type_params('multipart/related; type="application/dicom"; boundary=ab')
    assert media_type == "multipart/related"
    assert params == {"type": "application/dicom", "boundary": "ab"}


# -- rendering -----------------------------------------------------------------------------------------------


def test_render_applies_the_window_from_the_header():
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.WindowCenter, ds.WindowWidth = 100, 2
    arr = frame_to_8bit(ds)
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)

    assert arr.dtype == np.uint8
    assert set(np.unique(arr[hu <= 98])) == {0}
    assert set(np.unique(arr[hu >= 101])) == {255}


def test_render_without_a_window_stretches_min_to_max():
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    for keyword in ("WindowCenter", "WindowWidth"):
        if keyword in ds:
            delattr(ds, keyword)

    arr = frame_to_8bit(ds)

    assert (arr.min(), arr.max()) == (0, 255)


def test_render_monochrome1_inverts():
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    normal = frame_to_8bit(ds)
    ds.PhotometricInterpretation = "MONOCHROME1"

    assert np.array_equal(frame_to_8bit(ds), 255 - normal)


@pytest.mark.parametrize("name", ["SC_rgb_rle.dcm", "SC_rgb_jpeg_dcmtk.dcm", "SC_ybr_full_uncompressed.dcm"])
def test_render_colour_images_as_rgb(name):
    arr = frame_to_8bit(pydicom.dcmread(get_testdata_file(name)))

    assert arr.shape == (100, 100, 3)
    assert np.abs(arr[5, 50].astype(int) - [255, 0, 0]).max() <= 3  # the red band
    assert np.abs(arr[25, 50].astype(int) - [0, 255, 0]).max() <= 6  # the green band


def test_render_multiframe_by_index_and_out_of_range():
    ds = pydicom.dcmread(get_testdata_file("emri_small.dcm"))

    png = render_frame(ds, 9, fmt="png")

    assert png.startswith(b"\x89PNG")
    with pytest.raises(RenderError, match="out of range"):
        render_frame(ds, 10)


def test_render_without_pixel_data_is_an_error():
    with pytest.raises(RenderError, match="no pixel data"):
        frame_to_8bit(pydicom.dcmread(get_testdata_file("test-SR.dcm")))


# -- synthetic generator --------------------------------------------------------------------------------------


def test_generator_makes_valid_instances_with_fresh_uids_in_studies_and_series():
    items = list(generate_instances(12, studies=3, series_per_study=2))

    datasets = [pydicom.dcmread(io.BytesIO(data)) for _, data in items]
    assert len({ds.SOPInstanceUID for ds in datasets}) == 12
    assert len({ds.StudyInstanceUID for ds in datasets}) == 3
    assert len({ds.SeriesInstanceUID for ds in datasets}) == 6
    assert all(ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID for ds in datasets)
    assert items[0][0] == "study0001/series01/000001.dcm"
    assert items[-1][0] == "study0003/series02/000012.dcm"
    assert 35_000 < len(items[0][1]) < 45_000
    parsed = parse_instance(items[0][1])
    assert parsed.attributes["patient_id"] == "SYN000000001"


def test_new_uids_are_valid_and_fixed_length():
    uids = {new_uid() for _ in range(1000)}
    assert len(uids) == 1000
    assert all(len(u) == 44 and u.startswith("2.25.") and pydicom.uid.UID(u).is_valid for u in uids)


# -- the instance service (in-process, test database) ---------------------------------------------------------


@pytest.fixture
def local_store(settings, tmp_path):
    from emulator.healthcare import service

    settings.EMULATOR_DATA_DIR = tmp_path
    dataset = service.dataset_create(project_id="unit-project", location="us-central1", dataset_id="d")
    return service.store_create(dataset=dataset, store_id="s")


@pytest.mark.django_db(transaction=True)
def test_concurrent_stores_of_one_sop_instance_keep_exactly_one(local_store, tmp_path):
    from emulator.healthcare import service
    from emulator.healthcare.models import Instance

    data = next(generate_instances(1))[1]
    results, errors = [], []

    def store():
        try:
            results.append(service.instance_store(local_store, data)[1])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=store) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    assert Instance.objects.filter(store=local_store).count() == 1
    assert len([p for p in (tmp_path / "dicom").rglob("*") if p.is_file()]) == 1


@pytest.mark.django_db
def test_instance_store_raises_invalid_dicom_for_an_empty_file(local_store):
    from emulator.healthcare import service

    with pytest.raises(service.InvalidDicom, match="empty DICOM instance found"):
        service.instance_store(local_store, io.BytesIO(b""))


@pytest.mark.django_db
def test_a_stored_instance_keeps_its_metadata_encoded_once_and_reads_it_back_equal(local_store):
    from django.db import connection

    from emulator.healthcare import service
    from emulator.healthcare.models import Instance

    data = next(generate_instances(1))[1]
    parsed = parse_instance(data)
    prepared = service.instance_prepare(local_store, data)
    service.instances_save([prepared])

    with connection.cursor() as cursor:
        cursor.execute("SELECT metadata FROM emulator_healthcare_instance WHERE id = %s",
                       [Instance.objects.get().id])
        text = cursor.fetchone()[0]
    assert text == prepared.metadata.text  # the text measured for metadata_size is the one stored
    assert prepared.metadata_size == len(text)
    stored = Instance.objects.get().metadata
    assert type(stored) is dict and stored == dict(prepared.metadata)
    assert stored.keys() == parsed.metadata.keys()
    assert stored == parsed.metadata


@pytest.mark.filterwarnings("ignore:Invalid value for VR")
def test_parse_keeps_an_instance_with_an_invalid_value_and_leaves_that_value_out():
    parsed = parse_instance(read("badVR.dcm"))  # NumberOfFrames is "1A"

    assert parsed.sop_uid
    assert "00280008" not in parsed.metadata


def test_parse_from_many_threads_gives_the_same_results():
    from concurrent.futures import ThreadPoolExecutor

    inputs = [read("CT_small.dcm"), read("CT_small.dcm")[:20000], b"", read("emri_small.dcm")] * 10

    def outcome(data):
        try:
            return parse_instance(data).sop_uid
        except DicomParseError as exc:
            return str(exc)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(outcome, inputs))

    assert results == [outcome(data) for data in inputs]


def test_wildcards_collapse_and_too_many_are_rejected():
    assert qido.wildcard_regex("a**b") == qido.wildcard_regex("a*b")
    with pytest.raises(ApiError):
        qido.wildcard_regex("*a" * 9)
