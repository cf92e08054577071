"""Whole responses wait for the end of the event loop's pass (server/outbox.py); a connection's
bytes still leave in order, and nothing is written after it is gone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, MutableMapping
from typing import Any

import pytest

from ironbucket.server import outbox as outbox_module
from ironbucket.server.http11 import HttpProtocol, ServerState
from ironbucket.server.outbox import Outbox
from tests.unit.server.transports import StubTransport

Event = tuple[str, bytes]  # ("write" | "writelines" | "close", the bytes)


class RecordingTransport(StubTransport):
    """Records each call in order: one writelines of several pieces stays one event."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Event] = []

    def write(self, data: bytes | memoryview) -> None:
        assert not self.closed, "written after close"
        self.events.append(("write", bytes(data)))

    def writelines(self, pieces: Iterable[bytes | memoryview]) -> None:
        assert not self.closed, "written after close"
        self.events.append(("writelines", b"".join(bytes(p) for p in pieces)))

    def close(self) -> None:
        self.events.append(("close", b""))
        super().close()


class Waiting:
    """A connection as the outbox sees it: flushing notes its name."""

    def __init__(self, name: object, flushed: list[object]) -> None:
        self.loop = asyncio.get_running_loop()
        self.name = name
        self.flushed = flushed

    def flush(self) -> None:
        self.flushed.append(self.name)


def _connect(app: Any, state: ServerState | None = None) -> tuple[HttpProtocol, RecordingTransport]:
    transport = RecordingTransport()
    protocol = HttpProtocol(app, state or ServerState())
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return protocol, transport


async def _passes(count: int = 20) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


def _answering(seen: list[list[Event]], transports: list[RecordingTransport]) -> Any:
    """An app answering with its path; right after sending, it notes what its connection's
    transport has been given so far."""
    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        body = scope["path"].encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        seen.append(list(transports[int(scope["path"][1:])].events))
    return app


async def test_a_whole_response_is_written_after_the_pass_in_one_call() -> None:
    state = ServerState()
    seen: list[list[Event]] = []
    transports: list[RecordingTransport] = []
    protocols = []
    for _ in range(2):
        protocol, transport = _connect(_answering(seen, transports), state)
        protocols.append(protocol)
        transports.append(transport)
    for number, protocol in enumerate(protocols):
        protocol.data_received(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % number)
    await _passes()
    assert seen == [[], []]  # nothing was written while the apps ran
    for number, transport in enumerate(transports):
        [(kind, data)] = transport.events  # head and body together, one call
        assert kind == "writelines"
        assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"\r\n\r\n/%d" % number)
        assert not transport.closed


async def test_outbox_schedules_one_flush_per_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    flushed: list[object] = []
    outbox = Outbox()
    scheduled: list[object] = []
    original = loop.call_soon

    def counting_call_soon(callback: Any, *args: Any, **kwargs: Any) -> asyncio.Handle:
        if callback == outbox.flush:
            scheduled.append(callback)
        return original(callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_soon", counting_call_soon)
    outbox.add(Waiting("a", flushed))
    outbox.add(Waiting("b", flushed))
    assert flushed == [] and len(scheduled) == 1
    await _passes(2)
    assert flushed == ["a", "b"]
    outbox.add(Waiting("c", flushed))  # a later pass: scheduled again
    assert len(scheduled) == 2
    await _passes(2)
    assert flushed == ["a", "b", "c"]


async def test_a_full_outbox_is_flushed_at_once() -> None:
    flushed: list[object] = []
    outbox = Outbox()
    for number in range(outbox_module.MAX_WAITING - 1):
        outbox.add(Waiting(number, flushed))
    assert flushed == []
    outbox.add(Waiting(outbox_module.MAX_WAITING - 1, flushed))
    assert flushed == list(range(outbox_module.MAX_WAITING))  # without waiting for the pass
    outbox.add(Waiting(-1, flushed))
    await _passes(2)  # the flush scheduled first finds the newcomer
    assert flushed[-1] == -1 and len(flushed) == outbox_module.MAX_WAITING + 1


async def test_a_connection_bytes_leave_in_order() -> None:
    protocol, transport = _connect(None)
    protocol.queue(b"first ", b"response")
    protocol.write(b"then this")  # e.g. a 100 Continue of the next request
    protocol.queue(b"third")
    protocol.close()
    await _passes()  # the outbox's flush finds nothing left to send
    assert transport.events == [("writelines", b"first response"), ("write", b"then this"),
                                ("writelines", b"third"), ("close", b"")]


async def test_nothing_is_written_to_a_connection_that_is_gone() -> None:
    protocol, transport = _connect(None)
    protocol.queue(b"lost")
    protocol.connection_lost(None)
    transport.closed = True
    await _passes()
    assert transport.events == []


async def test_a_streamed_response_is_written_at_once() -> None:
    seen: list[list[Event]] = []
    transports: list[RecordingTransport] = []

    async def app(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"6")]})
        await send({"type": "http.response.body", "body": b"abc", "more_body": True})
        seen.append(list(transports[0].events))
        await send({"type": "http.response.body", "body": b"def"})

    protocol, transport = _connect(app)
    transports.append(transport)
    protocol.data_received(b"GET /0 HTTP/1.1\r\nHost: x\r\n\r\n")
    await _passes()
    [(kind, data)] = seen[0]  # head and first chunk went out before the app went on
    assert kind == "writelines" and data.endswith(b"\r\n\r\nabc")
    assert transport.events[1:] == [("write", b"def")]


async def test_a_closing_response_is_sent_before_the_connection_closes() -> None:
    seen: list[list[Event]] = []
    transports: list[RecordingTransport] = []
    protocol, transport = _connect(_answering(seen, transports))
    transports.append(transport)
    protocol.data_received(b"GET /0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await _passes()
    kinds = [kind for kind, _ in transport.events]
    assert kinds == ["writelines", "close"]
    assert transport.events[0][1].endswith(b"connection: close\r\n\r\n/0")
