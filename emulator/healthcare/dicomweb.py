"""DICOMweb on a DICOM store: STOW-RS, QIDO-RS, WADO-RS (+metadata, frames, rendered), deletes.

One view receives `.../dicomStores/S/dicomWeb/<path>` and dispatches on the path's shape.
"""

import io
import json

import numpy as np
import pydicom
from django.http import HttpResponse, StreamingHttpResponse
from pydicom.encaps import generate_frames
from pydicom.pixels import pixel_array

from emulator.dicom import multipart, qido
from emulator.dicom.qido import element_for
from emulator.dicom.render import RenderError, render_frame
from emulator.dicom.transcode import TranscodeError, transcode
from emulator.wire import ApiError, int64, json_response, timestamp

from . import search, service
from .models import DicomStore, Instance
from .views import operation_done

DICOM_JSON = "application/dicom+json; charset=utf-8"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
DUPLICATE = 0x0111  # Failure Reason "Duplicate SOP Instance" (PS3.4 / PS3.7 status 0111H)
QIDO_LEVEL = {"studies": "study", "series": "series", "instances": "instance"}


class Ctx:
    def __init__(self, request, store: DicomStore, version: str):
        self.request = request
        self.store = store
        self.version = version
        self.base_url = search.store_base_url(store, version)


def dicomweb(request, version, project, location, dataset, store, path):
    store_obj = service.store_get(f"projects/{project}/locations/{location}/datasets/{dataset}/dicomStores/{store}")
    ctx = Ctx(request, store_obj, version)
    segments = path.split("/") if path else []
    verb = ""
    if segments and ":" in segments[-1]:
        segments[-1], verb = segments[-1].split(":", 1)
    method = request.method
    if verb:
        return _custom_verb(ctx, segments, verb)
    match segments:
        case [("studies" | "series" | "instances") as level] if method == "GET":
            return qido_response(ctx, QIDO_LEVEL[level])
        case ["studies"] if method == "POST":
            return stow(ctx)
        case ["studies", study] if method == "POST":
            return stow(ctx, study)
        case ["studies", study, ("series" | "instances") as level] if method == "GET":
            return qido_response(ctx, QIDO_LEVEL[level], study=study)
        case ["studies", study, "series", series, "instances"] if method == "GET":
            return qido_response(ctx, "instance", study=study, series=series)
        case ["studies", study, *rest] if method == "DELETE" and _is_resource(rest):
            return delete(ctx, study, *rest[1::2])
        case ["studies", study, *rest, "metadata"] if method == "GET" and _is_resource(rest):
            return metadata(ctx, _instances(ctx, study, *rest[1::2]))
        case ["studies", study, *rest] if method == "GET" and _is_resource(rest):
            return retrieve(ctx, _instances(ctx, study, *rest[1::2]), single=len(rest) == 4)
        case ["studies", study, "series", series, "instances", sop, "rendered"] if method == "GET":
            return rendered(ctx, _instance(ctx, study, series, sop), "1")
        case ["studies", study, "series", series, "instances", sop, "frames", frames] if method == "GET":
            return frames_response(ctx, _instance(ctx, study, series, sop), frames)
        case ["studies", study, "series", series, "instances", sop, "frames", frames, "rendered"] if method == "GET":
            return rendered(ctx, _instance(ctx, study, series, sop), frames)
    raise ApiError(404, f"{method} {request.path} is not a supported DICOMweb request")


def _is_resource(rest: list[str]) -> bool:
    """Whether the path after studies/{study} names the study, a series or an instance."""
    return rest in ([],) or (len(rest) in (2, 4) and rest[0] == "series" and rest[2:3] in ([], ["instances"]))


def _custom_verb(ctx: Ctx, segments: list[str], verb: str):
    if ctx.request.method != "GET":
        raise ApiError(404, f"{ctx.request.method} :{verb} is not supported")
    match segments, verb:
        case ["studies", study], "getStudyMetrics":
            rows = _instances(ctx, study)
            return json_response(ctx.request, {
                "study": f"{ctx.store.name}/dicomWeb/studies/{study}",
                "seriesCount": int64(len({i.series_uid for i in rows})),
                **_sizes(rows),
            })
        case ["studies", study, "series", series], "getSeriesMetrics":
            rows = _instances(ctx, study, series)
            return json_response(ctx.request, {"series": f"{ctx.store.name}/dicomWeb/studies/{study}/series/{series}",
                                               **_sizes(rows)})
        case ["studies", study, "series", series, "instances", sop], "getStorageInfo":
            instance = _instance(ctx, study, series, sop)
            return json_response(ctx.request, {
                "referencedResource": f"{ctx.store.name}/dicomWeb/studies/{study}/series/{series}/instances/{sop}",
                "blobStorageInfo": {
                    "sizeBytes": int64(instance.size),
                    "storageClass": instance.storage_class,
                    "storageClassUpdateTime": timestamp(instance.created),
                },
                "structuredStorageInfo": {"sizeBytes": int64(instance.metadata_size)},
            })
    raise ApiError(404, f"unknown method :{verb} on {'/'.join(segments)}")


def _sizes(rows: list[Instance]) -> dict:
    return {
        "instanceCount": int64(len(rows)),
        "structuredStorageSizeBytes": int64(sum(i.metadata_size for i in rows)),
        "blobStorageSizeBytes": int64(sum(i.size for i in rows)),
    }


def _instances(ctx: Ctx, study: str, series: str = "", sop: str = "") -> list[Instance]:
    rows = list(service.instance_iter(ctx.store, study_uid=study, series_uid=series, sop_uid=sop))
    if not rows:
        what = "instance" if sop else "series" if series else "study"
        raise ApiError(404, f"{what} not found")
    return rows


def _instance(ctx: Ctx, study: str, series: str, sop: str) -> Instance:
    return _instances(ctx, study, series, sop)[0]


def _dicom_json_response(payload, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(payload), status=status, content_type=DICOM_JSON)


# -- QIDO-RS -----------------------------------------------------------------------------------------------


def qido_response(ctx: Ctx, level: str, *, study: str = "", series: str = ""):
    query = qido.query_parse(ctx.request.GET, level)
    scope = search.Scope(store=ctx.store, base_url=ctx.base_url, study_uid=study, series_uid=series)
    results = search.search(scope, query)
    if not results:
        return HttpResponse(status=204)
    return _dicom_json_response(results)


# -- STOW-RS -----------------------------------------------------------------------------------------------


def _stow_parts(request) -> list[bytes]:
    media_type, params = multipart.content_type_params(request.headers.get("Content-Type", ""))
    if media_type == "application/dicom":
        return [request.body]
    if media_type != "multipart/related":
        raise ApiError(415, f"unsupported Content-Type {media_type!r}: use multipart/related; "
                            'type="application/dicom" or application/dicom', status="INVALID_ARGUMENT")
    inner = params.get("type", "application/dicom").lower()
    if inner != "application/dicom":
        raise ApiError(415, f'unsupported multipart type {inner!r}: only "application/dicom" is supported',
                       status="INVALID_ARGUMENT")
    if "boundary" not in params:
        raise ApiError(400, "the multipart/related Content-Type has no boundary")
    try:
        parts = multipart.parts(request.body, params["boundary"])
    except ValueError as exc:
        raise ApiError(400, f"invalid multipart body: {exc}") from None
    result = []
    for headers, payload in parts:
        part_type = multipart.content_type_params(headers.get("content-type", "application/dicom"))[0]
        if part_type != "application/dicom":
            raise ApiError(415, f"unsupported part Content-Type {part_type!r}", status="INVALID_ARGUMENT")
        result.append(payload)
    return result


def stow(ctx: Ctx, study: str = ""):
    referenced, failed, studies = [], [], set()
    for payload in _stow_parts(ctx.request):
        try:
            instance, created = service.instance_store(ctx.store, payload, study_uid=study)
        except service.InvalidDicom as exc:
            failed.append(_failed_item(exc.sop_class_uid, exc.sop_uid, exc.reason))
            continue
        if not created:  # the stored copy stays; the new one is reported as a duplicate
            failed.append(_failed_item(instance.sop_class_uid, instance.sop_uid, DUPLICATE))
            continue
        studies.add(instance.study_uid)
        url = f"{ctx.base_url}/studies/{instance.study_uid}/series/{instance.series_uid}/instances/{instance.sop_uid}"
        referenced.append({
            "00081150": element_for(0x00081150, [instance.sop_class_uid], "UI"),
            "00081155": element_for(0x00081155, [instance.sop_uid], "UI"),
            "00081190": element_for(0x00081190, [url], "UR"),
        })
    result = {}
    if study or len(studies) == 1:
        result["00081190"] = element_for(0x00081190, [f"{ctx.base_url}/studies/{study or studies.pop()}"], "UR")
    if failed:
        result["00081198"] = {"vr": "SQ", "Value": failed}
    if referenced:
        result["00081199"] = {"vr": "SQ", "Value": referenced}
    status = 200 if not failed else 202 if referenced else 409
    return _dicom_json_response(result, status)


def _failed_item(sop_class_uid: str, sop_uid: str, reason: int) -> dict:
    item = {}
    if sop_class_uid:
        item["00081150"] = element_for(0x00081150, [sop_class_uid], "UI")
    if sop_uid:
        item["00081155"] = element_for(0x00081155, [sop_uid], "UI")
    item["00081197"] = element_for(0x00081197, [reason], "US")
    return item


# -- WADO-RS -----------------------------------------------------------------------------------------------


def _accepts(request) -> list[tuple[str, dict]]:
    header = request.headers.get("Accept", "") or "*/*"
    # Split on commas outside quotes.
    ranges, current, quoted = [], "", False
    for char in header:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            ranges.append(current)
            current = ""
        else:
            current += char
    ranges.append(current)
    parsed = [multipart.content_type_params(r.strip()) for r in ranges if r.strip()]
    # google-api-python-client sends Accept: application/json on every call: treat it like */*.
    return [("*/*", params) if media_type == "application/json" else (media_type, params)
            for media_type, params in parsed]


def _retrieve_choice(request, single: bool) -> tuple[bool, str]:
    """Return (multipart?, transfer syntax: "*" or a UID) chosen from the Accept header."""
    for media_type, params in _accepts(request):
        ts = params.get("transfer-syntax", EXPLICIT_LE)
        if media_type == "multipart/related" and params.get("type", "application/dicom") == "application/dicom":
            return True, ts
        if media_type == "application/dicom" and single:
            return False, ts
        if media_type in ("*/*", "multipart/*"):
            return True, EXPLICIT_LE
    raise ApiError(406, 'unsupported Accept header: use multipart/related; type="application/dicom"'
                        + (" or application/dicom" if single else ""), status="INVALID_ARGUMENT")


def _instance_bytes(instance: Instance, ts: str) -> tuple[bytes, str]:
    with service.instance_open(instance) as handle:
        data = handle.read()
    if ts == "*" or ts == instance.transfer_syntax_uid:
        return data, instance.transfer_syntax_uid
    try:
        return transcode(data, ts), ts
    except TranscodeError as exc:
        raise ApiError(406, str(exc), status="INVALID_ARGUMENT") from None


def retrieve(ctx: Ctx, instances: list[Instance], *, single: bool):
    use_multipart, ts = _retrieve_choice(ctx.request, single)
    if not use_multipart:
        data, actual = _instance_bytes(instances[0], ts)
        return HttpResponse(data, content_type=f"application/dicom; transfer-syntax={actual}")
    boundary = multipart.new_boundary()
    content_type = f'multipart/related; type="application/dicom"; boundary={boundary}'
    # The first instance is converted before streaming starts, so an unsupported syntax is a clean 406.
    first = _instance_bytes(instances[0], ts)

    def items():
        yield f"application/dicom; transfer-syntax={first[1]}", first[0]
        for instance in instances[1:]:
            try:
                data, actual = _instance_bytes(instance, ts)
            except ApiError:
                # Streaming has started: send this one as stored; its part says which syntax it is in.
                data, actual = _instance_bytes(instance, "*")
            yield f"application/dicom; transfer-syntax={actual}", data

    if len(instances) == 1:
        body = b"".join(multipart.build(items(), boundary))
        return HttpResponse(body, content_type=content_type)
    return StreamingHttpResponse(multipart.build(items(), boundary), content_type=content_type)


def metadata(ctx: Ctx, instances: list[Instance]):
    return _dicom_json_response([dict(sorted(i.metadata.items())) for i in instances])


def _dataset(instance: Instance) -> pydicom.Dataset:
    with service.instance_open(instance) as handle:
        return pydicom.dcmread(io.BytesIO(handle.read()))


def _frame_numbers(instance: Instance, frames: str) -> list[int]:
    try:
        numbers = [int(n) for n in frames.split(",") if n.strip()]
    except ValueError:
        raise ApiError(400, f"invalid frame list {frames!r}: use 1-based frame numbers separated by commas") from None
    if not numbers:
        raise ApiError(400, "the frame list is empty")
    if instance.number_of_frames == 0:
        raise ApiError(400, "the instance has no pixel data")
    for number in numbers:
        if not 1 <= number <= instance.number_of_frames:
            raise ApiError(400, f"frame {number} is out of range: the instance has {instance.number_of_frames} "
                                "frame(s), numbered from 1")
    return numbers


def _frame_bytes(ds: pydicom.Dataset, index: int, frames: int, raw: bool) -> bytes:
    ts = ds.file_meta.TransferSyntaxUID
    if raw and ts.is_encapsulated:
        return list(generate_frames(ds.PixelData, number_of_frames=frames))[index]
    if not raw and (ts.is_encapsulated or not ts.is_little_endian):
        arr = pixel_array(ds, index=index if frames > 1 else None)
        return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
    bits = int(ds.BitsAllocated)
    length = int(ds.Rows) * int(ds.Columns) * int(ds.get("SamplesPerPixel", 1))
    if bits == 1:
        raise ApiError(406, "frames of 1-bit pixel data are not supported by the emulator", status="INVALID_ARGUMENT")
    size = length * bits // 8
    return bytes(ds.PixelData[index * size : (index + 1) * size])


def frames_response(ctx: Ctx, instance: Instance, frames: str):
    numbers = _frame_numbers(instance, frames)
    raw = False
    for media_type, params in _accepts(ctx.request):
        if media_type in ("multipart/related", "*/*", "multipart/*", "application/octet-stream"):
            raw = params.get("transfer-syntax") == "*"
            break
    else:
        raise ApiError(406, 'unsupported Accept header: use multipart/related; type="application/octet-stream"',
                       status="INVALID_ARGUMENT")
    ds = _dataset(instance)
    part_ts = instance.transfer_syntax_uid if raw else EXPLICIT_LE
    try:
        payloads = [_frame_bytes(ds, n - 1, instance.number_of_frames, raw) for n in numbers]
    except ApiError:
        raise
    except Exception as exc:  # decoders raise many types
        raise ApiError(406, f"cannot decode the pixel data: {exc}", status="INVALID_ARGUMENT") from None
    boundary = multipart.new_boundary()
    part_type = f"application/octet-stream; transfer-syntax={part_ts}"
    body = b"".join(multipart.build(((part_type, p) for p in payloads), boundary))
    return HttpResponse(body, content_type=f'multipart/related; type="application/octet-stream"; boundary={boundary}')


def _render_format(request) -> str:
    for media_type, _ in _accepts(request):
        if media_type in ("image/jpeg", "*/*", "image/*"):
            return "jpeg"
        if media_type == "image/png":
            return "png"
    raise ApiError(406, "unsupported Accept header for rendered: use image/jpeg or image/png",
                   status="INVALID_ARGUMENT")


def _viewport(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        width, height = (int(v) for v in value.split(",")[:2])
    except ValueError:
        raise ApiError(400, f"invalid viewport {value!r}: use WIDTH,HEIGHT") from None
    if not (0 < width <= 10000 and 0 < height <= 10000):
        raise ApiError(400, f"invalid viewport {value!r}: width and height must be 1 to 10000")
    return width, height


def rendered(ctx: Ctx, instance: Instance, frames: str):
    numbers = _frame_numbers(instance, frames)
    if len(numbers) != 1:
        raise ApiError(400, "rendered frames take exactly one frame number")
    fmt = _render_format(ctx.request)
    size = _viewport(ctx.request.GET.get("viewport"))
    try:
        image = render_frame(_dataset(instance), numbers[0] - 1, fmt=fmt, size=size)
    except RenderError as exc:
        raise ApiError(406, f"cannot render the instance: {exc}", status="INVALID_ARGUMENT") from None
    return HttpResponse(image, content_type=f"image/{fmt}")


# -- deletes -----------------------------------------------------------------------------------------------


def delete(ctx: Ctx, study: str, series: str = "", sop: str = ""):
    count = service.instance_delete(ctx.store, study_uid=study, series_uid=series, sop_uid=sop)
    if not count:
        raise ApiError(404, f"{'instance' if sop else 'series' if series else 'study'} not found")
    if sop:
        return json_response(ctx.request, {})
    method = "dicomweb.DicomWebService.DeleteSeries" if series else "dicomweb.DicomWebService.DeleteStudy"
    response = {"@type": "type.googleapis.com/google.protobuf.Empty"}
    return json_response(ctx.request, operation_done(ctx.store.dataset.name, ctx.version, method, response))
