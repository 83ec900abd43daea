"""JSON resources of the Storage JSON API v1 and Resource Manager v3, as Google spells them."""

import base64
import hashlib
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings

from emulator.wire import timestamp

from .models import Bucket, Object, Project
from .queries import ObjectRow

MULTI_REGIONS = {"US", "EU", "ASIA"}
DUAL_REGIONS = {"NAM4", "EUR4", "ASIA1", "EUR5", "EUR7", "EUR8"}


def _base() -> str:
    return settings.EMULATOR_PUBLIC_URL.rstrip("/")


def _etag(*parts) -> str:
    return base64.b64encode(hashlib.sha1(":".join(map(str, parts)).encode()).digest()[:8]).decode()  # noqa: S324


def bucket_resource(bucket: Bucket) -> dict:
    location = bucket.location.upper()
    return {
        "kind": "storage#bucket",
        "selfLink": f"{_base()}/storage/v1/b/{quote(bucket.name, safe='')}",
        "id": bucket.name,
        "name": bucket.name,
        "projectNumber": bucket.project.number,
        "metageneration": str(bucket.metageneration),
        "location": location,
        "locationType": "multi-region" if location in MULTI_REGIONS else
                        "dual-region" if location in DUAL_REGIONS else "region",
        "storageClass": bucket.storage_class,
        "etag": _etag(bucket.name, bucket.metageneration),
        "timeCreated": timestamp(bucket.time_created),
        "updated": timestamp(bucket.updated),
        "labels": bucket.labels or None,
        "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True},
                             "bucketPolicyOnly": {"enabled": True},
                             "publicAccessPrevention": "inherited"},
        "rpo": "DEFAULT",
    }


def rfc3339(value: datetime) -> str:
    """Format like emulator.wire.timestamp, faster (listings format four timestamps per object)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


@lru_cache(maxsize=1024)
def _object_bases(bucket_name: str, base: str) -> tuple[str, str]:
    quoted = quote(bucket_name, safe="")
    return f"{base}/storage/v1/b/{quoted}/o/", f"{base}/download/storage/v1/b/{quoted}/o/"


def object_resource(obj: Object | ObjectRow, bucket_name: str | None = None) -> dict:
    """Return the Object resource; default values are left out already (listings skip wire.compact)."""
    bucket_name = bucket_name or obj.bucket.name
    self_base, media_base = _object_bases(bucket_name, _base())
    quoted = quote(obj.name, safe="")
    generation = str(obj.generation)
    created = rfc3339(obj.time_created)
    resource = {
        "kind": "storage#object",
        "id": f"{bucket_name}/{obj.name}/{generation}",
        "selfLink": self_base + quoted,
        "mediaLink": f"{media_base}{quoted}?generation={generation}&alt=media",
        "name": obj.name,
        "bucket": bucket_name,
        "generation": generation,
        "metageneration": str(obj.metageneration),
        "contentType": obj.content_type,
        "storageClass": obj.storage_class,
        "size": str(obj.size),  # "0" stays: Google reports the size of empty objects
        "md5Hash": obj.md5,
        "crc32c": obj.crc32c,
        "etag": _etag(bucket_name, obj.name, generation, obj.metageneration),
        "timeCreated": created,
        "updated": rfc3339(obj.updated),
        "timeStorageClassUpdated": created,
        "timeFinalized": created,
    }
    if obj.metadata:
        resource["metadata"] = obj.metadata
    if obj.attributes:
        resource.update(obj.attributes)
    return resource


def project_resource(project: Project) -> dict:
    return {
        "name": f"projects/{project.number}",
        "parent": project.parent,
        "projectId": project.project_id,
        "state": "ACTIVE",
        "displayName": project.display_name,
        "createTime": timestamp(project.create_time),
        "updateTime": timestamp(project.update_time),
        "etag": f'W/"{_etag(project.project_id, project.update_time.timestamp())}"',
        "labels": project.labels or None,
    }
