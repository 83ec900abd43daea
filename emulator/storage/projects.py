"""Resource Manager v3: projects.search, projects.get and projects.list (by parent)."""

import re

from django.http import HttpRequest, HttpResponse

from emulator.wire import ApiError, json_response

from . import service
from .models import Project
from .resources import project_resource

TERM_RE = re.compile(r'([A-Za-z_.]+)\s*[:=]\s*("[^"]*"|\S+)')
FIELDS = {
    "id": lambda p: [p.project_id], "projectid": lambda p: [p.project_id],
    "displayname": lambda p: [p.display_name], "name": lambda p: [p.display_name],
    "state": lambda p: ["ACTIVE"], "lifecyclestate": lambda p: ["ACTIVE"],
    "parent": lambda p: [p.parent], "parent.type": lambda p: [p.parent.split("/")[0].rstrip("s")],
    "parent.id": lambda p: [p.parent.rpartition("/")[2]],
}


def _matches(value: str, pattern: str) -> bool:
    value, pattern = value.lower(), pattern.lower()
    return value.startswith(pattern[:-1]) if pattern.endswith("*") else value == pattern


def parse_query(query: str) -> list[tuple[str, str]]:
    """Parse `id:foo* OR displayName:"My project"` into (field, pattern) terms, OR'ed together."""
    query = query.strip()
    if not query:
        return []
    terms = [(field.lower(), value.strip('"')) for field, value in TERM_RE.findall(query)]
    rest = TERM_RE.sub(" ", query).replace(" OR ", " ").replace(" AND ", " ").split()
    if not terms or any(word not in ("OR", "AND") for word in rest):
        raise ApiError(400, f"Invalid query {query!r}: use terms like id:my-project*, displayName:Demo*.")
    for field, _ in terms:
        if field not in FIELDS and not field.startswith("labels."):
            raise ApiError(400, f"Invalid query: unknown field {field!r}.")
    return terms


def project_matches(project: Project, terms: list[tuple[str, str]]) -> bool:
    for field, pattern in terms:
        if field.startswith("labels."):
            values = [str(project.labels.get(field[7:], ""))] if field[7:] in project.labels else []
        else:
            values = FIELDS[field](project)
        if any(_matches(v, pattern) for v in values):
            return True
    return not terms


def _page(request: HttpRequest, projects: list[Project]) -> HttpResponse:
    try:
        size = int(request.GET.get("pageSize") or 0) or 500
        offset = int(request.GET.get("pageToken") or 0)
    except ValueError:
        raise ApiError(400, "Invalid pageSize or pageToken.") from None
    size = min(max(size, 1), 1000)
    chunk = projects[offset : offset + size]
    payload = {"projects": [project_resource(p) for p in chunk]}
    if offset + size < len(projects):
        payload["nextPageToken"] = str(offset + size)
    return json_response(request, payload)


def projects_search(request: HttpRequest) -> HttpResponse:
    terms = parse_query(request.GET.get("query", ""))
    return _page(request, [p for p in Project.objects.order_by("project_id") if project_matches(p, terms)])


def projects_list(request: HttpRequest) -> HttpResponse:
    parent = request.GET.get("parent", "")
    if not re.fullmatch(r"(folders|organizations)/\d+", parent):
        raise ApiError(400, "parent must be folders/{id} or organizations/{id}.")
    return _page(request, list(Project.objects.filter(parent=parent).order_by("display_name", "project_id")))


def project_detail(request: HttpRequest, project: str) -> HttpResponse:
    return json_response(request, project_resource(service.project_get(project)))
