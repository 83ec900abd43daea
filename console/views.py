"""Console pages: datasets, DICOM stores, Import, Export, Browse and the pickers they use.

Each view parses input with a form, calls one service and renders or redirects. gcp.errors.ApiError
becomes a message on the page.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from gcp import errors
from gcp.wildcards import WildcardError, check_bucket

from . import services
from .choices import STORAGE_CLASSES, syntax_choices
from .forms import DatasetCreateForm, ExportForm, ImportForm, ProjectLocationForm, StoreCreateForm, StudySearchForm

UID_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
START_PERMISSION = "operations.start_operation"
STUDIES_PER_PAGE = 50
DEFAULT_LOCATION = "us-central1"


def _can_start(user) -> bool:
    return user.has_perm(START_PERMISSION)


def _require_start(request) -> None:
    if not _can_start(request.user):
        raise PermissionDenied(_("You are not allowed to start imports and exports."))


def _store_context(project, location, dataset, store) -> dict:
    return {"project": project, "location": location, "dataset": dataset, "store": store,
            "store_name": services.store_name(project, location, dataset, store)}


# -- project and location ------------------------------------------------------------------------------------


def datasets_home(request):
    """Go to the datasets of the chosen (or remembered) project and location, or ask for them."""
    remembered, location = services.selection_get(session=request.session)
    if remembered and location and not request.GET:
        return redirect("console-dataset-list", remembered, location)
    # ?project=X alone (a project picked from the list) only fills in the form.
    project = request.GET.get("project", "").strip() or remembered
    locations = _locations(request, project)
    if not location and locations:
        # Nothing remembered: the region Google's own guides start in, else the first offered.
        location = DEFAULT_LOCATION if DEFAULT_LOCATION in locations else locations[0]
    form = ProjectLocationForm(request.GET if "location" in request.GET else None,
                               initial={"project": project, "location": location})
    if form.is_valid():
        project, location = form.cleaned_data["project"], form.cleaned_data["location"]
        services.selection_remember(session=request.session, project=project, location=location)
        return redirect("console-dataset-list", project, location)
    return render(request, "console/select.html", {
        "form": form, "project": project, "locations": locations, "projects": _projects(request),
    })


def _locations(request, project: str) -> list[str]:
    if not project:
        return []
    try:
        return services.locations_list(project=project)
    except errors.ApiError as exc:
        messages.error(request, str(exc))
        return []


def _projects(request) -> list[dict]:
    try:
        return services.projects_search(text="")
    except errors.ApiError as exc:
        messages.error(request, str(exc))
        return []


# -- datasets and stores -------------------------------------------------------------------------------------


def dataset_list(request, project: str, location: str):
    """List the datasets of a project location; create one on POST."""
    form = DatasetCreateForm(request.POST or None)
    if request.method == "POST":
        _require_start(request)
        if form.is_valid():
            try:
                dataset = services.dataset_create(project=project, location=location, **form.cleaned_data)
            except errors.ApiError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Dataset %(dataset)s created.") % {"dataset": dataset})
                return redirect("console-dataset", project, location, dataset)
    services.selection_remember(session=request.session, project=project, location=location)
    datasets, locations = [], []
    try:
        datasets = services.datasets_list(project=project, location=location)
        locations = services.locations_list(project=project)
    except errors.ApiError as exc:
        messages.error(request, str(exc))
    return render(request, "console/dataset_list.html", {
        "project": project, "location": location, "datasets": datasets, "locations": locations, "form": form,
        "can_start": _can_start(request.user), "show_create": request.method == "POST" and not form.is_valid(),
    })


def dataset_detail(request, project: str, location: str, dataset: str):
    """Show the Data stores tab of a dataset; create a store on POST."""
    form = StoreCreateForm(request.POST or None)
    if request.method == "POST":
        _require_start(request)
        if form.is_valid():
            try:
                store = services.store_create(project=project, location=location, dataset=dataset,
                                              **form.cleaned_data)
            except errors.ApiError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("DICOM store %(store)s created.") % {"store": store})
                return redirect("console-dataset", project, location, dataset)
    info, stores = None, []
    try:
        info, stores = services.dataset_stores(project=project, location=location, dataset=dataset)
    except errors.ApiError as exc:
        messages.error(request, str(exc))
    return render(request, "console/dataset_detail.html", {
        "project": project, "location": location, "dataset": dataset, "info": info, "stores": stores,
        "form": form, "active": "stores", "can_start": _can_start(request.user),
        "show_create": request.method == "POST" and not form.is_valid(),
    })


# -- import --------------------------------------------------------------------------------------------------


def store_import(request, project: str, location: str, dataset: str, store: str):
    """Show the Import page; start the import on POST and go to the dataset's Operations tab."""
    context = _store_context(project, location, dataset, store)
    if request.method == "POST":
        _require_start(request)
        form = ImportForm(request.POST)
        if form.is_valid():
            try:
                operation = services.import_start(store_name=context["store_name"], uri=form.import_uri,
                                                  storage_class=form.cleaned_data["storage_class"], user=request.user)
            except errors.ApiError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Import started: operation %(id)s.") % {"id": operation.operation_id})
                return redirect("operations-dataset", project, location, dataset)
    else:
        form = ImportForm(initial={"project": project, "storage_class": "STANDARD"})
    return render(request, "console/import.html", {
        **context, "form": form, "storage_classes": STORAGE_CLASSES, "can_start": _can_start(request.user),
        "advanced_open": bool(form.data.get("override")),
    })


@require_GET
def store_import_preview(request, project: str, location: str, dataset: str, store: str):
    """Render the dry-run preview of the import path being typed (htmx)."""
    form = ImportForm(request.GET)
    form.is_valid()  # only the path matters here: other fields (project, storage class) may still be empty
    uri = getattr(form, "import_uri", None)
    context = {"preview": None, "error": ""}
    if uri is None:
        field_errors = form.errors.get("override_path") or form.errors.get("location")
        typed = request.GET.get("override_path") if request.GET.get("override") else request.GET.get("location")
        context["error"] = field_errors[0] if field_errors and typed else ""
    else:
        try:
            context["preview"] = services.import_preview(uri=uri)
        except errors.ApiError as exc:
            context["error"] = str(exc)
    return render(request, "console/_import_preview.html", context)


# -- export --------------------------------------------------------------------------------------------------


def store_export(request, project: str, location: str, dataset: str, store: str):
    """Show the Export page; start the export on POST and go to the dataset's Operations tab."""
    context = _store_context(project, location, dataset, store)
    if request.method == "POST":
        _require_start(request)
        form = ExportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                operation = services.export_start(
                    store_name=context["store_name"], bucket=form.bucket, uri_prefix=form.uri_prefix,
                    mime_type=_mime_type(data), filter_uri=data["filter_uri"], filter_paths=data["filter_paths"],
                    user=request.user,
                )
            except errors.ApiError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Export started: operation %(id)s.") % {"id": operation.operation_id})
                return redirect("operations-dataset", project, location, dataset)
    else:
        paths = "\n".join(request.GET.getlist("paths"))
        form = ExportForm(initial={"project": project, "file_type": "dicom", "transfer_syntax": "*",
                                   "filter_paths": paths})
    file_type = form.data.get("file_type") or form.initial.get("file_type") or "dicom"
    return render(request, "console/export.html", {
        **context, "form": form, "can_start": _can_start(request.user),
        "syntaxes": syntax_choices(file_type),
        "syntax_selected": form.data.get("transfer_syntax") or form.initial.get("transfer_syntax", "*"),
    })


def _mime_type(data: dict) -> str:
    from .choices import mime_type_for

    return mime_type_for(data["file_type"], data.get("transfer_syntax") or "")


# -- browse --------------------------------------------------------------------------------------------------


def store_browse(request, project: str, location: str, dataset: str, store: str):
    """Browse a store: studies, the series of a study, the instances of a series (QIDO)."""
    context = _store_context(project, location, dataset, store)
    study, series = _uid(request.GET.get("study", "")), _uid(request.GET.get("series", ""))
    rows, level = [], "instances" if study and series else "series" if study else "studies"
    offset = _offset(request.GET.get("offset"))
    search = StudySearchForm(request.GET)
    try:
        if level == "studies":
            rows = services.browse_studies(store_name=context["store_name"], limit=STUDIES_PER_PAGE, offset=offset,
                                           params=search.qido_params())
        elif level == "series":
            rows = services.browse_series(store_name=context["store_name"], study_uid=study)
        else:
            rows = services.browse_instances(store_name=context["store_name"], study_uid=study, series_uid=series)
    except errors.ApiError as exc:
        messages.error(request, str(exc))
    return render(request, "console/browse.html", {
        **context, "rows": rows, "level": level, "study": study, "series": series,
        "can_start": _can_start(request.user), "offset": offset, "search": search,
        "search_query": urlencode({k: v for k, v in request.GET.items() if k in ("patient_name", "patient_id") and v}),
        "previous_offset": max(offset - STUDIES_PER_PAGE, 0) if offset else None,
        "next_offset": offset + STUDIES_PER_PAGE if level == "studies" and len(rows) == STUDIES_PER_PAGE else None,
    })


def _uid(value: str) -> str:
    """Return a DICOM UID from the query string, or "" when it is not one (it becomes part of a URL path)."""
    return value if UID_RE.fullmatch(value) else ""


def _offset(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


@require_GET
@cache_control(private=True, max_age=3600)
def store_thumbnail(request, project: str, location: str, dataset: str, store: str, study: str, series: str, sop: str):
    """Return a small rendering of an instance from the store's /rendered endpoint."""
    if not all(UID_RE.fullmatch(uid) for uid in (study, series, sop)):
        return HttpResponse(status=404)  # the UIDs become part of a DICOMweb path
    try:
        content, content_type = services.thumbnail(store_name=services.store_name(project, location, dataset, store),
                                                   study_uid=study, series_uid=series, sop_uid=sop)
    except errors.ApiError:
        return HttpResponse(status=404)
    return HttpResponse(content, content_type=content_type if content_type.startswith("image/") else "image/jpeg")


# -- pickers (htmx fragments) --------------------------------------------------------------------------------


@require_GET
def picker_projects(request):
    """List projects matching the text typed so far."""
    text = request.GET.get("q") or request.GET.get("project", "")
    target = request.GET.get("target", "id_project")
    context = {"projects": [], "error": "", "target": target, "text": text}
    try:
        context["projects"] = services.projects_search(text=text)
    except errors.ApiError as exc:
        context["error"] = str(exc)
    return render(request, "console/_picker_projects.html", context)


@require_GET
def picker_buckets(request):
    """List the buckets of a project."""
    project, target = request.GET.get("project", "").strip(), request.GET.get("target", "id_location")
    context = {"buckets": [], "error": "", "target": target, "project": project}
    if not project:
        context["error"] = _("Choose a project first.")
    else:
        try:
            context["buckets"] = services.buckets_list(project=project)
        except errors.ApiError as exc:
            context["error"] = str(exc)
    return render(request, "console/_picker_buckets.html", context)


@require_GET
def picker_folders(request):
    """List the sub-folders and files of a bucket folder."""
    bucket, prefix = request.GET.get("bucket", ""), request.GET.get("prefix", "")
    context = {"bucket": bucket, "prefix": prefix, "target": request.GET.get("target", "id_location"),
               "project": request.GET.get("project", ""), "listing": None, "error": "",
               "files": request.GET.get("files") == "1"}
    try:
        check_bucket(bucket)
        context["listing"] = services.folder_list(bucket=bucket, prefix=prefix,
                                                  page_token=request.GET.get("page_token", ""))
    except WildcardError as exc:
        context["error"] = str(exc)
    except errors.ApiError as exc:
        context["error"] = str(exc)
    context["crumbs"] = _crumbs(prefix)
    return render(request, "console/_picker_folders.html", context)


def _crumbs(prefix: str) -> list[tuple[str, str]]:
    crumbs, path = [], ""
    for part in [p for p in prefix.split("/") if p]:
        path += part + "/"
        crumbs.append((part, path))
    return crumbs


@require_GET
def picker_syntaxes(request):
    """Return the transfer syntax options valid for the chosen file type."""
    return render(request, "console/_syntax_options.html", {
        "syntaxes": syntax_choices(request.GET.get("file_type", "dicom")),
        "syntax_selected": request.GET.get("transfer_syntax", "*"),
    })
