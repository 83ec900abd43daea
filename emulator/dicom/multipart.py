"""multipart/related bodies of DICOMweb (PS3.18 8.6.1.2): parse STOW requests, build WADO responses."""

import re
import secrets
from collections.abc import Iterable
from email.message import Message


def content_type_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type/Accept media range into its lower-case type and parameters (quotes removed)."""
    message = Message()
    message["content-type"] = value or ""
    params = {k.lower(): v for k, v in message.get_params(failobj=[])[1:]}
    return message.get_content_type(), params


def parts(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """Split a multipart body into (headers, payload) pairs; raise ValueError when it is malformed."""
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise ValueError("the multipart body has no parts delimited by its boundary")
    result = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # the close delimiter
        chunk = chunk.removeprefix(b"\r\n").removeprefix(b"\n")
        head, sep, payload = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, sep, payload = chunk.partition(b"\n\n")
        if not sep:
            raise ValueError("a part of the multipart body has no header/body separator")
        headers = {}
        for line in re.split(rb"\r?\n", head):
            if b":" in line:
                name, _, value = line.partition(b":")
                headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
        # The CRLF before the next delimiter belongs to the delimiter.
        if payload.endswith(b"\r\n"):
            payload = payload[:-2]
        elif payload.endswith(b"\n"):
            payload = payload[:-1]
        result.append((headers, payload))
    return result


def new_boundary() -> str:
    return secrets.token_hex(16)


def build(items: Iterable[tuple[str, bytes]], boundary: str) -> Iterable[bytes]:
    """Yield a multipart/related body of (content type, payload) parts, part by part."""
    for content_type, payload in items:
        yield f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        yield payload
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()
