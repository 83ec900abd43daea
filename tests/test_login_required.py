from urllib.parse import urlsplit

import pytest

from tests.urlwalk import walk

# Pages anyone may reach: signing in, switching language, the health check, the admin's own login.
PUBLIC = {"login", "set_language", "healthz", "logout", "admin:login"}


def _all_paths():
    return [(path, name) for path, name in walk() if name not in PUBLIC and not path.startswith("/static/")]


def test_the_url_walk_finds_the_project_pages():
    names = {name for _, name in _all_paths()}
    assert {"home", "admin:index", "admin:auth_user_changelist"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), _all_paths())
def test_every_page_redirects_anonymous_users_to_login(client, path, name):
    response = client.get(path)
    assert response.status_code == 302, (path, response.status_code)
    login_pages = {"/login/", "/admin/login/"} if path.startswith("/admin/") else {"/login/"}
    assert urlsplit(response["Location"]).path in login_pages, (path, response["Location"])


@pytest.mark.django_db
def test_admin_loads_for_staff(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Site administration" in response.content or b"Website-Verwaltung" in response.content


@pytest.mark.django_db
def test_admin_refuses_non_staff(client, user):
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/admin/login/"


@pytest.mark.django_db
def test_signed_in_user_sees_the_frame(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert b'class="topbar"' in response.content
    assert b"alice" in response.content


@pytest.mark.django_db
def test_login_page_is_german_when_asked(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "Anmelden" in response.content.decode()
