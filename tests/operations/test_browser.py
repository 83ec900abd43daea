"""Watch an import in Chromium: the progress bar moves, then the green OK appears."""

import time

import pytest
from django.urls import reverse

from operations import services

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _progress(page) -> int | None:
    try:
        return int(page.get_attribute("[data-testid=progress]", "aria-valuenow", timeout=500))
    except Exception:  # noqa: BLE001 — the page is being swapped or reloaded
        return None


def test_the_progress_bar_moves_and_the_green_ok_appears(
    celery_worker, live_store, user, browser_login, live_server, slow_emulator_jobs
):
    # given: an import slow enough to watch
    resume_regular_worker = slow_emulator_jobs
    live_store.upload_dicom("watch", 200)
    page = browser_login(user.username)
    op = services.operation_start(
        kind="import", store_name=live_store.store_name, params={"gcs_uri": f"gs://{live_store.bucket}/watch/**.dcm"}
    )
    url = reverse("operations-detail", args=[op.project, op.location, op.dataset, op.operation_id])
    tab = page.context.new_page()
    tab.goto(f"{live_server.url}{reverse('operations-dataset', args=[op.project, op.location, op.dataset])}")
    row = tab.locator(f"tr[data-operation='{op.operation_id}']")
    assert row.get_attribute("data-state") == "running"
    assert tab.locator("#operations-table[data-live]").count() == 1
    # when
    page.goto(f"{live_server.url}{url}")
    assert page.locator("[data-testid=status]").get_attribute("data-state") == "running"
    seen = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        # Besides the worker's polls, refresh as `operations show --wait` does, so that more steps are seen.
        services.operation_refresh(operation=op)
        value = _progress(page)
        if value is not None:
            seen.add(value)
            if 0 < value < 100:
                resume_regular_worker()  # seen moving: let the paused worker finish the chunks it holds
        if page.locator("[data-testid=status][data-state=succeeded]").count():
            break
        page.wait_for_timeout(400)
    # then
    assert any(0 < value < 100 for value in seen), seen
    status = page.locator("[data-testid=status]")
    assert status.get_attribute("data-state") == "succeeded"
    assert status.locator(".op-status-heading").inner_text() == "OK"
    assert status.locator("[data-testid=icon-ok]").is_visible()
    overview = page.locator("[data-testid=overview-id]")
    assert overview.locator("[data-testid=icon-ok]").is_visible()
    assert "OK" in overview.inner_text()
    assert page.locator("[data-testid=success-count]").inner_text() == "200"
    # and the Operations tab, never reloaded, swapped in the OK row and stopped refreshing
    tab.wait_for_selector(f"tr[data-operation='{op.operation_id}'][data-state=succeeded]", timeout=10_000)
    assert row.locator("[data-testid=icon-ok]").is_visible()
    assert tab.locator("#operations-table[data-live]").count() == 0
