"""A lean HTTP/1.1 server (httptools on the asyncio/uvloop event loop) that runs an ASGI app.

Why not an off-the-shelf ASGI server: S3 traffic is many tiny requests, and what they cost
here is per-request overhead. This server writes a small response's status line, headers and
body with one system call, and the whole responses of one pass of the event loop together at
its end (server/outbox.py: a waiting client is woken once per pass, not once per response);
takes the headers as one block the app rendered (the HEAD_BLOCK extension, http/asgi.py);
sends ``100 Continue`` only when the app first reads the body (after authentication); and
reports the real connection facts (listener address, TLS) in the scope.
The app stays a plain ASGI app, so any ASGI server can host it instead.

One ``HttpProtocol`` per connection, and one task that runs its requests in order; a
pipelined request waits, with reading paused, until the one before it is answered.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from email.utils import formatdate
from typing import Any

import httptools

from ironbucket.http.asgi import HEAD_BLOCK, HEAD_BLOCK_LINES
from ironbucket.http.lending import Lender, lent_buffer
from ironbucket.server.outbox import Outbox
from ironbucket.server.tls_setup import tls_extension

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]

HIGH_WATER = 256 * 1024  # buffered request body bytes before reading pauses
MAX_PIPELINE = 8  # pipelined requests parsed ahead of the one being answered
KEEP_ALIVE_TIMEOUT = 75.0
MAX_HEADER_BYTES = 64 * 1024

_STATUS: dict[int, bytes] = {}
_ASGI = {"version": "3.0", "spec_version": "2.4"}  # shared by every scope: apps only read it
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_ERROR_400 = (b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n"
              b"connection: close\r\n\r\nBad Request")


def _status_line(status: int) -> bytes:
    line = _STATUS.get(status)
    if line is None:
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        line = f"HTTP/1.1 {status} {phrase}\r\n".encode("latin-1")
        _STATUS[status] = line
    return line


class _Clock:
    """The Date header, formatted once per second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = b""

    def date_header(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        return self._value


CLOCK = _Clock()


# A request that moved at least this many body bytes calls ServerState.after_big_transfer.
BIG_TRANSFER_BYTES = 64 * 1024 * 1024


class ServerState:
    """Shared by the connections of one listener set: for graceful shutdown, and the worker's
    memory upkeep (``after_big_transfer``: called when such a request has been answered)."""

    def __init__(self) -> None:
        self.connections: set[HttpProtocol] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.after_big_transfer: Callable[[], None] | None = None
        self.outbox = Outbox()  # whole responses, written once per pass of the loop


class RequestCycle:
    __slots__ = (
        "_head_method",
        "_response_head",
        "body",
        "body_size",
        "complete",
        "disconnected",
        "expect_continue",
        "keep_alive",
        "moved",
        "protocol",
        "response_complete",
        "response_started",
        "scope",
        "waiter",
    )

    def __init__(self, protocol: HttpProtocol, scope: Scope, expect_continue: bool) -> None:
        self.protocol = protocol
        self.scope = scope
        self.body: deque[bytes] = deque()
        self.body_size = 0
        self.moved = 0  # body bytes received and sent
        self.complete = False  # the whole request body has arrived
        self.disconnected = False
        self.expect_continue = expect_continue
        self.keep_alive = True
        self.response_started = False
        self.response_complete = False
        self.waiter: asyncio.Future[None] | None = None
        self._response_head: bytes = b""
        self._head_method = scope["method"] == "HEAD"

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # --- ASGI receive ---------------------------------------------------------------------------
    async def receive(self) -> Message:
        protocol = self.protocol
        if self.expect_continue and not self.response_started and not self.disconnected:
            self.expect_continue = False
            protocol.write(_CONTINUE)
        while not self.body and not self.complete and not self.disconnected:
            protocol.resume_reading()
            self.waiter = protocol.loop.create_future()
            await self.waiter
            self.waiter = None
        if self.disconnected and not self.body:
            return {"type": "http.disconnect"}
        # One received chunk at a time, never joined: joining copied every uploaded byte once more.
        chunk = self.body.popleft() if self.body else b""
        self.body_size -= len(chunk)
        protocol.resume_reading()
        return {"type": "http.request", "body": chunk, "more_body": bool(self.body) or not self.complete}

    # --- ASGI send ------------------------------------------------------------------------------
    async def send(self, message: Message) -> None:
        protocol = self.protocol
        if self.disconnected:
            raise ConnectionResetError("client disconnected")
        kind = message["type"]
        if kind == "http.response.start":
            if self.response_started:
                raise RuntimeError("response already started")
            headers = message.get("headers", ())
            parts = [_status_line(message["status"]), CLOCK.date_header()]
            lines = 3 + len(headers)  # status, date, end, the headers
            closing = False  # the app's own "connection: close"
            for name, value in headers:
                if name.lower() == b"connection" and value.lower() == b"close":
                    self.keep_alive = False
                    closing = True
                parts += [name, b": ", value, b"\r\n"]
            block = message.get(HEAD_BLOCK)
            if block is not None:
                parts.append(block)
                lines += message[HEAD_BLOCK_LINES]
            if not self.keep_alive and not closing:
                parts.append(b"connection: close\r\n")
                lines += 1
            parts.append(b"\r\n")
            head = b"".join(parts)
            if len(head) - len(head.translate(None, b"\r\n")) != 2 * lines:
                # A CR or LF inside a name or value would split the response (header injection):
                # refused before anything is sent, so the client gets a 500.
                raise ValueError("a response header holds CR or LF")
            self.response_started = True
            self.expect_continue = False
            self._response_head = head
            return
        if kind != "http.response.body" or not self.response_started or self.response_complete:
            raise RuntimeError(f"unexpected ASGI message {kind!r}")
        body: bytes = b"" if self._head_method else message.get("body", b"")
        more = message.get("more_body", False)
        self.moved += len(body)
        head, self._response_head = self._response_head, b""
        out = protocol.write if more else protocol.queue  # a whole response waits for the outbox
        if head and type(body) is bytes:  # not a lent buffer: the loop may hold on to it
            out(head, body)  # one writev, without joining them
        elif head and len(body) < 65536:
            out(head + body)  # a copy: a lent buffer is free at once
            protocol.lend(body, sent=True)
        else:
            if head:
                protocol.write(head)
            if body:
                protocol.write(body)
                protocol.lend(body)
        if not more:
            self.response_complete = True
            protocol.response_done(self)
        elif protocol.write_paused:
            await protocol.drain()


# Every connection of a worker reads into this one buffer: the parser consumes it at once
# (url, headers and body pieces come out as new bytes), so nothing outlives the callback, and
# reading straight into it saves the event loop's own copy of every received byte.
_READ_BUFFER = memoryview(bytearray(1024 * 1024))


class HttpProtocol(asyncio.BufferedProtocol):
    def __init__(self, app: ASGIApp, state: ServerState, *, scheme: str = "http",
                 extensions: dict[str, Any] | None = None) -> None:
        self.app = app
        self.state = state
        self.scheme = scheme
        # HEAD_BLOCK: offered to every request (see http/asgi.py)
        self.extensions = {HEAD_BLOCK: {}, **(extensions or {})}
        self.loop = asyncio.get_event_loop()
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.client: tuple[str, int] | None = None
        self.server: tuple[str, int] | None = None
        self.cycle: RequestCycle | None = None  # the one being answered
        self.parsing: RequestCycle | None = None  # the one whose bytes are arriving
        self.pipeline: deque[RequestCycle] = deque()
        self.read_paused = False
        self.write_paused = False
        self._drain_waiters: list[asyncio.Future[None]] = []
        self.lender = Lender()  # pooled body buffers written but maybe not yet sent
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._header_bytes = 0
        self._expect = False
        self._idle: asyncio.TimerHandle | None = None
        self._last_active = 0.0
        self._task: asyncio.Task[None] | None = None  # runs this connection's requests
        self._next: asyncio.Future[RequestCycle | None] | None = None  # it waits for one
        self._unsent: list[bytes] = []  # queued whole responses, for the outbox to flush

    # --- connection -----------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not an asyncio subclass
        self.state.connections.add(self)
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        self.client = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else None
        self.server = (str(local[0]), int(local[1])) if isinstance(local, tuple) else None
        if self.scheme == "https":  # the handshake is done: the negotiated facts are known
            self.extensions = {**self.extensions, "tls": tls_extension(transport)}
        self._last_active = self.loop.time()
        self._idle = self.loop.call_later(KEEP_ALIVE_TIMEOUT, self._idle_check)

    def connection_lost(self, exc: Exception | None) -> None:
        self.state.connections.discard(self)
        self._unsent = []  # nobody to send it to
        if self._idle is not None:
            self._idle.cancel()
        for cycle in (self.cycle, self.parsing, *self.pipeline):
            if cycle is not None:
                cycle.disconnected = True
                cycle.wake()
        for waiter in self._drain_waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._next is not None and not self._next.done():
            self._next.set_result(None)  # the connection's task ends
        self.lender.forget()

    def _idle_check(self) -> None:
        """One timer per connection, re-armed lazily (not per request): close a connection that
        has carried no request for KEEP_ALIVE_TIMEOUT seconds."""
        if self.transport.is_closing():
            return
        due = self._last_active + KEEP_ALIVE_TIMEOUT
        if self.cycle is None and self.loop.time() >= due:
            self.close()
            return
        self._idle = self.loop.call_at(max(due, self.loop.time() + 1.0), self._idle_check)

    def shutdown(self) -> None:
        """Close when idle; an in-flight request finishes and then the connection closes."""
        if self.cycle is None:
            self.close()
        else:
            self.cycle.keep_alive = False

    # --- writing --------------------------------------------------------------------------------
    def queue(self, *pieces: bytes) -> None:
        """A whole response: sent by the outbox at the end of the loop's pass (server/outbox.py)."""
        if not self._unsent:
            self.state.outbox.add(self)
        self._unsent += pieces

    def flush(self) -> None:
        unsent = self._unsent
        if unsent:
            self._unsent = []
            if not self.transport.is_closing():
                self.transport.writelines(unsent)

    def write(self, *pieces: bytes | memoryview) -> None:
        """Now, after whatever is queued: a connection's bytes leave in order."""
        if self._unsent:
            self.flush()
        if len(pieces) == 1:
            self.transport.write(pieces[0])
        else:
            self.transport.writelines(pieces)

    def close(self) -> None:
        if self._unsent:
            self.flush()
        self.transport.close()

    # --- flow control ---------------------------------------------------------------------------
    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._settle()
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def lend(self, body: bytes | bytearray | memoryview, *, sent: bool = False) -> None:
        """Note a body chunk that may be a view of a pooled buffer (``sent``: its bytes were
        copied, so the buffer is free now)."""
        buffer = lent_buffer(body)
        if buffer is not None:
            if sent:
                buffer.pool.give(buffer)
                return
            self.lender.lent(buffer, len(body))
            self._settle()

    def _settle(self) -> None:
        # While closing, queued bytes may still be sent: only connection_lost ends the doubt.
        if len(self.lender) and not self.transport.is_closing():
            self.lender.settle(self.transport.get_write_buffer_size())

    async def drain(self) -> None:
        if self.write_paused and not self.transport.is_closing():
            waiter = self.loop.create_future()
            self._drain_waiters.append(waiter)
            await waiter
        if self.transport.is_closing():
            raise ConnectionResetError("client disconnected")

    def resume_reading(self) -> None:
        if (self.read_paused and self.parsing is not None and self.parsing.body_size < HIGH_WATER
                and len(self.pipeline) < MAX_PIPELINE):
            self.read_paused = False
            self.transport.resume_reading()

    def _pause_reading(self) -> None:
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    # --- parsing --------------------------------------------------------------------------------
    def get_buffer(self, sizehint: int) -> memoryview:
        return _READ_BUFFER

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(_READ_BUFFER[:nbytes])

    def data_received(self, data: bytes | memoryview) -> None:
        self._last_active = self.loop.time()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._reject()
        except httptools.HttpParserError:
            self._reject()

    def _reject(self) -> None:
        if self.cycle is None or not self.cycle.response_started:
            self.write(_ERROR_400)
        self.close()

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._header_bytes = 0
        self._expect = False  # Expect: 100-continue

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._header_bytes += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value)
        if self._header_bytes > MAX_HEADER_BYTES:
            raise httptools.HttpParserError("headers too large")
        name = name.lower()
        if name == b"expect" and value.lower() == b"100-continue":
            self._expect = True
        self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        url = self._url
        if url.startswith(b"/") and url.find(b"#") < 0:
            # Origin form, as every S3 client sends it: the parser already checked its bytes,
            # and splitting off the query is all that is left (httptools.parse_url walks a
            # presigned URL byte by byte: ~1 µs).
            raw_path, _, query = url.partition(b"?")
        else:
            parsed = httptools.parse_url(url)
            raw_path, query = parsed.path, parsed.query or b""
        expect = self._expect
        scope: Scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": self.parser.get_http_version(),
            "method": self.parser.get_method().decode("ascii"),
            "scheme": self.scheme,
            "path": raw_path.decode("latin-1"),
            "raw_path": raw_path,
            "query_string": query,
            "root_path": "",
            "headers": self._headers,
            "client": self.client,
            "server": self.server,
            "extensions": self.extensions,
        }
        cycle = RequestCycle(self, scope, expect)
        cycle.keep_alive = self.parser.should_keep_alive()
        self.parsing = cycle
        if self.cycle is None:
            self._start(cycle)
        else:
            self.pipeline.append(cycle)
            self._pause_reading()

    def on_body(self, body: bytes) -> None:
        cycle = self.parsing
        if cycle is None or cycle.response_complete:
            return  # the app answered without reading; the connection closes afterwards
        cycle.body.append(body)
        cycle.body_size += len(body)
        cycle.moved += len(body)
        if cycle.body_size >= HIGH_WATER:
            self._pause_reading()
        cycle.wake()

    def on_message_complete(self) -> None:
        cycle = self.parsing
        if cycle is not None:
            cycle.complete = True
            cycle.wake()

    # --- running requests -----------------------------------------------------------------------
    def _start(self, cycle: RequestCycle) -> None:
        """Hand ``cycle`` to the connection's task, starting it with the first request. One
        task per connection, not per request: a task's creation, its registration in asyncio's
        WeakSet and its done callback were ~1% of a small GET's instructions."""
        self.cycle = cycle
        waiter = self._next
        if waiter is not None:  # the task is waiting for this request
            self._next = None
            waiter.set_result(cycle)
        elif self._task is None:
            self._task = self.loop.create_task(self._serve(cycle))
        # else the task is finishing the request before, and takes this one up next

    async def _serve(self, cycle: RequestCycle | None) -> None:
        """Run the connection's requests in order, until it closes."""
        tasks = self.state.tasks
        task = asyncio.current_task()
        assert task is not None
        try:
            while cycle is not None:
                tasks.add(task)  # in flight: what graceful shutdown and idle upkeep look at
                try:
                    await self._run(cycle)
                finally:
                    tasks.discard(task)
                if cycle.moved >= BIG_TRANSFER_BYTES and self.state.after_big_transfer is not None:
                    self.state.after_big_transfer()
                if self.cycle is not None and self.cycle is not cycle:
                    cycle = self.cycle  # a pipelined request started while this one finished
                    continue
                if self.transport.is_closing():
                    return
                self._next = self.loop.create_future()
                cycle = await self._next
        finally:
            self._task = None
            self._next = None

    async def _run(self, cycle: RequestCycle) -> None:
        try:
            await self.app(cycle.scope, cycle.receive, cycle.send)
        except Exception:
            if not cycle.disconnected:
                log.exception("ASGI app failed")
            if not cycle.response_started and not cycle.disconnected:
                self.write(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n"
                           b"connection: close\r\n\r\n")
            self.close()
            return
        if not cycle.response_complete and not cycle.disconnected:
            self.close()  # the app ended without finishing its response

    def response_done(self, cycle: RequestCycle) -> None:
        if not cycle.keep_alive or not cycle.complete or self.transport.is_closing():
            # A body left unread would be taken for the next request: close instead.
            self.close()
            return
        self.cycle = None
        self._last_active = self.loop.time()
        if self.pipeline:
            self._start(self.pipeline.popleft())
        if self.read_paused and (self.parsing is None or self.parsing.complete):
            self.read_paused = False
            self.transport.resume_reading()
