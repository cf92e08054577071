"""ASGI edge: scope → Request, Response → send. Nothing here knows about S3 semantics."""

from __future__ import annotations

import random
from binascii import b2a_base64
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ironbucket.http.request import DEFAULT_BODY_IDLE_TIMEOUT, Body, Receive, Request, parse_query
from ironbucket.http.response import Response

Scope = MutableMapping[str, Any]
# Set by the server on connections accepted by a private endpoint's own listener: its id.
ENDPOINT_EXTENSION = "ironbucket.endpoint"
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
# An extension of the built-in server's (server/http11.py), offered in scope["extensions"]: the
# response's headers may come as one pre-rendered block of "name: value\r\n" lines (bytes, in
# the start message under HEAD_BLOCK) with its number of lines (HEAD_BLOCK_LINES), instead of
# as "headers" pairs, which a small GET spent ~2% of its time encoding one by one for the
# server to join again. The server counts the block's CR and LF against the number of lines,
# as it does every header's, so no value can split the response.
HEAD_BLOCK = "ironbucket.head_block"
HEAD_BLOCK_LINES = "ironbucket.head_block_lines"


# Request ids identify, they do not protect: a fast non-cryptographic generator will do.
_ids = random.Random()


def new_request_id() -> str:
    return _ids.getrandbits(64).to_bytes(8, "big").hex().upper()  # faster than formatting


def host_id() -> str:
    return b2a_base64(_ids.getrandbits(384).to_bytes(48, "big"), newline=False).decode()


@lru_cache(maxsize=1024)
def _parsed_query(query_string: str) -> tuple[tuple[tuple[str, str], ...], Mapping[str, str]]:
    items = tuple(parse_query(query_string))
    query: dict[str, str] = {}
    for name, value in items:
        query.setdefault(name, value)
    return items, MappingProxyType(query)


def parsed_query(query_string: str) -> tuple[tuple[tuple[str, str], ...], Mapping[str, str]]:
    """Decoded query parameters, read-only: parsing is pure and the same query strings (presigned
    URLs, sub-resources) arrive over and over, so results are shared."""
    if not query_string:
        return (), _NO_QUERY
    return _parsed_query(query_string)


_NO_QUERY: Mapping[str, str] = MappingProxyType({})


def build_request(scope: Scope, receive: Receive, now: float,
                  body_idle_timeout: float = DEFAULT_BODY_IDLE_TIMEOUT) -> Request:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1")  # ASGI servers send header names lower-cased
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    length_header = headers.get("content-length")
    content_length: int | None = None
    if "chunked" not in headers.get("transfer-encoding", ""):
        # Neither header means no body (RFC 9112 §6.3): a bodiless GET/HEAD keeps its connection.
        length_header = "0" if length_header is None else length_header
        content_length = int(length_header) if length_header.isdigit() else None
    query_string = scope["query_string"].decode("latin-1")
    items, query = parsed_query(query_string)
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else scope["path"]
    client = scope.get("client") or ("", 0)
    server = scope.get("server") or ("", 0)
    extensions = scope.get("extensions") or {}
    # Positional: a class called with keywords builds a dict of them first (CPython 3.11), and
    # every request comes through here. The order is Request's fields'.
    return Request(
        scope["method"],  # method
        path,  # raw_path
        query_string,  # query_string
        query,  # query
        items,  # query_items (shared: a tuple)
        headers,  # headers
        Body(receive, content_length, body_idle_timeout),  # body
        client[0],  # client_ip
        client[1],  # client_port
        (server[0], server[1] or 0),  # server
        scope.get("scheme", "http"),  # scheme
        new_request_id(),  # request_id
        now,  # received_at
        {},  # extra
        None if "tls" not in extensions else _tls_version(extensions["tls"]),  # tls_version
        extensions.get(ENDPOINT_EXTENSION),  # listener_endpoint
    )


def _tls_version(tls: object) -> str | None:
    """ASGI's TLS extension gives the wire value (0x0303); policies compare "1.2" numerically."""
    wire = tls.get("tls_version") if isinstance(tls, dict) else None
    if not isinstance(wire, int) or wire < 0x0301:
        return None
    return f"1.{(wire & 0xFF) - 1}"


async def send_response(send: Send, response: Response, common_headers: Mapping[str, str],
                        *, head: bool, block: bool = False) -> int:
    """Send status, headers (``common_headers`` first) and body; returns the number of body
    bytes sent. ``block``: the server takes the HEAD_BLOCK extension."""
    body = response.body
    length = response.content_length
    if isinstance(body, bytes) and length is None:
        length = len(body)
    if block:
        # "connection" stays a pair: the server must see it to close the connection.
        connection = response.headers.pop("connection", None)
        lines = [f"{name}: {value}\r\n" for headers in (common_headers, response.headers)
                 for name, value in headers.items()]
        if length is not None and "content-length" not in response.headers:
            lines.append(f"content-length: {length}\r\n")
        start = {"type": "http.response.start", "status": response.status,
                 "headers": [] if connection is None else [(b"connection", connection.encode("latin-1"))],
                 HEAD_BLOCK: "".join(lines).encode("latin-1"), HEAD_BLOCK_LINES: len(lines)}
    else:
        headers = [(name.encode("latin-1"), value.encode("latin-1"))
                   for headers in (common_headers, response.headers) for name, value in headers.items()]
        if length is not None and "content-length" not in response.headers:
            headers.append((b"content-length", str(length).encode()))
        start = {"type": "http.response.start", "status": response.status, "headers": headers}
    await send(start)
    if isinstance(body, bytes):
        await send({"type": "http.response.body", "body": b"" if head else body})
        return 0 if head else len(body)
    sent = 0
    if head:
        await send({"type": "http.response.body", "body": b""})
        return 0
    async for chunk in body:
        sent += len(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
    return sent
