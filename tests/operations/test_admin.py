from unittest import mock

import pytest
from django.urls import reverse

from operations.models import Operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_admin_list_shows_state_kind_store_and_counters(admin_client_, make_operation):
    make_operation(Operation.State.SUCCEEDED_WITH_FAILURES, success_count=7, failure_count=3, store="ct-store")
    html = admin_client_.get(reverse("admin:operations_operation_changelist")).content.decode()
    assert "ct-store" in html and "Succeeded with failures" in html and ">7<" in html


def test_the_admin_searches_by_uri(admin_client_, make_operation):
    wanted = make_operation(uri="gs://needle/x", store="s-needle")
    other = make_operation(uri="gs://hay/x", store="s-hay")
    html = admin_client_.get(reverse("admin:operations_operation_changelist"), {"q": "needle"}).content.decode()
    assert wanted.operation_id in html and other.operation_id not in html


def test_the_admin_shows_the_raw_json_read_only(admin_client_, make_operation):
    op = make_operation(raw={"name": "n", "metadata": {"counter": {"success": "4"}}})
    html = admin_client_.get(reverse("admin:operations_operation_change", args=[op.id])).content.decode()
    assert "&quot;success&quot;: &quot;4&quot;" in html
    assert 'name="state"' not in html


def test_the_admin_repoll_action_starts_a_fresh_poll_chain(
    admin_client_, make_operation, django_capture_on_commit_callbacks
):
    op = make_operation()
    with (
        mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client_.post(
            reverse("admin:operations_operation_changelist"), {"action": "repoll", "_selected_action": [op.id]}
        )
    assert response.status_code == 302
    op.refresh_from_db()
    apply_async.assert_called_once_with((op.id, op.poll_token), countdown=0)


@mock.patch("operations.services.gcp_healthcare.operation_cancel", autospec=True)
def test_the_admin_cancel_action_delegates_to_the_service(operation_cancel, admin_client_, make_operation):
    op = make_operation()
    with mock.patch("operations.tasks.operation_poll_task.apply_async", autospec=True):
        admin_client_.post(
            reverse("admin:operations_operation_changelist"), {"action": "cancel", "_selected_action": [op.id]}
        )
    operation_cancel.assert_called_once()
    assert operation_cancel.call_args.kwargs["name"] == op.name
