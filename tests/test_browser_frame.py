import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_sees_the_frame_and_switches_language(browser_login, user):
    # when
    page = browser_login("alice")

    # then the frame is there, in English
    assert page.locator(".topbar .brand").inner_text().strip().endswith("DICOM console")
    assert page.get_by_test_id("user-menu").inner_text() == "alice"

    # when switching to German
    with page.expect_navigation():
        page.select_option("[data-testid=language-select]", "de")
    assert page.locator("html").get_attribute("lang") == "de"
    assert "DICOM-Konsole" in page.locator(".topbar .brand").inner_text()

    # and back to English
    with page.expect_navigation():
        page.select_option("[data-testid=language-select]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "DICOM console" in page.locator(".topbar .brand").inner_text()


def test_wrong_password_shows_an_error_on_the_login_page(browser_login, user):
    page = browser_login("alice", "wrong-password")
    assert page.url.endswith("/login/")
    assert "didn't match" in page.get_by_role("alert").inner_text()
