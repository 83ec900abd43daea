"""The console in Chromium: from Datasets to a store, import with a preview, export a picked series as PNG."""


import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_store_action(page, live_server, cloud, action: str):
    page.goto(f"{live_server.url}/datasets/?project={cloud.project}&location={cloud.location}")
    with page.expect_navigation():
        page.get_by_role("link", name=cloud.dataset).click()
    page.get_by_test_id(f"actions-{cloud.store}").click()
    page.screenshot(path="/tmp/console-dataset.png")
    with page.expect_navigation():
        page.locator(f"tr[data-store='{cloud.store}'] .menu").get_by_role("link", name=action).click()


def test_a_user_imports_with_an_overridden_path_after_reading_the_preview(browser_login, live_server, starter,
                                                                           bucket_files):
    cloud = bucket_files
    page = browser_login("bob")
    _open_store_action(page, live_server, cloud, "Import")
    expect(page.get_by_role("heading", name="Import to DICOM store")).to_be_visible()

    # when the location is picked in the bucket browser
    page.get_by_test_id("browse-buckets").click()
    page.locator("#location-picker").get_by_role("button", name=cloud.bucket, exact=True).click()
    page.locator("#location-picker").get_by_role("button", name="dir/", exact=True).click()
    page.get_by_test_id("pick-current").click()
    expect(page.get_by_test_id("location-input")).to_have_value(f"{cloud.bucket}/dir/")
    expect(page.get_by_test_id("preview-count")).to_have_text("4")

    # and a broken wildcard path is typed under Advanced options
    page.get_by_text("Advanced options").click()
    page.get_by_label("Override Cloud Storage path").check()
    page.get_by_test_id("override-input").fill("gs://b/dir/**/x.dcm")
    expect(page.get_by_test_id("preview-error")).to_contain_text("** must be at the end of the path")

    # then fixed to **.dcm
    page.get_by_test_id("override-input").fill(f"gs://{cloud.bucket}/dir/**.dcm")
    expect(page.get_by_test_id("preview-count")).to_have_text("3")
    expect(page.get_by_test_id("preview")).to_contain_text("dir/sub/c.dcm")
    page.get_by_label("Nearline").check()
    page.screenshot(path="/tmp/console-import.png", full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("import-submit").click()

    expect(page.locator(".message-success")).to_contain_text("Import started: operation")
    assert page.url.endswith(f"{cloud.url()}/operations")


def test_a_user_exports_a_series_picked_in_browse_as_png(browser_login, live_server, starter, cloud, stored_study):
    study, series = stored_study
    page = browser_login("bob")
    _open_store_action(page, live_server, cloud, "Browse")

    # when the study is opened and one series is picked
    with page.expect_navigation():
        page.get_by_test_id("browse-table").locator("tbody a").first.click()
    page.locator(f"input[value='/studies/{study}/series/{series[0]}']").check()
    expect(page.locator("img").first).to_have_js_property("complete", True)
    page.screenshot(path="/tmp/console-browse.png")
    with page.expect_navigation():
        page.get_by_test_id("export-selected").click()
    expect(page.get_by_test_id("filter-paths")).to_have_value(f"/studies/{study}/series/{series[0]}")

    # and the destination and PNG are chosen
    page.get_by_test_id("browse-buckets").click()
    page.locator("#location-picker").get_by_role("button", name=cloud.bucket, exact=True).click()
    page.get_by_test_id("pick-current").click()
    page.get_by_test_id("location-input").fill(f"{cloud.bucket}/exports/png")
    page.get_by_test_id("file-type-png").check()
    expect(page.get_by_test_id("transfer-syntax").locator("option")).to_have_text(["Not applicable (PNG)"])
    page.get_by_test_id("file-type-jpeg").check()
    expect(page.get_by_test_id("transfer-syntax").locator("option")).to_have_count(1)
    page.get_by_test_id("file-type-png").check()
    expect(page.get_by_test_id("transfer-syntax").locator("option")).to_have_text(["Not applicable (PNG)"])
    page.screenshot(path="/tmp/console-export.png", full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("export-submit").click()

    # then the export runs with a filter file written to the bucket
    expect(page.locator(".message-success")).to_contain_text("Export started: operation")
    from operations.models import Operation

    operation = Operation.objects.get(kind="export")
    assert operation.request["mime_type"] == "image/png"
    assert operation.request["filter_uri"].startswith(f"gs://{cloud.bucket}/dicom-export-filters/")


def test_a_user_without_the_permission_sees_no_import_button(browser_login, live_server, user, cloud):
    page = browser_login("alice")
    page.goto(f"{live_server.url}{cloud.url()}")

    page.get_by_test_id(f"actions-{cloud.store}").click()

    menu = page.locator(f"tr[data-store='{cloud.store}'] .menu")
    expect(menu.get_by_role("link", name="Browse")).to_be_visible()
    expect(menu.get_by_role("link", name="Import")).to_have_count(0)
    page.goto(f"{live_server.url}{cloud.url('import')}")
    expect(page.get_by_test_id("import-submit")).to_have_count(0)
