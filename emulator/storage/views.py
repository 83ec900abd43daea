"""Cloud Storage JSON API v1 views: buckets, objects, metadata and media (uploads are in uploads.py)."""

import re

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.http import http_date

from emulator.wire import ApiError, apply_field_mask, error_response, json_response, parse_field_mask, read_json

from . import service
from .blobs import CHUNK
from .listing import decode_token, encode_token, object_list_page, parse_max_results
from .models import Object
from .resources import bucket_resource, object_resource

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
PRECONDITIONS = ("ifGenerationMatch", "ifGenerationNotMatch", "ifMetagenerationMatch", "ifMetagenerationNotMatch")
SMALL_BODY = 1024 * 1024  # answered from memory; larger bodies stream


def preconditions_from(request: HttpRequest) -> dict:
    found = {key: request.GET[key] for key in PRECONDITIONS if request.GET.get(key)}
    if request.GET.get("ifMetaGenerationNotMatch"):  # the Python client's spelling
        found["ifMetagenerationNotMatch"] = request.GET["ifMetaGenerationNotMatch"]
    return found


def _method_not_allowed(request: HttpRequest) -> ApiError:
    return ApiError(405, f"Method {request.method} is not allowed on {request.path}.")


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "").lower() in ("true", "1")


# -- buckets ----------------------------------------------------------------------------------------------


def buckets(request: HttpRequest) -> HttpResponse:
    """buckets.list (GET) and buckets.insert (POST) on /storage/v1/b."""
    project_id = request.GET.get("project", "")
    if request.method == "POST":
        if not project_id:
            raise ApiError(400, "Required parameter: project")
        body = read_json(request)
        bucket = service.bucket_insert(project_id=project_id, name=body.get("name", ""),
                                       location=body.get("location") or "US",
                                       storage_class=body.get("storageClass") or "STANDARD",
                                       labels=body.get("labels") or {})
        return json_response(request, bucket_resource(bucket))
    if request.method != "GET":
        raise _method_not_allowed(request)
    if not project_id:
        raise ApiError(400, "Required parameter: project")
    limit = parse_max_results(request.GET.get("maxResults"))
    after = decode_token(request.GET["pageToken"])[0] if request.GET.get("pageToken") else ""
    rows = service.bucket_page(project_id=project_id, prefix=request.GET.get("prefix", ""), after=after,
                               limit=limit + 1)
    payload = {"kind": "storage#buckets", "items": [bucket_resource(b) for b in rows[:limit]]}
    if len(rows) > limit:
        payload["nextPageToken"] = encode_token(rows[limit - 1].name, False)
    return json_response(request, payload)


def bucket_detail(request: HttpRequest, bucket: str) -> HttpResponse:
    """buckets.get (GET) and buckets.delete (DELETE)."""
    if request.method == "GET":
        return json_response(request, bucket_resource(service.bucket_get(bucket)))
    if request.method == "DELETE":
        service.bucket_delete(bucket)
        return HttpResponse(status=204)
    raise _method_not_allowed(request)


def bucket_test_permissions(request: HttpRequest, bucket: str) -> HttpResponse:
    """buckets.testIamPermissions: the emulator has no IAM, so the caller holds every permission it asks about."""
    service.bucket_get(bucket)
    return json_response(request, {"kind": "storage#testIamPermissionsResponse",
                                   "permissions": request.GET.getlist("permissions")})


# -- objects ----------------------------------------------------------------------------------------------


def objects(request: HttpRequest, bucket: str) -> HttpResponse:
    """objects.list: prefix, delimiter, matchGlob, offsets, keyset pages in name order."""
    if request.method != "GET":
        raise _method_not_allowed(request)
    bucket_obj = service.bucket_get(bucket)
    page = object_list_page(
        bucket_obj,
        prefix=request.GET.get("prefix", ""),
        delimiter=request.GET.get("delimiter", ""),
        match_glob=request.GET.get("matchGlob", ""),
        start_offset=request.GET.get("startOffset", ""),
        end_offset=request.GET.get("endOffset", ""),
        include_trailing_delimiter=_flag(request, "includeTrailingDelimiter"),
        max_results=parse_max_results(request.GET.get("maxResults")),
        page_token=request.GET.get("pageToken", ""),
    )
    payload: dict = {"kind": "storage#objects"}
    if page.prefixes:
        payload["prefixes"] = page.prefixes
    if page.items:
        payload["items"] = [object_resource(obj, bucket) for obj in page.items]
    if page.next_page_token:
        payload["nextPageToken"] = page.next_page_token
    return lean_json_response(request, payload)


def lean_json_response(request: HttpRequest, payload: dict) -> HttpResponse:
    """json_response for a payload built without default values: skips the recursive compact (a third of a
    1,000-object page's time) but applies `fields` and `prettyPrint` the same way."""
    mask = request.GET.get("fields")
    if mask:
        payload = apply_field_mask(payload, parse_field_mask(mask))
    pretty = request.GET.get("prettyPrint", "true").lower() not in ("false", "0")
    return JsonResponse(payload, json_dumps_params={"indent": 2 if pretty else None})


def object_detail(request: HttpRequest, bucket: str, name: str) -> HttpResponse:
    """objects.get (metadata, or the bytes with alt=media), objects.patch/update, objects.delete."""
    if request.method in ("GET", "HEAD"):
        if request.GET.get("alt") == "media":
            return object_media(request, bucket, name)
        obj = _get_checked(request, bucket, name)
        return lean_json_response(request, object_resource(obj, bucket))
    if request.method == "DELETE":
        service.object_delete(bucket, name, preconditions=preconditions_from(request))
        return HttpResponse(status=204)
    if request.method in ("PATCH", "PUT"):
        obj = service.object_patch(bucket, name, changes=read_json(request), preconditions=preconditions_from(request))
        return lean_json_response(request, object_resource(obj, bucket))
    raise _method_not_allowed(request)


def _get_checked(request: HttpRequest, bucket: str, name: str) -> Object:
    obj = service.object_get(bucket, name)
    generation = request.GET.get("generation")
    if generation and generation != str(obj.generation):
        # Only the live generation is kept: older ones are gone as after a delete.
        raise ApiError(404, service.OBJECT_NOT_FOUND.format(bucket=bucket, name=name))
    service.check_preconditions(obj, preconditions_from(request))
    return obj


def object_media(request: HttpRequest, bucket: str, name: str) -> HttpResponse:
    """Answer the object's bytes (alt=media), honouring a single `Range: bytes=` range with 206."""
    if request.method not in ("GET", "HEAD"):
        raise _method_not_allowed(request)
    obj = _get_checked(request, bucket, name)
    start, end, partial = 0, obj.size - 1, False
    header = request.headers.get("Range", "").strip()
    if header:
        try:
            start, end = _parse_range(header, obj.size)
        except RangeNotSatisfiable as exc:
            response = error_response(exc.code, exc.message, exc.status)
            response["Content-Range"] = f"bytes */{obj.size}"
            return response
        partial = True
    length = max(end - start + 1, 0)
    if request.method == "HEAD":
        response = HttpResponse(status=206 if partial else 200)
    elif length <= SMALL_BODY:
        with service.object_open(obj) as fh:
            fh.seek(start)
            response = HttpResponse(fh.read(length), status=206 if partial else 200)
    else:
        response = StreamingHttpResponse(_stream(obj, start, length), status=206 if partial else 200)
    response["Content-Type"] = obj.content_type
    response["Content-Length"] = str(length)
    if partial:
        response["Content-Range"] = f"bytes {start}-{end}/{obj.size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{obj.md5}"'
    response["Last-Modified"] = http_date(obj.updated.timestamp())
    response["x-goog-hash"] = f"crc32c={obj.crc32c},md5={obj.md5}"
    response["x-goog-generation"] = str(obj.generation)
    response["x-goog-metageneration"] = str(obj.metageneration)
    response["x-goog-stored-content-length"] = str(obj.size)
    # Stored bytes are served as stored: no Content-Encoding header, so clients never decompress on the fly.
    response["x-goog-stored-content-encoding"] = obj.attributes.get("contentEncoding", "identity")
    for key, header in (("contentDisposition", "Content-Disposition"), ("cacheControl", "Cache-Control"),
                        ("contentLanguage", "Content-Language")):
        if obj.attributes.get(key):
            response[header] = obj.attributes[key]
    response["x-goog-storage-class"] = obj.storage_class
    return response


def _parse_range(header: str, size: int) -> tuple[int, int]:
    match = RANGE_RE.match(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        raise ApiError(400, f"Invalid Range header: {header!r}")
    first, last = match.groups()
    if first == "":  # suffix range: the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(size)
    return start, end


class RangeNotSatisfiable(ApiError):
    def __init__(self, size: int):
        super().__init__(416, "The requested range cannot be satisfied.", status="OUT_OF_RANGE")
        self.size = size


def _stream(obj: Object, start: int, length: int):
    with service.object_open(obj) as fh:
        fh.seek(start)
        while length > 0:
            chunk = fh.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def object_copy(request: HttpRequest, bucket: str, name: str, dest_bucket: str, dest_name: str,
                verb: str = "copyTo") -> HttpResponse:
    """objects.copy (copyTo) and objects.rewrite (rewriteTo, always done in one call)."""
    if request.method != "POST":
        return object_detail(request, bucket, f"{name}/{verb}/b/{dest_bucket}/o/{dest_name}")
    obj = service.object_copy(bucket, name, dest_bucket, dest_name, overrides=read_json(request),
                              preconditions=preconditions_from(request))
    resource = object_resource(obj, dest_bucket)
    if verb == "copyTo":
        return json_response(request, resource)
    return json_response(request, {"kind": "storage#rewriteResponse", "totalBytesRewritten": str(obj.size),
                                   "objectSize": str(obj.size), "done": True, "resource": resource})


def object_compose(request: HttpRequest, bucket: str, name: str) -> HttpResponse:
    """objects.compose: concatenate sourceObjects into the destination object."""
    if request.method != "POST":
        return object_detail(request, bucket, f"{name}/compose")
    body = read_json(request)
    sources = [item.get("name", "") for item in body.get("sourceObjects") or []]
    obj = service.object_compose(bucket, name, sources=sources, destination=body.get("destination"),
                                 preconditions=preconditions_from(request))
    return lean_json_response(request, object_resource(obj, bucket))
