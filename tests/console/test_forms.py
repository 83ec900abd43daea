"""Validation tables of the console forms: import paths, export destinations, file types, filter lines."""

import pytest

from console.choices import FILE_TYPES, TRANSFER_SYNTAXES, mime_type_for, syntax_choices
from console.forms import ExportForm, ImportForm


def _import(**data):
    return ImportForm({"project": "demo-project", "storage_class": "STANDARD", **data})


@pytest.mark.parametrize(
    ("data", "uri"),
    [
        ({"location": "bucket-1/"}, "gs://bucket-1/**"),
        ({"location": "bucket-1"}, "gs://bucket-1/**"),
        ({"location": "gs://bucket-1/dir/"}, "gs://bucket-1/dir/**"),
        ({"location": "bucket-1/dir/a.dcm"}, "gs://bucket-1/dir/a.dcm"),
        ({"override": "on", "override_path": "bucket-1/dir/**.dcm"}, "gs://bucket-1/dir/**.dcm"),
        ({"override": "on", "override_path": "gs://bucket-1/d?r/*.dcm", "location": "ignored/"},
         "gs://bucket-1/d?r/*.dcm"),
    ],
)
def test_the_import_form_turns_the_location_into_the_import_uri(data, uri):
    form = _import(**data)

    assert form.is_valid(), form.errors
    assert form.gcs_uri == uri


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "location", "Choose a bucket or folder"),
        ({"location": "bucket-1/dir/*.dcm"}, "location", "Override Cloud Storage path"),
        ({"location": "BAD_bucket/x"}, "location", "not a valid bucket name"),
        ({"override": "on", "override_path": "gs://b/dir/**/x.dcm"}, "override_path", "** must be at the end"),
        ({"override": "on", "override_path": "gs://bucket-1/a*/**"}, "override_path", "only wildcard"),
        ({"override": "on", "override_path": ""}, "override_path", "Enter a Cloud Storage path"),
        ({"override": "on", "override_path": "s3://bucket-1/x"}, "override_path", "gs://"),
        ({"location": "bucket-1/", "storage_class": "GLACIER"}, "storage_class", "valid choice"),
        ({"location": "bucket-1/", "project": "Not A Project"}, "project", "project ID"),
    ],
)
def test_the_import_form_names_what_is_wrong(data, field, message):
    form = _import(**data)

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def _export(**data):
    return ExportForm({"project": "demo-project", "location": "bucket-1/out", "file_type": "dicom",
                       "transfer_syntax": "*", **data})


@pytest.mark.parametrize(
    ("file_type", "syntax", "mime_type"),
    [
        ("dicom", "*", "application/dicom; transfer-syntax=*"),
        ("dicom", "1.2.840.10008.1.2.1", "application/dicom; transfer-syntax=1.2.840.10008.1.2.1"),
        ("dicom", "1.2.840.10008.1.2.4.90", "application/dicom; transfer-syntax=1.2.840.10008.1.2.4.90"),
        ("octet-stream", "*", "application/octet-stream; transfer-syntax=*"),
        ("octet-stream", "1.2.840.10008.1.2.1", "application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1"),
        ("jpeg", "1.2.840.10008.1.2.4.50", "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50"),
        ("jpeg", "", "image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.50"),
        ("png", "", "image/png"),
        ("png", "*", "image/png"),
    ],
)
def test_valid_file_type_and_transfer_syntax_pairs_make_the_api_mime_type(file_type, syntax, mime_type):
    form = _export(file_type=file_type, transfer_syntax=syntax)

    assert form.is_valid(), form.errors
    assert mime_type_for(form.cleaned_data["file_type"], form.cleaned_data["transfer_syntax"]) == mime_type


@pytest.mark.parametrize(
    ("file_type", "syntax"),
    [("jpeg", "*"), ("jpeg", "1.2.840.10008.1.2.4.90"), ("octet-stream", "1.2.840.10008.1.2.4.50"),
     ("octet-stream", "1.2.840.10008.1.2")],
)
def test_a_transfer_syntax_the_file_type_cannot_use_is_refused(file_type, syntax):
    form = _export(file_type=file_type, transfer_syntax=syntax)

    assert not form.is_valid()
    assert "cannot be used with" in form.errors["transfer_syntax"][0]


def test_every_offered_syntax_has_a_human_name():
    for file_type in FILE_TYPES:
        for uid, label in syntax_choices(file_type):
            assert str(label) and uid in TRANSFER_SYNTAXES


@pytest.mark.parametrize(
    ("location", "prefix"),
    [("bucket-1/out", "gs://bucket-1/out"), ("gs://bucket-1/out/new-folder/", "gs://bucket-1/out/new-folder"),
     ("bucket-1", "gs://bucket-1"), ("bucket-1/", "gs://bucket-1")],
)
def test_the_export_destination_is_a_folder_prefix(location, prefix):
    form = _export(location=location)

    assert form.is_valid(), form.errors
    assert form.uri_prefix == prefix


@pytest.mark.parametrize(
    ("location", "message"),
    [("bucket-1/out/*", "cannot contain"), ("x/out", "not a valid bucket name"), ("bucket-1/a//b", "empty"),
     ("", "required")],
)
def test_a_bad_export_destination_is_refused(location, message):
    form = _export(location=location)

    assert not form.is_valid()
    assert message in " ".join(form.errors["location"])


STUDY = "1.2.840.113619.2.55.3"
SERIES = "1.3.12.2.1107.5.2"


@pytest.mark.parametrize(
    "text",
    [f"/studies/{STUDY}", f"/studies/{STUDY}/series/{SERIES}", f"/studies/{STUDY}/series/{SERIES}/instances/1.2.3",
     f"/studies/{STUDY}\r\n\n  /studies/1.2.9  \n"],
)
def test_valid_filter_lines_are_kept(text):
    form = _export(filter_paths=text)

    assert form.is_valid(), form.errors
    assert all(line.startswith("/studies/") for line in form.cleaned_data["filter_paths"])


@pytest.mark.parametrize(
    ("text", "line"),
    [("studies/1.2", 1), (f"/studies/{STUDY}\n/series/1.2", 2), (f"/studies/{STUDY}/instances/1.2", 1),
     ("/studies/1.2.abc", 1), (f"/studies/{STUDY}/series/", 1)],
)
def test_a_bad_filter_line_is_named_by_its_number(text, line):
    form = _export(filter_paths=text)

    assert not form.is_valid()
    assert f"Line {line}" in form.errors["filter_paths"][0]


@pytest.mark.parametrize(
    ("uri", "message"),
    [("bucket-1/f.txt", "gs://"), ("gs://bucket-1/", "must name a file"), ("gs://bucket-1/f*.txt", "cannot contain")],
)
def test_a_bad_filter_file_uri_is_refused(uri, message):
    form = _export(filter_uri=uri)

    assert not form.is_valid()
    assert message in form.errors["filter_uri"][0]


def test_a_filter_file_and_picked_paths_together_are_refused():
    form = _export(filter_uri="gs://bucket-1/f.txt", filter_paths=f"/studies/{STUDY}")

    assert not form.is_valid()
    assert "not both" in form.errors["filter_uri"][0]
