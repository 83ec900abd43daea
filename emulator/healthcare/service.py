"""Services of the emulated Healthcare API: datasets, DICOM stores and stored instances.

Used by the views of this app, by the jobs app (import/export) and by the seed command.
"""

import base64
import re
from collections.abc import Iterator
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum

from emulator.dicom.parse import DicomParseError, parse_instance
from emulator.wire import ApiError

from . import blobs
from .models import Dataset, DicomStore, EncodedJSON, Instance

# Google: "any Unicode string from 1-256 characters consisting of numbers, letters, underscores, dashes, periods".
RESOURCE_ID = re.compile(r"[\w.\-]{1,256}")
DATASET_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/datasets/([^/]+)")
STORE_NAME = re.compile(r"projects/([^/]+)/locations/([^/]+)/datasets/([^/]+)/dicomStores/([^/]+)")
# Characters that can never appear in a DICOM UID and would break resource paths or file names.
UID_UNSAFE = re.compile(r"[/\\\x00-\x20?#%]|\.\.")
LABEL_KEY = re.compile(r"[a-z][a-z0-9_\-]{0,62}")
LABEL_VALUE = re.compile(r"[a-z0-9_\-]{0,63}")
STORAGE_CLASSES = ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")
MAX_PAGE_SIZE = 1000


class InvalidDicom(Exception):
    """The bytes are not a DICOM instance the store accepts; the message is fit for a log entry.

    `sop_uid`/`sop_class_uid` are set when the instance could be parsed (STOW's FailedSOPSequence uses them).
    """

    def __init__(self, message: str, *, sop_uid: str = "", sop_class_uid: str = "", reason: int = 0xC000):
        super().__init__(message)
        self.sop_uid = sop_uid
        self.sop_class_uid = sop_class_uid
        self.reason = reason  # DICOM Failure Reason (0008,1197): 0xC000 cannot understand, 0xA901 study mismatch


# -- names, ids, pages -------------------------------------------------------------------------------------


def resource_id_check(kind: str, value: str) -> None:
    """Raise a 400 ApiError unless `value` is a valid dataset/store id."""
    if not value:
        raise ApiError(400, f"{kind} ID is required")
    if not RESOURCE_ID.fullmatch(value):
        raise ApiError(
            400,
            f'invalid {kind} ID "{value}": it must be 1-256 characters of letters, numbers, underscores, '
            "dashes or periods",
        )


def project_check(project_id: str) -> None:
    """Raise a 404 ApiError unless the emulator knows the project (Resource Manager records)."""
    from emulator.storage.service import project_get

    project_get(project_id)


def location_check(*, project_id: str, location: str) -> None:
    """Raise a 404 ApiError unless the project exists and the location is served (EMULATOR_LOCATIONS)."""
    project_check(project_id)
    if location not in settings.EMULATOR_LOCATIONS:
        raise ApiError(404, f"Location {location} is not found or access is unauthorized.")


def page_size_parse(value: str | None, default: int = 100) -> int:
    if value in (None, ""):
        return default
    try:
        size = int(value)
    except ValueError:
        raise ApiError(400, f"Invalid value at 'page_size' (TYPE_INT32), \"{value}\"") from None
    if size < 0:
        raise ApiError(400, "page_size must not be negative")
    return min(size or default, MAX_PAGE_SIZE)


def page_token_encode(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode().rstrip("=")


def page_token_decode(token: str | None) -> str:
    if not token:
        return ""
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid page token") from None


# -- datasets ----------------------------------------------------------------------------------------------


def dataset_create(*, project_id: str, location: str, dataset_id: str, time_zone: str = "UTC") -> Dataset:
    """Create the dataset, or return it if it exists (idempotent, for seeding and jobs)."""
    resource_id_check("dataset", dataset_id)
    dataset, _ = Dataset.objects.get_or_create(
        project_id=project_id, location=location, dataset_id=dataset_id, defaults={"time_zone": time_zone or "UTC"}
    )
    return dataset


def dataset_insert(*, project_id: str, location: str, dataset_id: str, time_zone: str = "UTC") -> Dataset:
    """Create a new dataset; 409 ALREADY_EXISTS when it exists (datasets.create)."""
    location_check(project_id=project_id, location=location)
    resource_id_check("dataset", dataset_id)
    try:
        with transaction.atomic():
            return Dataset.objects.create(
                project_id=project_id, location=location, dataset_id=dataset_id, time_zone=time_zone or "UTC"
            )
    except IntegrityError:
        raise ApiError(
            409, f"already exists: projects/{project_id}/locations/{location}/datasets/{dataset_id}"
        ) from None


def dataset_get(name: str) -> Dataset:
    """Return the dataset `projects/P/locations/L/datasets/D`; 404 ApiError when there is none."""
    match = DATASET_NAME.fullmatch(name)
    dataset = None
    if match:
        project_id, location, dataset_id = match.groups()
        dataset = Dataset.objects.filter(project_id=project_id, location=location, dataset_id=dataset_id).first()
    if dataset is None:
        raise ApiError(404, f"Dataset not found: {name}")
    return dataset


def dataset_list(*, project_id: str, location: str, page_size: int, page_token: str = "") -> tuple[list, str]:
    """Return one page of datasets ordered by id and the next page token ("" on the last page)."""
    location_check(project_id=project_id, location=location)
    rows = Dataset.objects.filter(project_id=project_id, location=location).order_by("dataset_id")
    after = page_token_decode(page_token)
    if after:
        rows = rows.filter(dataset_id__gt=after)
    page = list(rows[: page_size + 1])
    more = len(page) > page_size
    page = page[:page_size]
    return page, page_token_encode(page[-1].dataset_id) if more else ""


def dataset_delete(dataset: Dataset) -> None:
    """Delete the dataset with its stores, instances and their bytes."""
    keys = list(Instance.objects.filter(store__dataset=dataset).values_list("blob_key", flat=True))
    dataset.delete()
    for key in keys:
        blobs.blob_delete(key)


# -- DICOM stores ------------------------------------------------------------------------------------------


def labels_check(labels) -> dict:
    if labels in (None, ""):
        return {}
    if not isinstance(labels, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise ApiError(400, "Invalid value at 'dicom_store.labels': expected a map of strings to strings")
    if len(labels) > 64:
        raise ApiError(400, "a DICOM store can have at most 64 labels")
    for key, value in labels.items():
        if not LABEL_KEY.fullmatch(key) or not LABEL_VALUE.fullmatch(value):
            raise ApiError(400, f'invalid label "{key}": "{value}"')
    return labels


def store_create(*, dataset: Dataset, store_id: str, labels: dict | None = None) -> DicomStore:
    """Create the DICOM store, or return it if it exists (idempotent, for seeding and jobs)."""
    resource_id_check("DICOM store", store_id)
    store, _ = DicomStore.objects.get_or_create(dataset=dataset, store_id=store_id, defaults={"labels": labels or {}})
    return store


def store_insert(*, dataset: Dataset, store_id: str, labels: dict | None = None) -> DicomStore:
    """Create a new DICOM store; 409 ALREADY_EXISTS when it exists (dicomStores.create)."""
    resource_id_check("DICOM store", store_id)
    labels = labels_check(labels)
    try:
        with transaction.atomic():
            return DicomStore.objects.create(dataset=dataset, store_id=store_id, labels=labels)
    except IntegrityError:
        raise ApiError(409, f"already exists: {dataset.name}/dicomStores/{store_id}") from None


def store_get(name: str) -> DicomStore:
    """Return the store `projects/P/locations/L/datasets/D/dicomStores/S`; 404 ApiError when there is none."""
    match = STORE_NAME.fullmatch(name)
    store = None
    if match:
        project_id, location, dataset_id, store_id = match.groups()
        store = (
            DicomStore.objects.select_related("dataset")
            .filter(
                dataset__project_id=project_id,
                dataset__location=location,
                dataset__dataset_id=dataset_id,
                store_id=store_id,
            )
            .first()
        )
    if store is None:
        raise ApiError(404, f"DICOM store not found: {name}")
    return store


def _label_filter(expression: str):
    """Parse `labels.k=v AND labels.k2:*` into predicates on a labels dict."""
    predicates = []
    for term in re.split(r"\s+AND\s+", expression.strip()):
        match = re.fullmatch(r'labels\.("?)([^"=:\s]+)\1\s*([=:])\s*"?([^"]*)"?', term.strip())
        if not match:
            raise ApiError(400, f'invalid filter "{expression}": only labels.KEY=VALUE and labels.KEY:* are supported')
        _, key, op, value = match.groups()
        if op == ":" and value == "*":
            predicates.append(lambda labels, key=key: key in labels)
        else:
            predicates.append(lambda labels, key=key, value=value: labels.get(key) == value)
    return lambda labels: all(p(labels) for p in predicates)


def store_list(*, dataset: Dataset, page_size: int, page_token: str = "", filter: str = "") -> tuple[list, str]:
    """Return one page of the dataset's stores (optionally filtered on labels) and the next page token."""
    rows = dataset.stores.order_by("store_id")
    after = page_token_decode(page_token)
    if after:
        rows = rows.filter(store_id__gt=after)
    matches = _label_filter(filter) if filter else None
    page: list[DicomStore] = []
    more = False
    for store in rows.iterator():
        if matches and not matches(store.labels or {}):
            continue
        if len(page) == page_size:
            more = True
            break
        store.dataset = dataset
        page.append(store)
    return page, page_token_encode(page[-1].store_id) if more else ""


def store_delete(store: DicomStore) -> None:
    """Delete the store with its instances and their bytes."""
    keys = list(store.instances.values_list("blob_key", flat=True))
    store.delete()
    for key in keys:
        blobs.blob_delete(key)


def store_metrics(store: DicomStore) -> dict:
    """Return study/series/instance counts and storage sizes of the store."""
    rows = Instance.objects.filter(store=store)
    totals = rows.aggregate(
        instances=Count("id"),
        studies=Count("study_uid", distinct=True),
        series=Count("series_uid", distinct=True),
        blob=Sum("size"),
        structured=Sum("metadata_size"),
    )
    return {
        "study_count": totals["studies"] or 0,
        "series_count": totals["series"] or 0,
        "instance_count": totals["instances"] or 0,
        "blob_size": totals["blob"] or 0,
        "structured_size": totals["structured"] or 0,
    }


# -- instances ---------------------------------------------------------------------------------------------


def uid_check(uid: str) -> None:
    if UID_UNSAFE.search(uid):
        raise InvalidDicom(f"invalid UID {uid[:80]!r}: it contains characters a DICOM UID cannot have")


def instance_prepare(
    store: DicomStore,
    data: bytes | BinaryIO,
    *,
    storage_class: str = "STANDARD",
    study_uid: str = "",
    source: str | None = None,
) -> Instance:
    """Parse one Part 10 instance and write its bytes; return the unsaved Instance row.

    `source` may name a file holding exactly `data` that is never changed in place (a storage emulator
    blob): the stored copy is then a hard link to it rather than a copy (falling back to a copy).

    Save it with `instances_save` (or discard it with `instances_discard`). Raise InvalidDicom for empty,
    non-DICOM, truncated or UID-less input, and when `study_uid` is given and the instance belongs to
    another study (STOW-RS to /studies/{study}).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        data = data.read()
    data = bytes(data)
    try:
        parsed = parse_instance(data)
    except DicomParseError as exc:
        raise InvalidDicom(str(exc)) from None
    for uid in (parsed.study_uid, parsed.series_uid, parsed.sop_uid):
        uid_check(uid)
    if study_uid and parsed.study_uid != study_uid:
        raise InvalidDicom(
            f"the Study Instance UID {parsed.study_uid} of the instance does not match the study {study_uid} of "
            "the request",
            sop_uid=parsed.sop_uid,
            sop_class_uid=parsed.sop_class_uid,
            reason=0xA901,
        )
    storage_class = storage_class if storage_class in STORAGE_CLASSES else "STANDARD"
    metadata = EncodedJSON.of(parsed.metadata)  # encoded once: its length here, its text in the row
    return Instance(
        store=store,
        study_uid=parsed.study_uid,
        series_uid=parsed.series_uid,
        sop_uid=parsed.sop_uid,
        sop_class_uid=parsed.sop_class_uid[:64],
        transfer_syntax_uid=parsed.transfer_syntax_uid[:64],
        number_of_frames=parsed.number_of_frames,
        rows=parsed.rows,
        columns=parsed.columns,
        size=len(data),
        storage_class=storage_class,
        blob_key=blobs.blob_write(data, source=source),
        metadata=metadata,
        metadata_size=len(metadata.text),
        **parsed.attributes,
    )


def instances_save(instances: list[Instance]) -> int:
    """Insert prepared instances in one statement; return how many were new.

    An instance whose SOP Instance UID the store already holds (or that comes twice in the list) is
    ignored — the stored copy is kept — and its bytes are deleted. Call it inside the caller's
    transaction to make the rows part of it.
    """
    if not instances:
        return 0
    Instance.objects.bulk_create(instances, ignore_conflicts=True)
    keys = [instance.blob_key for instance in instances]
    saved = set(Instance.objects.filter(blob_key__in=keys).values_list("blob_key", flat=True))
    for key in keys:
        if key not in saved:
            blobs.blob_delete(key)
    return len(saved)


def instances_discard(instances: list[Instance]) -> None:
    """Delete the bytes of prepared instances that will not be saved."""
    for instance in instances:
        blobs.blob_delete(instance.blob_key)


def instance_store(
    store: DicomStore, data: bytes | BinaryIO, *, storage_class: str = "STANDARD", study_uid: str = ""
) -> tuple[Instance, bool]:
    """Parse and store one Part 10 instance; return (instance, True) when new, (existing, False) when its
    SOP Instance UID is already stored (the stored copy is kept, not overwritten).

    Raise InvalidDicom for empty, non-DICOM, truncated or UID-less input, and when `study_uid` is given
    and the instance belongs to another study (STOW-RS to /studies/{study}).
    """
    instance = instance_prepare(store, data, storage_class=storage_class, study_uid=study_uid)
    existing = Instance.objects.filter(store=store, sop_uid=instance.sop_uid).first()
    if existing is not None:
        instances_discard([instance])
        return existing, False
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        # Another request stored the same SOP Instance UID first: keep theirs.
        instances_discard([instance])
        existing = Instance.objects.filter(store=store, sop_uid=instance.sop_uid).first()
        if existing is None:
            raise
        return existing, False
    return instance, True


def instance_iter(
    store: DicomStore, *, study_uid: str = "", series_uid: str = "", sop_uid: str = "", batch: int = 500,
    metadata: bool = True,
) -> Iterator[Instance]:
    """Yield the store's instances (optionally of one study/series/instance) in insertion order.

    metadata=False leaves the DICOM JSON out: decoding it costs more than anything else in a listing.
    """
    rows = Instance.objects.filter(store=store)
    if not metadata:
        rows = rows.defer("metadata")
    if study_uid:
        rows = rows.filter(study_uid=study_uid)
    if series_uid:
        rows = rows.filter(series_uid=series_uid)
    if sop_uid:
        rows = rows.filter(sop_uid=sop_uid)
    last = 0
    while True:
        page = list(rows.filter(id__gt=last).order_by("id")[:batch])
        yield from page
        if len(page) < batch:
            return
        last = page[-1].id


def instance_open(instance: Instance) -> BinaryIO:
    """Return the stored Part 10 bytes of the instance as an open binary file."""
    return blobs.blob_open(instance.blob_key)


def instance_delete(store: DicomStore, *, study_uid: str, series_uid: str = "", sop_uid: str = "") -> int:
    """Delete a study, series or instance with its bytes; return how many instances went."""
    rows = Instance.objects.filter(store=store, study_uid=study_uid)
    if series_uid:
        rows = rows.filter(series_uid=series_uid)
    if sop_uid:
        rows = rows.filter(sop_uid=sop_uid)
    keys = list(rows.values_list("blob_key", flat=True))
    count = rows.delete()[0]
    for key in keys:
        blobs.blob_delete(key)
    return count
