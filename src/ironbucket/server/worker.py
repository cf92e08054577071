"""One worker process: an event loop serving the ASGI app on the listening sockets it was
given, with ASGI lifespan around it and a graceful stop on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import signal
import socket
import ssl
from collections.abc import Callable, Sequence
from typing import Any

from ironbucket.http.asgi import ENDPOINT_EXTENSION
from ironbucket.idle import release_idle
from ironbucket.server.http11 import ASGIApp, HttpProtocol, Message, ServerState

log = logging.getLogger(__name__)
GRACE_SECONDS = 30.0
TLS_HANDSHAKE_SECONDS = 10.0  # a connection that never finishes its handshake is dropped
TRIM_IDLE_SECONDS = 1.0
# A moment after a big transfer is answered: the transport may still hold its last lent
# buffers, which go back to their pool once sent (http/lending.py), in time to be dropped.
AFTER_BIG_SECONDS = 0.01
# Between releasing pooled memory (idle.release_idle) and trimming the heap: some is released by
# other threads (the SQLite writer's page cache).
AFTER_RELEASE_SECONDS = 0.05


class Lifespan:
    """Runs the app's ``lifespan`` scope: startup before serving, shutdown after."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _send(self, message: Message) -> None:
        await self._outbox.put(message)

    async def startup(self) -> None:
        self._task = asyncio.ensure_future(
            self._app({"type": "lifespan", "asgi": {"version": "3.0"}}, self._inbox.get, self._send))
        await self._inbox.put({"type": "lifespan.startup"})
        replied = asyncio.ensure_future(self._outbox.get())
        await asyncio.wait([replied, self._task], return_when=asyncio.FIRST_COMPLETED)
        if not replied.done():  # the app returned without answering: it has no lifespan
            replied.cancel()
            self._task = None
            return
        reply = replied.result()
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"application startup failed: {reply.get('message', '')}")

    async def shutdown(self) -> None:
        if self._task is None or self._task.done():
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._outbox.get(), GRACE_SECONDS)


async def serve(app: ASGIApp, sockets: Sequence[socket.socket],
                tls_sockets: Sequence[socket.socket] = (),
                ssl_context: ssl.SSLContext | None = None,
                endpoint_sockets: Sequence[tuple[str, socket.socket]] = (),
                trim: Callable[[], None] | None = None) -> None:
    loop = asyncio.get_running_loop()
    state = ServerState()
    if trim is not None:
        # A moment after the release: the SQLite writer hands its cache back from its own thread.
        trim = _soon(loop, trim, delay=AFTER_RELEASE_SECONDS)
        _trim_when_idle(loop, state, trim, [False])
        state.after_big_transfer = _soon(loop, _trim_if_idle, state, trim)
    lifespan = Lifespan(app)
    await lifespan.startup()
    _tune_gc()
    servers = [await loop.create_server(lambda: HttpProtocol(app, state), sock=sock, backlog=2048)
               for sock in sockets]
    if tls_sockets:
        assert ssl_context is not None
        servers += [await loop.create_server(lambda: HttpProtocol(app, state, scheme="https"),
                                             sock=sock, backlog=2048, ssl=ssl_context,
                                             ssl_handshake_timeout=TLS_HANDSHAKE_SECONDS)
                    for sock in tls_sockets]
    for endpoint_id, sock in endpoint_sockets:
        # Connections a private endpoint's listener accepts say so; the app maps the id to the
        # endpoint (its VPC, its policy).
        servers.append(await loop.create_server(
            _marked(app, state, {ENDPOINT_EXTENSION: endpoint_id}), sock=sock, backlog=2048))
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    for server in servers:
        server.close()
    for connection in list(state.connections):
        connection.shutdown()
    if state.tasks:
        await asyncio.wait(list(state.tasks), timeout=GRACE_SECONDS)
    await lifespan.shutdown()


def _marked(app: ASGIApp, state: ServerState, extensions: dict[str, Any]) -> Callable[[], HttpProtocol]:
    return lambda: HttpProtocol(app, state, extensions=extensions)


def _tune_gc() -> None:
    """Everything alive after start-up (modules, catalogs, caches) lives as long as the worker:
    freeze it out of the collector's sight, and collect the young generation less often. A
    request allocates hundreds of short-lived containers that reference counting frees; the
    default threshold (700) ran a collection every few requests, each scanning the survivors."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _tune_malloc() -> Callable[[], None] | None:
    """glibc keeps freed memory in per-thread arenas (one per thread that allocates), and its
    mmap threshold drifts up as big buffers are freed. With I/O threads passing 1 MiB blocks
    around, that was tens of MB of RSS for nothing. One arena (two kept 3-6 MB more after a
    mixed load, for no speed measured: big blocks are pooled, small objects are Python's own),
    and a fixed threshold above our 1 MiB blocks (reused from the heap, without page faults,
    rather than mmap'd anew).
    Freed heap tops up to 4 MiB are kept rather than trimmed (the default, 128 KiB, handed a
    PUT's blocks back to the kernel after each one: 1 GiB PUT ~390 -> ~430 MB/s, 25% less CPU).

    Returns ``malloc_trim(0)`` (None if not glibc): freed pages inside the heaps, which only it
    returns, for when the worker is idle."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_ARENA_MAX, 1)
        libc.mallopt(_M_MMAP_THRESHOLD, 4 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 4 * 1024 * 1024)
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return None
    return lambda: trim(0)


def _soon(loop: asyncio.AbstractEventLoop, callback: Callable[..., None], *args: Any,
          delay: float = AFTER_BIG_SECONDS) -> Callable[[], None]:
    def schedule() -> None:
        loop.call_later(delay, callback, *args)
    return schedule


def _trim_if_idle(state: ServerState, trim: Callable[[], None]) -> None:
    """Right after a big transfer, rather than at the next idle tick: a client that uploads a
    big object and then downloads one (from the other worker) would otherwise find both
    workers holding a transfer's buffers at once. Several MB re-faulted per big transfer cost
    little next to moving 64 MB."""
    if not state.tasks:
        release_idle()
        trim()


def _trim_when_idle(loop: asyncio.AbstractEventLoop, state: ServerState, trim: Callable[[], None],
                    busy: list[bool]) -> None:
    """Every ``TRIM_IDLE_SECONDS``: after a period with requests, once none is in flight, drop
    the pooled buffers and hand the heap's free pages back. A burst of concurrent medium GETs
    left ~15 MB of freed 1 MiB buffers scattered through the heap, resident until the process
    ended."""
    if state.tasks:
        busy[0] = True
    elif busy[0]:
        busy[0] = False
        release_idle()  # pooled buffers first, so that their pages are free to go too
        trim()
    loop.call_later(TRIM_IDLE_SECONDS, _trim_when_idle, loop, state, trim, busy)


_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3
_M_TRIM_THRESHOLD = -1


def run(app: ASGIApp, sockets: Sequence[socket.socket], tls_sockets: Sequence[socket.socket] = (),
        ssl_context: ssl.SSLContext | None = None,
        endpoint_sockets: Sequence[tuple[str, socket.socket]] = ()) -> None:
    # Handlers inherited from a supervisor (fork) must not run in the worker.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    trim = _tune_malloc()
    import uvloop

    uvloop.run(serve(app, sockets, tls_sockets, ssl_context, endpoint_sockets, trim=trim))
