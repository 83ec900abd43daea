"""What the console pages do: each function makes the gcp calls for one user action.

Views parse input with a form, call one of these and render the result. gcp.errors.ApiError (with a
message fit for the page) is the only exception they raise on purpose.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gcp import dicomweb, errors, healthcare, resourcemanager, storage
from gcp.session import get_session
from gcp.wildcards import ImportUri, WildcardError, check_import_uri, to_regex

SELECTION_KEY = "console_selection"
PREVIEW_NAMES = 20
LARGE_IMPORT = 10_000
FILTER_FOLDER = "dicom-export-filters"


# -- the remembered project and location --------------------------------------------------------------------


def selection_get(*, session) -> tuple[str, str]:
    """Return the (project, location) this user worked in last, or empty strings."""
    saved = session.get(SELECTION_KEY) or {}
    return saved.get("project", ""), saved.get("location", "")


def selection_remember(*, session, project: str, location: str) -> None:
    session[SELECTION_KEY] = {"project": project, "location": location}


# -- projects, locations, datasets, stores -----------------------------------------------------------------


def projects_search(*, text: str, limit: int = 20) -> list[dict]:
    """Return up to `limit` projects whose ID or display name starts with `text`."""
    query = resourcemanager.search_query(text)
    page = resourcemanager.projects_search(get_session(), query=query, page_size=limit)
    return page.get("projects", [])[:limit]


def locations_list(*, project: str) -> list[str]:
    """Return the location IDs the Healthcare API offers in a project."""
    page = healthcare.locations_list(get_session(), project_id=project, page_size=500)
    return sorted(loc.get("locationId") or loc["name"].rsplit("/", 1)[-1] for loc in page.get("locations", []))


def _all_pages(call, key: str, max_pages: int = 20, **kwargs) -> list[dict]:
    items, token = [], ""
    for _page in range(max_pages):
        page = call(get_session(), page_token=token, **kwargs)
        items.extend(page.get(key, []))
        token = page.get("nextPageToken", "")
        if not token:
            break
    return items


def datasets_list(*, project: str, location: str) -> list[dict]:
    """Return the datasets of a project location, each with its short `id`."""
    datasets = _all_pages(healthcare.datasets_list, "datasets", project_id=project, location=location, page_size=1000)
    return [{**d, "id": d["name"].rsplit("/", 1)[-1]} for d in datasets]


def dataset_create(*, project: str, location: str, dataset_id: str, time_zone: str = "") -> str:
    """Create a dataset; return its ID."""
    healthcare.dataset_create(get_session(), project_id=project, location=location, dataset_id=dataset_id,
                              time_zone=time_zone)
    return dataset_id


def dataset_name(project: str, location: str, dataset: str) -> str:
    return f"projects/{project}/locations/{location}/datasets/{dataset}"


def store_name(project: str, location: str, dataset: str, store: str) -> str:
    return f"{dataset_name(project, location, dataset)}/dicomStores/{store}"


def dataset_stores(*, project: str, location: str, dataset: str) -> tuple[dict, list[dict]]:
    """Return the dataset and its DICOM stores, each with its `id` and metrics (when readable)."""
    session = get_session()
    name = dataset_name(project, location, dataset)
    info = healthcare.dataset_get(session, name=name)
    stores = _all_pages(healthcare.dicom_stores_list, "dicomStores", dataset_name=name, page_size=1000)
    rows = []
    for store in stores:
        try:
            metrics = healthcare.dicom_store_metrics(session, name=store["name"])
        except errors.ApiError:
            metrics = {}  # metrics are a nicety: a store without them is still listed
        rows.append({**store, "id": store["name"].rsplit("/", 1)[-1], "metrics": metrics})
    return info, rows


def store_create(*, project: str, location: str, dataset: str, store_id: str) -> str:
    """Create a DICOM store; return its ID."""
    healthcare.dicom_store_create(get_session(), dataset_name=dataset_name(project, location, dataset),
                                  store_id=store_id)
    return store_id


def store_get(*, project: str, location: str, dataset: str, store: str) -> dict:
    """Return a DICOM store (NotFound when it does not exist)."""
    return healthcare.dicom_store_get(get_session(), name=store_name(project, location, dataset, store))


# -- buckets and folders ------------------------------------------------------------------------------------


def buckets_list(*, project: str) -> list[dict]:
    """Return the buckets of a project."""
    return storage.buckets_list(get_session(), project_id=project)


def folder_list(*, bucket: str, prefix: str = "", page_token: str = "") -> storage.FolderListing:
    """Return one page of sub-folders and objects of a folder."""
    return storage.folder_list(get_session(), bucket=bucket, prefix=prefix, page_token=page_token)


# -- import -------------------------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    """What an import path matches, from a bounded listing of its literal prefix."""

    uri: str
    prefix: str
    count: int = 0
    total_size: int = 0
    names: list[str] = field(default_factory=list)
    listed: int = 0
    pages: int = 0
    truncated: bool = False
    hints: list[str] = field(default_factory=list)


def import_preview(*, uri: ImportUri, max_pages: int | None = None) -> ImportPreview:
    """List the objects an import path matches (at most `max_pages` pages of its literal prefix)."""
    max_pages = max_pages or settings.CONSOLE_PREVIEW_MAX_PAGES
    preview = ImportPreview(uri=uri.uri, prefix=f"gs://{uri.bucket}/{uri.prefix}")
    regex = to_regex(uri.pattern)
    # Would `*` have matched more had it crossed folders? Only asked when there is no `**`.
    wide = to_regex(uri.pattern.replace("*", "**")) if "*" in uri.pattern and "**" not in uri.pattern else None
    crossing = not_dcm = 0
    for objects, more in _object_pages(uri):
        preview.pages += 1
        preview.listed += len(objects)
        for obj in objects:
            if regex.fullmatch(obj["name"]):
                preview.count += 1
                preview.total_size += obj["size"]
                if len(preview.names) < PREVIEW_NAMES:
                    preview.names.append(obj["name"])
                if not obj["name"].lower().endswith(".dcm"):
                    not_dcm += 1
            elif wide is not None and wide.fullmatch(obj["name"]):
                crossing += 1
        if more and preview.pages >= max_pages:
            preview.truncated = True
            break
    preview.hints = _preview_hints(uri, preview, crossing=crossing, not_dcm=not_dcm)
    return preview


def _object_pages(uri: ImportUri) -> Iterator[tuple[list[dict], bool]]:
    """Yield the pages under the URI's literal prefix; a missing bucket is named as the import check names it."""
    try:
        yield from storage.object_pages(get_session(), bucket=uri.bucket, prefix=uri.prefix)
    except errors.NotFound as exc:
        raise _bucket_missing(exc, uri.bucket) from None


def _preview_hints(uri: ImportUri, preview: ImportPreview, *, crossing: int, not_dcm: int) -> list[str]:
    hints = []
    if preview.count == 0:
        hints.append(_("Nothing matches this path: the import would find no files."))
    if crossing:
        suggestion = ""
        if uri.pattern.count("*") == 1:
            try:
                suggestion = check_import_uri(f"gs://{uri.bucket}/{uri.pattern.replace('*', '**')}").uri
            except WildcardError:
                suggestion = ""
        text = _("* does not cross folders: %(count)d more files in sub-folders would match **.") % {"count": crossing}
        if suggestion:
            text += " " + _("Did you mean %(uri)s?") % {"uri": suggestion}
        hints.append(text)
    if not_dcm:
        hints.append(
            _("%(count)d matching files do not end in .dcm: files that are not DICOM fail the import "
              "and are counted as failures.") % {"count": not_dcm}
        )
    if preview.count >= LARGE_IMPORT or (preview.truncated and preview.count):
        hints.append(_("This matches a very large number of files: the import can take a long time."))
    if preview.truncated:
        hints.append(
            _("Only the first %(pages)d pages (%(listed)d objects) under %(prefix)s were listed; there are more.")
            % {"pages": preview.pages, "listed": preview.listed, "prefix": preview.prefix}
        )
    return hints


def _explained(exc: errors.ApiError, message: str) -> errors.ApiError:
    """Return an error of the same class with a message that says what to fix."""
    return type(exc)(f"{message} ({exc.message})", code=exc.code, status=exc.status)


def _bucket_missing(exc: errors.NotFound, bucket: str) -> errors.ApiError:
    return _explained(exc, _("The bucket gs://%(bucket)s does not exist.") % {"bucket": bucket})


def bucket_check_for_import(*, bucket: str) -> None:
    """Raise an ApiError saying which bucket or role is missing unless the bucket can be read."""
    try:
        storage.bucket_check_readable(get_session(), bucket=bucket)
    except errors.NotFound as exc:
        raise _bucket_missing(exc, bucket) from None
    except errors.PermissionDenied as exc:
        raise _explained(exc, _(
            "The console cannot read gs://%(bucket)s: grant the Storage Object Viewer role "
            "(roles/storage.objectViewer) on the bucket to the console's account and to the "
            "Cloud Healthcare Service Agent.") % {"bucket": bucket}) from None


def bucket_check_for_export(*, bucket: str) -> None:
    """Raise an ApiError saying which bucket or role is missing unless the bucket can be written."""
    try:
        storage.bucket_check_writable(get_session(), bucket=bucket)
    except errors.NotFound as exc:
        raise _explained(exc, _("The bucket gs://%(bucket)s does not exist: create it before exporting to it.")
                         % {"bucket": bucket}) from None
    except errors.PermissionDenied as exc:
        raise _explained(exc, _(
            "The console cannot write to gs://%(bucket)s: grant the Storage Object Creator role "
            "(roles/storage.objectCreator) to the console's account and the Storage Object Admin role "
            "(roles/storage.objectAdmin) to the Cloud Healthcare Service Agent.") % {"bucket": bucket}) from None


def import_start(*, store_name: str, uri: ImportUri, storage_class: str, user):
    """Check the source bucket, then start the import; return the Operation row."""
    from operations.services import operation_start

    bucket_check_for_import(bucket=uri.bucket)
    return operation_start(kind="import", store_name=store_name,
                           params={"gcs_uri": uri.uri, "storage_class": storage_class}, user=user)


# -- export -------------------------------------------------------------------------------------------------


def filter_file_write(*, bucket: str, store_id: str, paths: list[str]) -> str:
    """Write resource paths to a visibly named filter file in `bucket`; return its gs:// URI."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = f"{FILTER_FOLDER}/{store_id}-{stamp}-{secrets.token_hex(3)}.txt"
    storage.object_upload(get_session(), bucket=bucket, name=name, data=("\n".join(paths) + "\n").encode())
    return f"gs://{bucket}/{name}"


def filter_file_check(*, uri: str) -> None:
    """Raise NotFound with a clear message unless the filter file exists."""
    bucket, _sep, name = uri.removeprefix("gs://").partition("/")
    try:
        storage.object_get(get_session(), bucket=bucket, name=name)
    except errors.NotFound as exc:
        raise _explained(exc, _("The filter file %(uri)s does not exist.") % {"uri": uri}) from None


def export_start(
    *, store_name: str, bucket: str, uri_prefix: str, mime_type: str, filter_uri: str, filter_paths: list[str], user
):
    """Check the destination, write the filter file if studies were picked, start the export."""
    from operations.services import operation_start

    bucket_check_for_export(bucket=bucket)
    if filter_uri:
        filter_file_check(uri=filter_uri)
    elif filter_paths:
        filter_uri = filter_file_write(bucket=bucket, store_id=store_name.rsplit("/", 1)[-1], paths=filter_paths)
    params = {"uri_prefix": uri_prefix, "mime_type": mime_type, "filter_uri": filter_uri}
    return operation_start(kind="export", store_name=store_name, params=params, user=user)


# -- browse -------------------------------------------------------------------------------------------------


def _study_row(item: dict) -> dict:
    value = dicomweb.tag_value
    return {
        "uid": value(item, "0020000D"),
        "patient_name": value(item, "00100010"),
        "patient_id": value(item, "00100020"),
        "date": value(item, "00080020"),
        "description": value(item, "00081030"),
        "modalities": ", ".join(str(v) for v in (item.get("00080061") or {}).get("Value", [])),
        "series": value(item, "00201206"),
        "instances": value(item, "00201208"),
    }


def browse_studies(*, store_name: str, limit: int = 50, offset: int = 0, params: dict | None = None) -> list[dict]:
    """Return one page of the studies of a store (matching the QIDO `params`)."""
    items = dicomweb.search_studies(get_session(), store_name=store_name, limit=limit, offset=offset, params=params)
    return [_study_row(item) for item in items]


def browse_series(*, store_name: str, study_uid: str) -> list[dict]:
    """Return the series of a study, each with the UID of one instance for its thumbnail."""
    session = get_session()
    rows = []
    for item in dicomweb.search_series(session, store_name=store_name, study_uid=study_uid):
        uid = dicomweb.tag_value(item, "0020000E")
        first = dicomweb.search_instances(session, store_name=store_name, study_uid=study_uid, series_uid=uid, limit=1)
        rows.append({
            "uid": uid,
            "modality": dicomweb.tag_value(item, "00080060"),
            "description": dicomweb.tag_value(item, "0008103E"),
            "number": dicomweb.tag_value(item, "00200011"),
            "instances": dicomweb.tag_value(item, "00201209"),
            "thumbnail_sop": dicomweb.tag_value(first[0], "00080018") if first else "",
        })
    return rows


def browse_instances(*, store_name: str, study_uid: str, series_uid: str) -> list[dict]:
    """Return the instances of a series."""
    items = dicomweb.search_instances(get_session(), store_name=store_name, study_uid=study_uid, series_uid=series_uid)
    value = dicomweb.tag_value
    return [{"uid": value(i, "00080018"), "number": value(i, "00200013"), "frames": value(i, "00280008"),
             "rows": value(i, "00280010"), "columns": value(i, "00280011")} for i in items]


def thumbnail(*, store_name: str, study_uid: str, series_uid: str, sop_uid: str) -> tuple[bytes, str]:
    """Return a small rendering (bytes, content type) of an instance's first frame."""
    return dicomweb.instance_rendered(get_session(), store_name=store_name, study_uid=study_uid,
                                      series_uid=series_uid, sop_uid=sop_uid, accept="image/jpeg", viewport="128,128")
