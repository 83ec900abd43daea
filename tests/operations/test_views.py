from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from gcp import errors as gcp_errors
from operations.models import Operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _grant(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="operations"))


def _detail_url(op):
    return reverse("operations-detail", args=[op.project, op.location, op.dataset, op.operation_id])


def test_the_global_page_shows_ok_failures_and_running(signed_in, make_operation):
    ok = make_operation(Operation.State.SUCCEEDED, success_count=10)
    partial = make_operation(Operation.State.SUCCEEDED_WITH_FAILURES, success_count=8, failure_count=2)
    running = make_operation(success_count=3, pending_count=7)
    html = signed_in.get(reverse("operations-list")).content.decode()
    assert f'data-operation="{ok.operation_id}" data-state="succeeded"' in html
    assert 'data-testid="icon-ok"' in html and ">OK<" in html
    assert f'data-operation="{partial.operation_id}" data-state="succeeded_with_failures"' in html
    assert "2 failed" in html
    assert f'data-operation="{running.operation_id}" data-state="running"' in html
    assert 'hx-trigger="every 2s"' in html


def test_the_live_fragment_stops_refreshing_once_nothing_runs(signed_in, make_operation):
    make_operation(Operation.State.SUCCEEDED, success_count=1)
    response = signed_in.get(reverse("operations-list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="operations-table"')
    assert "hx-trigger" not in html
    assert "<html" not in html


def test_filters_narrow_the_list(signed_in, make_operation, user):
    mine = make_operation(Operation.State.FAILED, started_by=user, kind="export", failure_count=1)
    other = make_operation(Operation.State.SUCCEEDED, store="other")
    page = signed_in.get(reverse("operations-list"), {"status": "failed"}).content.decode()
    assert mine.operation_id in page and other.operation_id not in page
    page = signed_in.get(reverse("operations-list"), {"who": "me", "kind": "export"}).content.decode()
    assert mine.operation_id in page and other.operation_id not in page
    page = signed_in.get(reverse("operations-list"), {"store": "other"}).content.decode()
    assert other.operation_id in page and mine.operation_id not in page
    page = signed_in.get(reverse("operations-list"), {"who": "outside"}).content.decode()
    assert other.operation_id in page and mine.operation_id not in page


def test_the_list_runs_a_fixed_number_of_queries(signed_in, make_operation, user, django_assert_max_num_queries):
    for _ in range(60):
        make_operation(Operation.State.SUCCEEDED, started_by=user)
    with django_assert_max_num_queries(8):
        response = signed_in.get(reverse("operations-list"))
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()


def test_the_dataset_tab_lists_only_its_dataset(signed_in, make_operation):
    here = make_operation()
    elsewhere = make_operation(dataset="ds2", name="projects/p1/locations/us-central1/datasets/ds2/operations/1")
    html = signed_in.get(reverse("operations-dataset", args=["p1", "us-central1", "ds1"])).content.decode()
    assert here.operation_id in html and f'data-operation="{elsewhere.operation_id}"' not in html
    assert 'aria-current="page">Operations' in html


def test_a_succeeded_operation_shows_the_green_ok_in_status_and_overview(signed_in, make_operation):
    op = make_operation(Operation.State.SUCCEEDED, success_count=10, api_method="x.ImportDicomData")
    html = signed_in.get(_detail_url(op)).content.decode()
    assert "Status: Long-running operation" in html
    status = html[html.index('data-testid="status"') :]
    assert status.index(">OK<") < status.index('data-testid="icon-ok"')
    overview = html[html.index('data-testid="overview-id"') :]
    assert 'data-testid="icon-ok"' in overview[:2000] and ">OK<" in overview[:2000]
    assert "gs://bucket/dir/**.dcm" in html
    assert "hx-trigger" not in html


@mock.patch("operations.logs.gcp_logging.entries_list", autospec=True)
def test_a_failed_operation_shows_error_logs_link_and_per_file_errors(entries_list, signed_in, make_operation):
    entries_list.return_value = {
        "entries": [
            {
                "timestamp": "2026-01-01T10:00:01Z",
                "jsonPayload": {
                    "source": "gs://b/empty.dcm",
                    "error": {"code": 3, "message": "empty DICOM instance found"},
                },
            }
        ]
    }
    op = make_operation(
        Operation.State.SUCCEEDED_WITH_FAILURES,
        success_count=5,
        failure_count=3,
        error_code=3,
        error_message="<script>alert(1)</script>",
        logs_url="https://console.cloud.google.com/logs/query;query=x",
    )
    html = signed_in.get(_detail_url(op)).content.decode()
    assert entries_list.call_args.kwargs["filter"] == f'operation.id="{op.name}"'
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert "View details in Cloud Logging" in html
    assert 'href="https://console.cloud.google.com/logs/query;query=x"' in html
    assert "gs://b/empty.dcm" in html and "empty DICOM instance found" in html
    assert 'data-testid="sampled-note"' in html
    assert ">OK<" not in html


@mock.patch("operations.logs.gcp_logging.entries_list", autospec=True)
def test_the_error_list_downloads_as_csv(entries_list, signed_in, make_operation):
    entries_list.return_value = {
        "entries": [
            {"timestamp": "t", "jsonPayload": {"source": "gs://b/x", "error": {"code": 3, "message": "bad"}}},
            {"timestamp": "t", "jsonPayload": {"source": "gs://b/y", "error": {"code": 3, "message": "=HYPERLINK()"}}},
        ]
    }
    op = make_operation(Operation.State.FAILED, failure_count=1, error_message="failed")
    response = signed_in.get(
        reverse("operations-errors-csv", args=[op.project, op.location, op.dataset, op.operation_id])
    )
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines() == ["timestamp,file,code,message", "t,gs://b/x,3,bad", "t,gs://b/y,3,'=HYPERLINK()"]


@mock.patch("operations.logs.gcp_logging.entries_list", autospec=True)
def test_an_unreadable_log_is_a_message_not_an_error_page(entries_list, signed_in, make_operation):
    entries_list.side_effect = gcp_errors.PermissionDenied("Logging denied", code=403)
    op = make_operation(Operation.State.FAILED, failure_count=1, error_message="failed")
    response = signed_in.get(_detail_url(op))
    assert response.status_code == 200
    assert "Logging denied" in response.content.decode()


def test_the_detail_fragment_asks_for_a_reload_when_the_operation_ended(signed_in, make_operation):
    op = make_operation(Operation.State.SUCCEEDED)
    response = signed_in.get(_detail_url(op), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


@mock.patch("operations.logs.gcp_logging.entries_list", autospec=True)
def test_the_detail_page_names_request_parameters_as_the_api_does(entries_list, signed_in, make_operation):
    entries_list.return_value = {"entries": []}
    op = make_operation(Operation.State.SUCCEEDED, kind=Operation.Kind.EXPORT, uri="gs://out/x/", request={
        "uri_prefix": "gs://out/x/", "mime_type": "image/png", "filter_uri": "gs://out/filter.txt"})
    html = signed_in.get(_detail_url(op)).content.decode()
    assert '<th class="mono">gcsDestination.uriPrefix</th><td class="mono">gs://out/x/</td>' in html
    assert '<th class="mono">gcsDestination.mimeType</th><td class="mono">image/png</td>' in html
    assert '<th class="mono">filterConfig.resourcePathsGcsUri</th>' in html
    assert "uri_prefix" not in html


@mock.patch("operations.services.gcp_healthcare.operation_get", autospec=True)
def test_an_unknown_operation_is_a_404(operation_get, signed_in):
    operation_get.side_effect = gcp_errors.NotFound("nope", code=404)
    response = signed_in.get(reverse("operations-detail", args=["p1", "us-central1", "ds1", "999"]))
    assert response.status_code == 404


@mock.patch("operations.services.gcp_healthcare.operation_cancel", autospec=True)
def test_cancel_needs_the_permission(operation_cancel, signed_in, make_operation, user):
    op = make_operation()
    url = reverse("operations-cancel", args=[op.project, op.location, op.dataset, op.operation_id])
    assert signed_in.post(url).status_code == 403
    assert 'data-testid="cancel"' not in signed_in.get(_detail_url(op)).content.decode()
    _grant(user, "cancel_operation")
    with mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True):
        response = signed_in.post(url)
    assert response.status_code == 302
    operation_cancel.assert_called_once()
    op.refresh_from_db()
    assert op.cancel_requested


@mock.patch("operations.services.gcp_healthcare.import_dicom", autospec=True)
def test_run_again_starts_the_same_import(import_dicom, signed_in, make_operation, user):
    op = make_operation(Operation.State.FAILED, request={"gcs_uri": "gs://b/a/*.dcm", "storage_class": "COLDLINE"})
    url = reverse("operations-rerun", args=[op.project, op.location, op.dataset, op.operation_id])
    assert signed_in.post(url).status_code == 403
    _grant(user, "start_operation")
    import_dicom.return_value = {"name": "projects/p1/locations/us-central1/datasets/ds1/operations/5555"}
    with mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True):
        response = signed_in.post(url)
    assert response.status_code == 302
    assert response["Location"].endswith("/operations/5555")
    assert import_dicom.call_args.kwargs["gcs_uri"] == "gs://b/a/*.dcm"
    assert import_dicom.call_args.kwargs["storage_class"] == "COLDLINE"


def test_the_pages_speak_german(client, user, make_operation):
    client.force_login(user)
    make_operation(Operation.State.SUCCEEDED)
    html = client.get(reverse("operations-list"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Vorgänge" in html


@mock.patch("operations.logs.gcp_logging.entries_list", autospec=True)
def test_the_detail_page_speaks_german(entries_list, client, user, make_operation):
    entries_list.return_value = {"entries": []}
    client.force_login(user)
    op = make_operation(Operation.State.FAILED, failure_count=2, error_message="x", logs_url="https://example.org/l")
    html = client.get(_detail_url(op), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Details in Cloud Logging ansehen" in html
    assert "Status: Lang andauernder Vorgang" in html
    assert "Fehlgeschlagen" in html
