"""dicomStores.export through the live emulator: every mimeType read back, layout, filter files, failures."""

import io
import uuid

import pydicom
import pytest
from PIL import Image

from emulator.jobs.transcode import DICOM_SYNTAXES

from .conftest import Api, dicom_bytes

# (test file, rows, columns, frames, samples per pixel, bytes per sample)
SOURCES = {"CT_small.dcm": (128, 128, 1, 1, 2), "SC_rgb.dcm": (100, 100, 1, 3, 1), "emri_small.dcm": (64, 64, 10, 1, 2)}


@pytest.fixture(scope="module")
def source(emulator_server):
    """A store holding one grey 16-bit, one colour and one 10-frame instance; returns a namespace."""
    api = Api(emulator_server.url)
    tag = uuid.uuid4().hex[:8]
    project = f"p-{tag}"
    bucket = api.bucket(project, f"src-{tag}")
    out = api.bucket(project, f"out-{tag}")
    store = api.store(project, f"d{tag}")
    instances = {}
    for name in SOURCES:
        data = dicom_bytes(name)
        api.upload(bucket, f"in/{name}", data)
        instances[name] = pydicom.dcmread(io.BytesIO(data))
    op = api.run_import(store, f"gs://{bucket}/in/*.dcm")
    assert op["metadata"]["counter"] == {"success": "3"}, op
    return type("Source", (), {"api": api, "project": project, "bucket": bucket, "out": out, "store": store,
                               "instances": instances})


def _base(ds) -> str:
    return f"{ds.StudyInstanceUID}/{ds.SeriesInstanceUID}/{ds.SOPInstanceUID}"


def _export(source, mime_type: str, **extra) -> tuple[str, dict]:
    prefix = f"x-{uuid.uuid4().hex[:8]}"
    op = source.api.run_export(source.store, f"gs://{source.out}/{prefix}", mime_type, **extra)
    return prefix, op


@pytest.mark.parametrize("syntax", ["*", *DICOM_SYNTAXES])
def test_dicom_exports_are_written_in_the_requested_transfer_syntax(source, syntax):
    # when
    prefix, op = _export(source, f"application/dicom; transfer-syntax={syntax}")
    # then
    assert "error" not in op, op
    assert op["metadata"]["counter"] == {"success": "3"}
    assert op["response"]["@type"] == "type.googleapis.com/google.cloud.healthcare.v1.dicom.ExportDicomDataResponse"
    for name, (rows, columns, frames, _, _) in SOURCES.items():
        original = source.instances[name]
        data = source.api.download(source.out, f"{prefix}/{_base(original)}.dcm")
        ds = pydicom.dcmread(io.BytesIO(data))
        expected = original.file_meta.TransferSyntaxUID if syntax == "*" else syntax
        assert ds.file_meta.TransferSyntaxUID == expected
        assert ds.SOPInstanceUID == original.SOPInstanceUID
        pixels = ds.pixel_array
        shape = (rows, columns) if frames == 1 else (frames, rows, columns)
        assert pixels.shape[: len(shape)] == shape
        if syntax.endswith((".4.50", ".4.51")):
            assert ds.BitsAllocated == 8


def test_no_mime_type_exports_the_stored_files_unchanged(source):
    prefix, op = _export(source, "")
    assert op["metadata"]["counter"] == {"success": "3"}
    for name in SOURCES:
        original = source.instances[name]
        data = source.api.download(source.out, f"{prefix}/{_base(original)}.dcm")
        assert pydicom.dcmread(io.BytesIO(data)).SOPInstanceUID == original.SOPInstanceUID


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2.1", "*"])
def test_octet_stream_exports_raw_pixel_data_per_frame_without_extension(source, syntax):
    prefix, op = _export(source, f"application/octet-stream; transfer-syntax={syntax}")
    assert op["metadata"]["counter"] == {"success": "3"}
    for name, (rows, columns, frames, samples, size) in SOURCES.items():
        base = f"{prefix}/{_base(source.instances[name])}"
        names = [base] if frames == 1 else [f"{base}/{n}" for n in range(1, frames + 1)]
        for object_name in names:
            assert len(source.api.download(source.out, object_name)) == rows * columns * samples * size


@pytest.mark.parametrize(("mime_type", "extension", "pil_format"), [
    ("image/png", ".png", "PNG"),
    ("image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50", ".jpg", "JPEG"),
    ("image/jpeg", ".jpg", "JPEG"),
])
def test_image_exports_write_8_bit_images_one_per_frame(source, mime_type, extension, pil_format):
    prefix, op = _export(source, mime_type)
    assert op["metadata"]["counter"] == {"success": "3"}
    for name, (rows, columns, frames, samples, _) in SOURCES.items():
        base = f"{prefix}/{_base(source.instances[name])}"
        names = [base + extension] if frames == 1 else [f"{base}/{n}{extension}" for n in range(1, frames + 1)]
        for object_name in names:
            image = Image.open(io.BytesIO(source.api.download(source.out, object_name)))
            assert image.format == pil_format
            assert image.size == (columns, rows)
            assert image.mode == ("RGB" if samples == 3 else "L")
    assert len(source.api.names(source.out, prefix + "/")) == 1 + 1 + 10


@pytest.mark.parametrize("mime_type", [
    "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.201",
    "application/dicom; transfer-syntax=9.9",
    "image/gif",
    "image/png; transfer-syntax=1.2.840.10008.1.2.1",
    "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.4.50",
])
def test_unsupported_mime_types_are_rejected_naming_the_supported_ones(source, mime_type):
    response = source.api.start_export(source.store, f"gs://{source.out}/bad", mime_type)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.90" in message
    assert "image/png" in message


def test_a_missing_destination_bucket_is_rejected(source):
    response = source.api.start_export(source.store, "gs://no-such-bucket-here/x")
    assert response.status_code == 400
    assert "does not exist" in response.json()["error"]["message"]


def test_exports_overwrite_existing_objects_and_append_a_slash_to_the_prefix(source):
    prefix = f"ow-{uuid.uuid4().hex[:6]}"
    ct = source.instances["CT_small.dcm"]
    target = f"{prefix}/{_base(ct)}.png"
    source.api.upload(source.out, target, b"old bytes")
    op = source.api.run_export(source.store, f"gs://{source.out}/{prefix}", "image/png")
    assert "error" not in op
    assert source.api.download(source.out, target).startswith(b"\x89PNG")


def test_a_filter_file_selects_studies_series_and_instances(source):
    # given: CRLF and LF lines, blank lines, and a UID the store does not hold
    ct, rgb = source.instances["CT_small.dcm"], source.instances["SC_rgb.dcm"]
    lines = [
        f"/studies/{ct.StudyInstanceUID}",
        "",
        f"/studies/{rgb.StudyInstanceUID}/series/{rgb.SeriesInstanceUID}/instances/{rgb.SOPInstanceUID}",
        "   ",
        "/studies/1.2.3.999",
    ]
    content = "\r\n".join(lines[:3]) + "\n" + "\n".join(lines[3:])
    source.api.upload(source.bucket, "filters/good.txt", content.encode())
    # when
    prefix, op = _export(source, "image/png", filter_uri=f"gs://{source.bucket}/filters/good.txt")
    # then
    assert op["metadata"]["counter"] == {"success": "2", "failure": "1"}
    assert op["error"]["code"] == 3
    assert sorted(source.api.names(source.out, prefix + "/")) == sorted(
        [f"{prefix}/{_base(ct)}.png", f"{prefix}/{_base(rgb)}.png"])
    entries = source.api.entries(source.project, f'operation.id="{op["name"]}"')
    assert len(entries) == 1
    payload = entries[0]["jsonPayload"]
    assert payload["@type"] == "type.googleapis.com/google.cloud.healthcare.logging.ExportDicomLogEntry"
    assert payload["resourceName"] == f"{source.store}/dicomWeb/studies/1.2.3.999"
    assert payload["error"]["code"] == 5
    assert entries[0]["logName"] == f"projects/{source.project}/logs/healthcare.googleapis.com%2Fexport_dicom"


def test_a_series_line_exports_that_series(source):
    mr = source.instances["emri_small.dcm"]
    source.api.upload(source.bucket, "filters/series.txt", f"/studies/{mr.StudyInstanceUID}/series/"
                      f"{mr.SeriesInstanceUID}\n".encode())
    prefix, op = _export(source, "", filter_uri=f"gs://{source.bucket}/filters/series.txt")
    assert op["metadata"]["counter"] == {"success": "1"}
    assert source.api.names(source.out, prefix + "/") == [f"{prefix}/{_base(mr)}.dcm"]


@pytest.mark.parametrize(("content", "line"), [
    (b"/studies/1.2.3\nstudies/1.2.4\n", 2),
    (b"\n\n/studies/1.2.3/series\n", 3),
    (b"/studies/1.2.3\r\n/studies/1.2.3/instances/4.5\r\n", 2),
    (b"/studies/abc\n", 1),
])
def test_a_malformed_filter_file_is_rejected_naming_the_line(source, content, line):
    name = f"filters/bad-{uuid.uuid4().hex[:6]}.txt"
    source.api.upload(source.bucket, name, content)
    response = source.api.start_export(source.store, f"gs://{source.out}/f", filter_uri=f"gs://{source.bucket}/{name}")
    assert response.status_code == 400
    assert f"line {line} " in response.json()["error"]["message"]


def test_a_missing_filter_file_is_rejected(source):
    response = source.api.start_export(source.store, f"gs://{source.out}/f",
                                       filter_uri=f"gs://{source.bucket}/filters/none.txt")
    assert response.status_code == 400


def test_instances_without_pixel_data_fail_image_exports_with_a_log_entry(api, project, store, bucket):
    # given: an SR document (no pixel data) and an image
    api.upload(bucket, "sr/doc.dcm", dicom_bytes("test-SR.dcm"))
    api.upload(bucket, "sr/ct.dcm", dicom_bytes())
    assert api.run_import(store, f"gs://{bucket}/sr/*")["metadata"]["counter"] == {"success": "2"}
    # when
    op = api.run_export(store, f"gs://{bucket}/png", "image/png")
    # then
    assert op["metadata"]["counter"] == {"success": "1", "failure": "1"}
    assert op["error"]["message"].startswith("1 of 2 instances failed")
    [entry] = api.entries(project, f'operation.id="{op["name"]}" AND severity>=ERROR')
    assert "pixel data" in entry["jsonPayload"]["error"]["message"]
    assert "/dicomWeb/studies/" in entry["jsonPayload"]["resourceName"]
