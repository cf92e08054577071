"""The HTTP/1.1 server's response head: what it writes for the headers an app sends (as pairs or
as one block), when it closes the connection, and that a header holding CR or LF never reaches
the wire; and how a connection's requests are run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

import pytest

from ironbucket.http.asgi import HEAD_BLOCK, HEAD_BLOCK_LINES, send_response
from ironbucket.http.response import Response
from ironbucket.server import http11
from ironbucket.server.http11 import HttpProtocol, ServerState
from tests.unit.server.transports import StubTransport

Headers = list[tuple[bytes, bytes]]


class FakeTransport(StubTransport):
    def __init__(self) -> None:
        super().__init__()
        self.written = b""

    def write(self, data: bytes | memoryview) -> None:
        self.written += bytes(data)

    def writelines(self, pieces: Iterable[bytes | memoryview]) -> None:
        for data in pieces:
            self.write(data)


def _app(headers: Headers, body: bytes = b"hello") -> Callable[..., Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    return app


async def _exchange(headers: Headers, request: bytes) -> FakeTransport:
    transport = FakeTransport()
    protocol = HttpProtocol(_app(headers), ServerState())
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(request)
    for _ in range(20):  # the app runs as a task
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    return transport


GET = b"GET /b/k HTTP/1.1\r\nHost: x\r\n\r\n"
GET_CLOSE = b"GET /b/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
GET_HTTP10 = b"GET /b/k HTTP/1.0\r\nHost: x\r\n\r\n"

CASES: list[tuple[str, Headers, bytes, list[bytes], bool]] = [
    # (name, app headers, request, header lines expected in order, connection closed)
    ("plain", [(b"etag", b'"abc"'), (b"content-length", b"5")], GET,
     [b'etag: "abc"', b"content-length: 5"], False),
    ("no headers", [], GET, [], False),
    ("app closes", [(b"connection", b"close"), (b"content-length", b"5")], GET,
     [b"connection: close", b"content-length: 5"], True),
    ("app closes, any case", [(b"Connection", b"Close"), (b"content-length", b"5")], GET,
     [b"Connection: Close", b"content-length: 5"], True),
    ("client closes", [(b"content-length", b"5")], GET_CLOSE,
     [b"content-length: 5", b"connection: close"], True),
    ("HTTP/1.0 client", [(b"content-length", b"5")], GET_HTTP10,
     [b"content-length: 5", b"connection: close"], True),
    ("a value mentioning close", [(b"x-amz-meta-a", b"connection: close"), (b"content-length", b"5")],
     GET, [b"x-amz-meta-a: connection: close", b"content-length: 5"], False),
]


@pytest.mark.parametrize(("headers", "request_bytes", "lines", "closed"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
async def test_response_head(headers: Headers, request_bytes: bytes, lines: list[bytes],
                             closed: bool) -> None:
    transport = await _exchange(headers, request_bytes)
    head, _, body = transport.written.partition(b"\r\n\r\n")
    status, date, *rest = head.split(b"\r\n")
    assert status == b"HTTP/1.1 200 OK" and date.startswith(b"date: ")
    assert rest == lines
    assert body == b"hello"
    assert transport.closed is closed


@pytest.mark.parametrize("header", [
    (b"location", b"/x\r\nset-cookie: a=b"),
    (b"location", b"/x\nset-cookie: a=b"),
    (b"location", b"/x\rset-cookie: a=b"),
    (b"x-a\r\nset-cookie", b"a=b"),
])
async def test_a_header_holding_cr_or_lf_is_never_sent(header: tuple[bytes, bytes]) -> None:
    transport = await _exchange([header, (b"content-length", b"5")], GET)
    assert transport.written.startswith(b"HTTP/1.1 500 ")
    assert b"set-cookie" not in transport.written and b"hello" not in transport.written
    assert transport.closed


URLS: list[tuple[bytes, bytes, bytes]] = [
    # (request target, raw_path the app gets, query_string the app gets)
    (b"/b/k", b"/b/k", b""),
    (b"/b/k?versionId=3&x=%2F", b"/b/k", b"versionId=3&x=%2F"),
    (b"/b/k?", b"/b/k", b""),
    (b"/b/a%3Fb?uploads", b"/b/a%3Fb", b"uploads"),
    (b"/?list-type=2&prefix=a?b", b"/", b"list-type=2&prefix=a?b"),
    (b"/b/k#fragment", b"/b/k", b""),
    (b"/b/k?q=1#fragment", b"/b/k", b"q=1"),
    (b"http://host.example/b/k?q=1", b"/b/k", b"q=1"),
]


@pytest.mark.parametrize(("target", "raw_path", "query"), URLS)
async def test_request_target_split(target: bytes, raw_path: bytes, query: bytes) -> None:
    seen: list[MutableMapping[str, Any]] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    transport = FakeTransport()
    protocol = HttpProtocol(app, ServerState())
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(20):
        await asyncio.sleep(0)
    assert transport.written.startswith(b"HTTP/1.1 200 ")
    assert (seen[0]["raw_path"], seen[0]["query_string"]) == (raw_path, query)
    assert seen[0]["path"] == raw_path.decode()


@pytest.mark.parametrize(("upload", "download", "calls"), [
    (0, 100, 0), (0, 1000, 1), (1000, 0, 1), (600, 500, 1), (999, 0, 0),
])
async def test_big_transfers_are_reported_when_answered(monkeypatch: pytest.MonkeyPatch, upload: int,
                                                        download: int, calls: int) -> None:
    monkeypatch.setattr(http11, "BIG_TRANSFER_BYTES", 1000)
    state, reported = ServerState(), []
    state.after_big_transfer = lambda: reported.append(len(state.tasks))

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(download).encode())]})
        await send({"type": "http.response.body", "body": b"x" * (download // 2), "more_body": True})
        await send({"type": "http.response.body", "body": b"x" * (download - download // 2)})

    transport = FakeTransport()
    protocol = HttpProtocol(app, state)
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % upload)
    protocol.data_received(b"u" * upload)
    for _ in range(20):
        await asyncio.sleep(0)
    assert transport.written.startswith(b"HTTP/1.1 200 ") and transport.written.endswith(b"x" * download)
    assert reported == [0] * calls  # once the request is no longer counted in flight


def _block_app(block: bytes, lines: int, headers: Headers) -> Callable[..., Awaitable[None]]:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert HEAD_BLOCK in scope["extensions"]  # offered to every request
        await send({"type": "http.response.start", "status": 200, "headers": list(headers),
                    HEAD_BLOCK: block, HEAD_BLOCK_LINES: lines})
        await send({"type": "http.response.body", "body": b"hello"})
    return app


async def _exchange_with(app: Callable[..., Awaitable[None]], request: bytes) -> FakeTransport:
    transport = FakeTransport()
    protocol = HttpProtocol(app, ServerState())
    protocol.connection_made(transport)  # type: ignore[arg-type]
    protocol.data_received(request)
    for _ in range(20):
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    return transport


BLOCK_CASES: list[tuple[str, bytes, int, Headers, bytes, list[bytes] | None, bool]] = [
    # (name, block, its line count as sent, pairs, request, header lines expected (None: a 500), closed)
    ("block", b'etag: "abc"\r\ncontent-length: 5\r\n', 2, [], GET,
     [b'etag: "abc"', b"content-length: 5"], False),
    ("empty block", b"", 0, [(b"content-length", b"5")], GET, [b"content-length: 5"], False),
    ("pairs first", b"content-length: 5\r\n", 1, [(b"connection", b"close")], GET,
     [b"connection: close", b"content-length: 5"], True),
    ("client closes", b"content-length: 5\r\n", 1, [], GET_CLOSE,
     [b"content-length: 5", b"connection: close"], True),
    ("CRLF inside a value", b"location: /x\r\nset-cookie: a=b\r\ncontent-length: 5\r\n", 2, [], GET,
     None, True),
    ("LF inside a value", b"location: /x\nset-cookie: a=b\r\ncontent-length: 5\r\n", 2, [], GET, None, True),
    ("CR inside a value", b"location: /x\rset-cookie: a=b\r\ncontent-length: 5\r\n", 2, [], GET, None, True),
    ("a line short of its count", b"content-length: 5\r\n", 2, [], GET, None, True),
]


@pytest.mark.parametrize(("block", "count", "pairs", "request_bytes", "lines", "closed"),
                         [c[1:] for c in BLOCK_CASES], ids=[c[0] for c in BLOCK_CASES])
async def test_response_head_from_a_block(block: bytes, count: int, pairs: Headers, request_bytes: bytes,
                                          lines: list[bytes] | None, closed: bool) -> None:
    transport = await _exchange_with(_block_app(block, count, pairs), request_bytes)
    if lines is None:
        assert transport.written.startswith(b"HTTP/1.1 500 ")
        assert b"set-cookie" not in transport.written and b"hello" not in transport.written
    else:
        head, _, body = transport.written.partition(b"\r\n\r\n")
        status, date, *rest = head.split(b"\r\n")
        assert status == b"HTTP/1.1 200 OK" and date.startswith(b"date: ")
        assert rest == lines and body == b"hello"
    assert transport.closed is closed


RESPONSES: list[tuple[str, Response]] = [
    ("bytes body", Response(200, {"etag": '"e"', "content-type": "text/plain"}, b"hello")),
    ("latin-1 value", Response(200, {"x-amz-meta-a": "caf\xe9"}, b"")),
    ("own length", Response(204, {"content-length": "0"}, b"")),
    ("connection close", Response(400, {"connection": "close", "content-type": "application/xml"}, b"<E/>")),
]


@pytest.mark.parametrize("response", [r[1] for r in RESPONSES], ids=[r[0] for r in RESPONSES])
async def test_a_head_block_and_header_pairs_give_the_same_response(response: Response) -> None:
    """send_response with and without the server's HEAD_BLOCK extension: the same status, header
    lines and body (in block form "connection" comes first)."""
    written = []
    for block in (False, True):
        copy = Response(response.status, dict(response.headers), response.body)

        async def app(scope: dict[str, Any], receive: Any, send: Any, copy: Response = copy,
                      block: bool = block) -> None:
            await send_response(send, copy, {"x-amz-request-id": "R1", "server": "IronBucket"},
                                head=False, block=block)
        transport = await _exchange_with(app, GET)
        head, _, body = transport.written.partition(b"\r\n\r\n")
        status, _date, *lines = head.split(b"\r\n")
        written.append((status, sorted(lines), body))
    assert written[0] == written[1]
    status, lines, body = written[0]
    assert status.startswith(b"HTTP/1.1 %d " % response.status) and body == response.body
    assert {b"x-amz-request-id: R1", b"server: IronBucket"} <= set(lines)
    assert len(lines) == len(response.headers) + 2 + ("content-length" not in response.headers)


async def test_requests_on_a_connection_run_in_order_on_one_task() -> None:
    state = ServerState()
    seen: list[tuple[str, asyncio.Task[Any] | None, int]] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        seen.append((scope["path"], asyncio.current_task(), len(state.tasks)))
        await asyncio.sleep(0)  # let the next request's bytes arrive meanwhile
        body = scope["path"].encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    transport = FakeTransport()
    protocol = HttpProtocol(app, state)
    protocol.connection_made(transport)  # type: ignore[arg-type]
    pipelined = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
    protocol.data_received(pipelined)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not state.tasks  # idle: no request in flight
    protocol.data_received(b"GET /3 HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive, later
    for _ in range(20):
        await asyncio.sleep(0)
    assert [path for path, _, _ in seen] == ["/1", "/2", "/3"]
    assert len({task for _, task, _ in seen}) == 1  # one task for the connection
    assert [busy for _, _, busy in seen] == [1, 1, 1]  # each counted in flight while it ran
    assert [response.rpartition(b"\r\n\r\n")[2] for response in transport.written.split(b"HTTP/1.1 ")[1:]] \
        == [b"/1", b"/2", b"/3"]
    task = seen[0][1]
    assert task is not None and not task.done()  # waiting for the next request
    protocol.connection_lost(None)
    await asyncio.sleep(0)
    assert task.done() and not transport.closed
