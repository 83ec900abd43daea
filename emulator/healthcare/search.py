"""QIDO-RS searches over stored instances: indexed attributes in SQL, the rest on the DICOM JSON."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet

from emulator.dicom import qido
from emulator.dicom.qido import Query, element_for, has_wildcard, range_bounds, tag_vr, uid_list, wildcard_regex

from .models import DicomStore, Instance

STUDY_UID, SERIES_UID, SOP_UID = 0x0020000D, 0x0020000E, 0x00080018
MODALITIES_IN_STUDY = 0x00080061
RETRIEVE_URL = 0x00081190
# Tags kept in Instance columns (matched in SQL).
COLUMNS = {
    STUDY_UID: "study_uid",
    SERIES_UID: "series_uid",
    SOP_UID: "sop_uid",
    0x00080016: "sop_class_uid",
    0x00100010: "patient_name",
    0x00100020: "patient_id",
    0x00080020: "study_date",
    0x00080030: "study_time",
    0x00080050: "accession_number",
    0x00080060: "modality",
    MODALITIES_IN_STUDY: "modality",
    0x00081030: "study_description",
    0x0008103E: "series_description",
    0x00200011: "series_number",
    0x00200013: "instance_number",
    0x00080090: "referring_physician_name",
    0x00200010: "study_id",
}
STUDY_TAGS = [0x00080005, 0x00080020, 0x00080030, 0x00080050, 0x00080090, 0x00081030, 0x00100010, 0x00100020,
              0x00100030, 0x00100040, STUDY_UID, 0x00200010]
SERIES_TAGS = [0x00080005, 0x00080060, 0x0008103E, SERIES_UID, 0x00200011, 0x00400244, 0x00400245]
INSTANCE_TAGS = [0x00080005, 0x00080016, SOP_UID, 0x00200013, 0x00280008, 0x00280010, 0x00280011, 0x00280100]


@dataclass
class Scope:
    """Where a QIDO request was made: the store, and the study/series from the path."""

    store: DicomStore
    base_url: str  # .../dicomStores/S/dicomWeb, for RetrieveURL
    study_uid: str = ""
    series_uid: str = ""


def store_base_url(store: DicomStore, version: str) -> str:
    return f"{settings.EMULATOR_PUBLIC_URL.rstrip('/')}/{version}/{store.name}/dicomWeb"


def _column_q(column: str, vr: str, value: str, fuzzy: bool) -> Q | None:
    """Return a Q for one attribute match on an indexed column, None for universal matching."""
    if value in ("", "*"):
        return None
    if vr == "UI" or column == "modality":
        return Q(**{f"{column}__in": uid_list(value)})
    if vr in ("DA", "TM", "DT"):
        bounds = range_bounds(value)
        if bounds is not None:
            q = Q(**{f"{column}__gt": ""})
            if bounds[0]:
                q &= Q(**{f"{column}__gte": bounds[0]})
            if bounds[1]:
                q &= Q(**{f"{column}__lte": bounds[1] + ("\uffff" if vr != "DA" else "")})
            return q
    if vr == "IS":
        try:
            return Q(**{column: int(value)})
        except ValueError:
            return Q(pk__in=[])
    if vr == "PN":
        if query_is_fuzzy(value, fuzzy):
            return Q(**{f"{column}__iregex": r"(^|[\^= ])" + re.escape(value)})
        if has_wildcard(value):
            return Q(**{f"{column}__iregex": wildcard_regex(value)})
        return Q(**{f"{column}__iexact": value})
    if has_wildcard(value):
        return Q(**{f"{column}__regex": wildcard_regex(value)})
    return Q(**{column: value})


def query_is_fuzzy(value: str, fuzzy: bool) -> bool:
    return fuzzy and not has_wildcard(value)


def _matching_rows(scope: Scope, query: Query) -> QuerySet:
    rows = Instance.objects.filter(store=scope.store)
    if scope.study_uid:
        rows = rows.filter(study_uid=scope.study_uid)
    if scope.series_uid:
        rows = rows.filter(series_uid=scope.series_uid)
    other = {}
    for tag, value in query.matches.items():
        if tag in COLUMNS:
            q = _column_q(COLUMNS[tag], tag_vr(tag), value, query.fuzzy)
            if q is not None:
                rows = rows.filter(q)
        elif value not in ("", "*"):
            other[tag] = value
    if other:
        # Attributes without a column: match on the stored DICOM JSON, keeping the ids that match.
        keep = [
            pk
            for pk, metadata in rows.values_list("id", "metadata").iterator()
            if all(
                qido.value_matches(tag_vr(tag), value, qido.json_values(metadata.get(qido.tag_hex(tag))),
                                   fuzzy=query.fuzzy)
                for tag, value in other.items()
            )
        ]
        rows = Instance.objects.filter(id__in=keep)
    return rows


def _pick(metadata: dict, tags: list[int], query: Query) -> dict:
    if query.include_all:
        result = dict(metadata)
    else:
        wanted = set(tags) | set(query.matches) | query.includefields
        result = {qido.tag_hex(t): metadata[qido.tag_hex(t)] for t in wanted if qido.tag_hex(t) in metadata}
    return result


def _level_tags(query: Query, scope: Scope) -> list[int]:
    if query.level == "study":
        return STUDY_TAGS
    if query.level == "series":
        return SERIES_TAGS + ([] if scope.study_uid else STUDY_TAGS)
    tags = list(INSTANCE_TAGS)
    if not scope.series_uid:
        tags += SERIES_TAGS
    if not scope.study_uid:
        tags += STUDY_TAGS
    return tags


def _sorted(result: dict) -> dict:
    return {key: result[key] for key in sorted(result)}


def search(scope: Scope, query: Query) -> list[dict]:
    """Run a QIDO-RS query at `query.level`; return DICOM JSON objects (limit/offset applied)."""
    rows = _matching_rows(scope, query)
    tags = _level_tags(query, scope)
    window = slice(query.offset, query.offset + query.limit)
    if query.level == "instance":
        results = []
        for instance in rows.order_by("id")[window]:
            result = _pick(instance.metadata, tags, query)
            url = f"{scope.base_url}/studies/{instance.study_uid}/series/{instance.series_uid}"
            url += f"/instances/{instance.sop_uid}"
            result[qido.tag_hex(RETRIEVE_URL)] = element_for(RETRIEVE_URL, [url], "UR")
            results.append(_sorted(result))
        return results
    key = ["study_uid"] if query.level == "study" else ["study_uid", "series_uid"]
    groups = list(rows.values(*key).annotate(first=Min("id")).order_by("first")[window])
    firsts = {i.id: i for i in Instance.objects.filter(id__in=[g["first"] for g in groups])}
    counts = _group_counts(scope.store, query.level, groups)
    results = []
    for group in groups:
        instance = firsts[group["first"]]
        result = _pick(instance.metadata, tags, query)
        if query.level == "study":
            url = f"{scope.base_url}/studies/{instance.study_uid}"
            series_count, instance_count, modalities = counts[instance.study_uid]
            result[qido.tag_hex(MODALITIES_IN_STUDY)] = element_for(MODALITIES_IN_STUDY, sorted(modalities), "CS")
            result["00201206"] = element_for(0x00201206, [series_count], "IS")
            result["00201208"] = element_for(0x00201208, [instance_count], "IS")
        else:
            url = f"{scope.base_url}/studies/{instance.study_uid}/series/{instance.series_uid}"
            result["00201209"] = element_for(0x00201209, [counts[(instance.study_uid, instance.series_uid)]], "IS")
        result[qido.tag_hex(RETRIEVE_URL)] = element_for(RETRIEVE_URL, [url], "UR")
        results.append(_sorted(result))
    return results


def _group_counts(store: DicomStore, level: str, groups: list[dict]) -> dict:
    studies = {g["study_uid"] for g in groups}
    rows = Instance.objects.filter(store=store, study_uid__in=studies)
    if level == "series":
        series = {g["series_uid"] for g in groups}
        return {
            (r["study_uid"], r["series_uid"]): r["n"]
            for r in rows.filter(series_uid__in=series).values("study_uid", "series_uid").annotate(n=Count("id"))
        }
    counts = {
        r["study_uid"]: [r["series"], r["n"], set()]
        for r in rows.values("study_uid").annotate(series=Count("series_uid", distinct=True), n=Count("id"))
    }
    for study_uid, modality in rows.values_list("study_uid", "modality").distinct():
        if modality:
            counts[study_uid][2].add(modality)
    return counts
