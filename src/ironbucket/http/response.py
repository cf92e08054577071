"""What handlers return, and the one place S3 errors become XML."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ironbucket.errors import S3Error
from ironbucket.http.xml import XmlWriter

# A piece of a streamed body: bytearray when filled in place, memoryview when it lends a pooled
# buffer (http/lending.py).
Chunk = bytes | bytearray | memoryview
Body = bytes | AsyncIterator[Chunk]


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Body = b""
    # Streaming bodies must say their length up front (S3 always sends Content-Length).
    content_length: int | None = None


def xml_response(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers = {"content-type": "application/xml"}
    if headers:
        all_headers.update(headers)
    return Response(status=status, headers=all_headers, body=body)


def empty(status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, headers=headers or {})


def error_response(error: S3Error, resource: str, request_id: str, *, head: bool = False) -> Response:
    headers = dict(error.headers)
    if head or error.status == 304:
        # HEAD and 304 answers carry no body (RFC 9110); clients read the status alone.
        return Response(status=error.status, headers=headers)
    writer = XmlWriter("Error", namespace=None)
    writer.element("Code", error.code).element("Message", error.message)
    writer.elements(error.fields.items())
    writer.element("Resource", resource).element("RequestId", request_id)
    headers["content-type"] = "application/xml"
    return Response(status=error.status, headers=headers, body=writer.render())
