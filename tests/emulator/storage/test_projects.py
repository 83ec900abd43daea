"""Resource Manager v3 projects.search and projects.get from the emulator's project records."""

import requests
from google.cloud import storage


def _search(url, query="", **params):
    response = requests.get(f"{url}/v3/projects:search", params={"query": query, **params}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_projects_are_found_by_id_and_display_name_prefix(emulator_url, emulator_server, unique_id):
    storage.Client(project=f"rm-{unique_id}-a").create_bucket(f"st-{unique_id}-a")
    storage.Client(project=f"rm-{unique_id}-b").create_bucket(f"st-{unique_id}-b")

    by_id = _search(emulator_server.url, f"id:rm-{unique_id}*")
    by_name = _search(emulator_server.url, f"displayName:RM-{unique_id}-A*")  # case-insensitive
    either = _search(emulator_server.url, f"id:rm-{unique_id}-a OR projectId:rm-{unique_id}-b")

    assert [p["projectId"] for p in by_id["projects"]] == [f"rm-{unique_id}-a", f"rm-{unique_id}-b"]
    assert [p["projectId"] for p in by_name["projects"]] == [f"rm-{unique_id}-a"]
    assert len(either["projects"]) == 2
    project = by_id["projects"][0]
    assert project["state"] == "ACTIVE"
    assert project["name"].startswith("projects/") and len(project["name"]) == len("projects/") + 12


def test_search_pages_with_page_size(emulator_url, emulator_server, unique_id):
    for i in range(3):
        storage.Client(project=f"pg-{unique_id}-{i}").create_bucket(f"st-{unique_id}-{i}")

    first = _search(emulator_server.url, f"id:pg-{unique_id}*", pageSize=2)
    second = _search(emulator_server.url, f"id:pg-{unique_id}*", pageSize=2, pageToken=first["nextPageToken"])

    assert len(first["projects"]) == 2
    assert len(second["projects"]) == 1
    assert "nextPageToken" not in second


def test_a_project_is_fetched_by_id_or_number(emulator_url, emulator_server, unique_id):
    storage.Client(project=f"get-{unique_id}").create_bucket(f"st-{unique_id}")

    by_id = requests.get(f"{emulator_server.url}/v3/projects/get-{unique_id}", timeout=10).json()
    number = by_id["name"].split("/")[1]
    by_number = requests.get(f"{emulator_server.url}/v3/projects/{number}", timeout=10).json()

    assert by_id == by_number
    assert by_id["projectId"] == f"get-{unique_id}"


def test_an_unknown_project_is_a_404_and_a_bad_query_a_400(emulator_server):
    missing = requests.get(f"{emulator_server.url}/v3/projects/no-such-project-x", timeout=10)
    bad = requests.get(f"{emulator_server.url}/v3/projects:search", params={"query": "colour:blue"}, timeout=10)

    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == "NOT_FOUND"
    assert bad.status_code == 400
