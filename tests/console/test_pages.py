"""The console pages against the live emulator: datasets, stores, Import, Export, Browse, pickers."""

import pytest
from django.contrib.messages import get_messages

from gcp import storage
from gcp.session import get_session

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_datasets_page_lists_the_dataset_and_remembers_the_selection(client, user, cloud):
    client.force_login(user)

    response = client.get(f"/projects/{cloud.project}/locations/{cloud.location}/datasets")

    assert response.status_code == 200
    assert cloud.dataset in response.content.decode()
    assert client.get("/datasets/").url == f"/projects/{cloud.project}/locations/{cloud.location}/datasets"


def test_the_dataset_page_lists_stores_with_their_actions(client, starter, cloud):
    client.force_login(starter)

    html = client.get(cloud.url()).content.decode()

    assert cloud.store in html
    assert f"{cloud.url('import')}" in html and f"{cloud.url('export')}" in html and f"{cloud.url('browse')}" in html


def test_a_user_without_the_permission_sees_no_import_and_gets_403_on_post(client, user, cloud):
    client.force_login(user)

    html = client.get(cloud.url()).content.decode()
    response = client.post(cloud.url("import"), {"project": cloud.project, "location": f"{cloud.bucket}/"})

    assert cloud.url("import") not in html
    assert cloud.url("browse") in html
    assert response.status_code == 403


def test_a_dataset_and_a_store_can_be_created(client, starter, cloud, unique_id):
    client.force_login(starter)

    response = client.post(f"/projects/{cloud.project}/locations/{cloud.location}/datasets",
                           {"dataset_id": f"new-{unique_id}", "time_zone": "UTC"})
    assert response.status_code == 302
    response = client.post(response.url, {"store_id": "store-one"})

    assert response.status_code == 302
    assert "store-one" in client.get(response.url).content.decode()


def test_an_api_error_is_a_message_on_the_page_not_a_500(client, user, cloud):
    client.force_login(user)

    response = client.get(f"/projects/{cloud.project}/locations/{cloud.location}/datasets/missing-dataset")

    assert response.status_code == 200
    assert any("missing-dataset" in m or "not found" in m.lower() for m in _messages(response))


def test_the_import_preview_counts_what_the_path_matches(client, user, bucket_files):
    client.force_login(user)
    url = bucket_files.url("import/preview")

    html = client.get(url, {"project": bucket_files.project, "override": "on",
                            "override_path": f"gs://{bucket_files.bucket}/dir/**.dcm"}).content.decode()

    assert 'data-testid="preview-count">3<' in html
    assert "dir/sub/c.dcm" in html


def test_the_import_preview_names_a_missing_bucket(client, user, cloud):
    client.force_login(user)

    html = client.get(cloud.url("import/preview"), {"project": cloud.project,
                                                     "location": f"{cloud.bucket}-missing/dir/"}).content.decode()

    assert f"The bucket gs://{cloud.bucket}-missing does not exist." in html
    assert "http://" not in html  # no request line of the client library


def test_the_import_preview_hints_that_star_does_not_cross_folders(client, user, bucket_files):
    client.force_login(user)

    html = client.get(bucket_files.url("import/preview"), {
        "project": bucket_files.project, "override": "on", "override_path": f"{bucket_files.bucket}/dir/*.dcm",
    }).content.decode()

    assert 'data-testid="preview-count">2<' in html
    assert "does not cross folders" in html
    assert f"gs://{bucket_files.bucket}/dir/**.dcm" in html


def test_the_import_preview_warns_about_files_that_are_not_dcm_and_about_no_match(client, user, bucket_files):
    client.force_login(user)
    url = bucket_files.url("import/preview")

    folder = client.get(url, {"project": bucket_files.project, "location": f"{bucket_files.bucket}/dir/"})
    nothing = client.get(url, {"project": bucket_files.project, "override": "on",
                               "override_path": f"gs://{bucket_files.bucket}/nope/**"})

    assert 'data-testid="preview-count">4<' in folder.content.decode()
    assert "do not end in .dcm" in folder.content.decode()
    assert "Nothing matches" in nothing.content.decode()


def test_the_import_preview_stops_after_the_page_cap_and_says_so(client, user, bucket_files, settings):
    client.force_login(user)
    from console import services
    from gcp.wildcards import check_import_uri

    preview = services.import_preview(uri=check_import_uri(f"gs://{bucket_files.bucket}/dir/**"), max_pages=1)
    assert preview.count == 4

    original = storage.object_pages

    def small_pages(session, **kwargs):
        return original(session, **{**kwargs, "page_size": 1})

    import console.services as module

    module.storage.object_pages, saved = small_pages, module.storage.object_pages
    try:
        preview = services.import_preview(uri=check_import_uri(f"gs://{bucket_files.bucket}/dir/**"), max_pages=2)
    finally:
        module.storage.object_pages = saved
    assert (preview.count, preview.pages, preview.truncated) == (2, 2, True)
    assert any("first 2 pages" in hint for hint in preview.hints)


def test_the_import_preview_names_the_broken_rule(client, user, cloud):
    client.force_login(user)

    html = client.get(cloud.url("import/preview"), {"project": cloud.project, "override": "on",
                                                    "override_path": "gs://b/dir/**/x.dcm"}).content.decode()

    assert "must be at the end of the path" in html


def test_an_import_with_a_missing_bucket_says_which_bucket(client, starter, cloud):
    client.force_login(starter)

    response = client.post(cloud.url("import"), {"project": cloud.project, "override": "on",
                                                 "override_path": "gs://no-such-bucket-zz/x/**.dcm",
                                                 "storage_class": "STANDARD"})

    assert response.status_code == 200
    assert any("gs://no-such-bucket-zz does not exist" in m for m in _messages(response))


def test_an_import_starts_an_operation_and_goes_to_the_operations_tab(client, starter, bucket_files):
    client.force_login(starter)

    response = client.post(bucket_files.url("import"), {
        "project": bucket_files.project, "override": "on",
        "override_path": f"gs://{bucket_files.bucket}/dir/**.dcm", "storage_class": "NEARLINE",
    })

    from operations.models import Operation

    assert response.status_code == 302
    assert response.url == f"{bucket_files.url()}/operations"
    operation = Operation.objects.get()
    assert operation.request == {"gcs_uri": f"gs://{bucket_files.bucket}/dir/**.dcm", "storage_class": "NEARLINE"}
    assert any(operation.operation_id in m for m in _messages(response))


def test_an_export_with_picked_series_writes_a_filter_file_and_starts(client, starter, cloud, stored_study):
    client.force_login(starter)
    study, series = stored_study

    response = client.post(cloud.url("export"), {
        "project": cloud.project, "location": f"{cloud.bucket}/exports/png", "file_type": "png",
        "transfer_syntax": "", "filter_paths": f"/studies/{study}/series/{series[0]}\n",
    })

    from operations.models import Operation

    assert response.status_code == 302, _messages(response)
    operation = Operation.objects.get()
    assert operation.request["uri_prefix"] == f"gs://{cloud.bucket}/exports/png"
    assert operation.request["mime_type"] == "image/png"
    bucket, _sep, name = operation.request["filter_uri"].removeprefix("gs://").partition("/")
    assert (bucket, name.startswith("dicom-export-filters/")) == (cloud.bucket, True)
    content = storage.object_download(get_session(), bucket=bucket, name=name)
    assert content.decode() == f"/studies/{study}/series/{series[0]}\n"


def test_an_export_to_a_missing_bucket_says_to_create_it(client, starter, cloud):
    client.force_login(starter)

    response = client.post(cloud.url("export"), {"project": cloud.project, "location": "no-such-bucket-zz/out",
                                                 "file_type": "dicom", "transfer_syntax": "*"})

    assert response.status_code == 200
    assert any("create it before exporting" in m for m in _messages(response))


def test_browse_lists_studies_series_and_instances_with_thumbnails(client, starter, cloud, stored_study):
    client.force_login(starter)
    study, series = stored_study

    studies = client.get(cloud.url("browse")).content.decode()
    series_page = client.get(cloud.url("browse"), {"study": study}).content.decode()
    instances = client.get(cloud.url("browse"), {"study": study, "series": series[0]}).content.decode()

    assert f'value="/studies/{study}"' in studies
    assert f'value="/studies/{study}/series/{series[1]}"' in series_page
    assert instances.count(f'value="/studies/{study}/series/{series[0]}/instances/') == 2
    thumbnail = series_page.split('<img src="')[1].split('"')[0]
    response = client.get(thumbnail)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")


def test_the_pickers_list_projects_buckets_and_folders(client, user, bucket_files):
    client.force_login(user)

    projects = client.get("/console/pickers/projects", {"q": bucket_files.project[:6]}).content.decode()
    buckets = client.get("/console/pickers/buckets", {"project": bucket_files.project}).content.decode()
    folders = client.get("/console/pickers/folders", {"bucket": bucket_files.bucket, "prefix": "dir/",
                                                      "files": "1"}).content.decode()

    assert bucket_files.project in projects
    assert bucket_files.bucket in buckets
    assert f'data-pick="{bucket_files.bucket}/dir/sub/"' in folders
    assert f'data-pick="{bucket_files.bucket}/dir/a.dcm"' in folders


def test_the_transfer_syntax_options_follow_the_file_type(client, user):
    client.force_login(user)

    jpeg = client.get("/console/pickers/transfer-syntaxes", {"file_type": "jpeg"}).content.decode()
    png = client.get("/console/pickers/transfer-syntaxes", {"file_type": "png"}).content.decode()

    assert jpeg.count("<option") == 1 and "1.2.840.10008.1.2.4.50" in jpeg
    assert 'value=""' in png


def test_the_selector_lists_projects_and_then_the_locations_of_the_chosen_one(client, user, cloud):
    client.force_login(user)

    first = client.get("/datasets/").content.decode()
    chosen = client.get("/datasets/", {"project": cloud.project}).content.decode()

    assert 'class="card project-shortlist"' in first  # the first 20 of every project the emulator holds
    assert f'<option value="{cloud.location}"' in chosen
    assert "errorlist" not in chosen


def test_the_selector_preselects_us_central1_when_no_location_is_remembered(client, user, cloud):
    client.force_login(user)

    chosen = client.get("/datasets/", {"project": cloud.project}).content.decode()

    assert cloud.location == "us-central1"
    assert '<option value="us-central1" selected>' in chosen
    assert '<option value="europe-west4">' in chosen  # listed first, not chosen


def test_a_user_without_the_permission_gets_403_when_posting_an_export(client, user, cloud):
    client.force_login(user)

    response = client.post(cloud.url("export"), {"project": cloud.project, "location": f"{cloud.bucket}/out",
                                                 "file_type": "dicom", "transfer_syntax": "*"})

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("check", "service", "role"),
    [("bucket_check_readable", "bucket_check_for_import", "roles/storage.objectViewer"),
     ("bucket_check_writable", "bucket_check_for_export", "roles/storage.objectCreator")],
)
def test_a_403_on_the_bucket_becomes_a_message_naming_the_missing_role(monkeypatch, check, service, role):
    from console import services
    from gcp import errors

    def denied(session, *, bucket):
        raise errors.PermissionDenied("caller does not have storage.objects.list access", code=403,
                                      status="PERMISSION_DENIED")

    monkeypatch.setattr(services.storage, check, denied)

    with pytest.raises(errors.PermissionDenied) as excinfo:
        getattr(services, service)(bucket="locked-bucket")

    assert "gs://locked-bucket" in str(excinfo.value) and role in str(excinfo.value)


def test_browse_pages_through_studies(client, user, cloud, monkeypatch):
    from console import views
    from gcp import dicomweb
    from tests.console.dicomdata import dicom_copy

    monkeypatch.setattr(views, "STUDIES_PER_PAGE", 2)
    dicomweb.store_instances(get_session(), store_name=cloud.store_name, files=[dicom_copy() for _ in range(3)])
    client.force_login(user)

    first = client.get(cloud.url("browse")).content.decode()
    second = client.get(cloud.url("browse"), {"offset": 2}).content.decode()

    assert first.count("?study=") == 2 and 'href="?offset=2"' in first
    assert second.count("?study=") == 1 and 'href="?offset=0"' in second and "next-page" not in second


def test_browse_finds_studies_by_patient_name_and_id(client, user, cloud):
    import io

    import pydicom

    from gcp import dicomweb
    from tests.console.dicomdata import dicom_copy

    files = []
    for name, patient_id in (("DOE^JANE", "ID-100"), ("ROE^RICHARD", "ID-200")):
        ds = pydicom.dcmread(io.BytesIO(dicom_copy()))
        ds.PatientName, ds.PatientID = name, patient_id
        out = io.BytesIO()
        ds.save_as(out, enforce_file_format=True)
        files.append(out.getvalue())
    dicomweb.store_instances(get_session(), store_name=cloud.store_name, files=files)
    client.force_login(user)

    by_name = client.get(cloud.url("browse"), {"patient_name": "jane"}).content.decode()
    by_id = client.get(cloud.url("browse"), {"patient_id": "ID-2"}).content.decode()

    assert "DOE^JANE" in by_name and "ROE^RICHARD" not in by_name
    assert "ROE^RICHARD" in by_id and "DOE^JANE" not in by_id


def test_browse_ignores_a_study_that_is_not_a_uid(client, user, cloud):
    client.force_login(user)

    response = client.get(cloud.url("browse"), {"study": "../../x"})
    thumbnail = client.get(cloud.url("rendered/../1.2/1.3"))

    assert response.status_code == 200 and "../../x" not in response.content.decode()
    assert thumbnail.status_code == 404
