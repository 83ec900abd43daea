"""Hand-written SQL for the per-request hot path (bucket and object lookups, object commits).

The ORM builds each query anew (about 0.25 ms); these plain statements take a tenth of that, which
is most of the difference between 250 and 700+ uploads per second on two cores. Rows come back
as ordinary model instances, converted by the fields' own database converters.
"""

import json
from datetime import UTC, datetime
from functools import cache

from django.db import connection

from .models import Bucket, Object, Project

OBJECT_COLUMNS = [f.column for f in Object._meta.concrete_fields]
BUCKET_COLUMNS = [f.column for f in Bucket._meta.concrete_fields]
PROJECT_COLUMNS = [f.column for f in Project._meta.concrete_fields]
INSERT_FIELDS = [f for f in Object._meta.concrete_fields if f.column != "id"]
UPDATE_FIELDS = [f for f in Object._meta.concrete_fields if f.column not in ("id", "bucket_id", "name")]
# Identifiers come from model metadata only; every value is a query parameter.
_SELECT_BUCKET = ", ".join([*(f"b.{c}" for c in BUCKET_COLUMNS), *(f"p.{c}" for c in PROJECT_COLUMNS)])
BUCKET_SQL = (
    f"SELECT {_SELECT_BUCKET}"  # noqa: S608
    f" FROM {Bucket._meta.db_table} b JOIN {Project._meta.db_table} p ON p.id = b.project_id WHERE b.name = %s"
)
OBJECT_SQL = f"SELECT {', '.join(OBJECT_COLUMNS)} FROM {Object._meta.db_table} WHERE bucket_id = %s AND name = %s"  # noqa: S608
OBJECT_RANGE_SQL = f"SELECT {', '.join(OBJECT_COLUMNS)} FROM {Object._meta.db_table} WHERE bucket_id = %s"  # noqa: S608
INSERT_SQL = (f"INSERT INTO {Object._meta.db_table} ({', '.join(f.column for f in INSERT_FIELDS)}) "  # noqa: S608
              f"VALUES ({', '.join(['%s'] * len(INSERT_FIELDS))})")
UPDATE_SQL = (f"UPDATE {Object._meta.db_table} SET "  # noqa: S608
              f"{', '.join(f'{f.column} = %s' for f in UPDATE_FIELDS)} WHERE id = %s")


@cache
def _converters(model) -> list:
    result = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        result.append((col, connection.ops.get_db_converters(col) + field.get_db_converters(connection)))
    return result


def _instance(model, values):
    converted = []
    for value, (col, converters) in zip(values, _converters(model), strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, None, converted)


def bucket_by_name(name: str) -> Bucket | None:
    """Return the bucket with its project loaded, or None."""
    with connection.cursor() as cursor:
        cursor.execute(BUCKET_SQL, [name])
        row = cursor.fetchone()
    if row is None:
        return None
    bucket = _instance(Bucket, row[: len(BUCKET_COLUMNS)])
    bucket.project = _instance(Project, row[len(BUCKET_COLUMNS) :])
    return bucket


def object_by_name(bucket_id: int, name: str) -> Object | None:
    with connection.cursor() as cursor:
        cursor.execute(OBJECT_SQL, [bucket_id, name])
        row = cursor.fetchone()
    return _instance(Object, row) if row else None


def _db_values(obj: Object, fields: list) -> list:
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]


def object_insert(obj: Object) -> None:
    returning = connection.features.can_return_columns_from_insert
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL + (" RETURNING id" if returning else ""), _db_values(obj, INSERT_FIELDS))
        obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid


def object_update(obj: Object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(UPDATE_SQL, [*_db_values(obj, UPDATE_FIELDS), obj.pk])


class ObjectRow:
    """A listed object: the Object columns as plain attributes, without a model instance's cost."""

    __slots__ = ("id", "bucket_id", "name", "generation", "metageneration", "size", "content_type", "md5",
                 "crc32c", "storage_class", "metadata", "blob_key", "time_created", "updated", "attributes")

    def __init__(self, values):
        (self.id, self.bucket_id, self.name, self.generation, self.metageneration, self.size, self.content_type,
         self.md5, self.crc32c, self.storage_class, metadata, self.blob_key, created, updated, attributes) = values
        self.time_created = _aware(created)
        self.updated = _aware(updated)
        self.metadata = _json(metadata)
        self.attributes = _json(attributes)


assert ObjectRow.__slots__ == tuple(f.attname for f in Object._meta.concrete_fields), "ObjectRow is out of date"


def _json(value) -> dict:
    if isinstance(value, str):  # SQLite: JSON text
        return json.loads(value) if value != "{}" else {}
    return value or {}


def _aware(value):
    """Return a UTC-aware datetime from what the driver gives (SQLite: naive UTC datetime or text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def object_rows(bucket_id: int, *, start: str, inclusive: bool, stop: str, limit: int) -> list[ObjectRow]:
    """Return up to `limit` objects with start <(=) name < stop, in name order (one indexed range query)."""
    sql = OBJECT_RANGE_SQL + (" AND name >= %s" if inclusive else " AND name > %s")
    params: list = [bucket_id, start]
    if stop:
        sql += " AND name < %s"
        params.append(stop)
    with connection.cursor() as cursor:
        cursor.execute(sql + " ORDER BY name LIMIT %s", [*params, limit])
        return [ObjectRow(row) for row in cursor.fetchall()]
