"""The request as every pipeline stage sees it: parsed once at the edge, never re-parsed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ironbucket.errors import IncompleteBody, MaxMessageLengthExceeded, RequestTimeout
from ironbucket.private_endpoints import PrivateEndpoint

Message = MutableMapping[str, Any]
# A client that stops sending mid-body is answered RequestTimeout, as S3 does after ~20 s.
DEFAULT_BODY_IDLE_TIMEOUT = 20.0
Receive = Callable[[], Awaitable[Message]]

# Header names are lower-case; repeated headers are joined with "," (RFC 9110 §5.3),
# which is also how SigV4 canonicalises them.
Headers = dict[str, str]


class Body:
    """The raw request body, read once, in the chunks the server hands us.

    Reading it is what makes the ASGI server send ``100 Continue``; the pipeline therefore
    touches the body only after authentication.
    """

    __slots__ = ("_receive", "complete", "consumed", "content_length", "idle_timeout", "received")

    def __init__(self, receive: Receive, content_length: int | None,
                 idle_timeout: float = DEFAULT_BODY_IDLE_TIMEOUT) -> None:
        self._receive = receive
        self.idle_timeout = idle_timeout
        self.content_length = content_length  # None: Transfer-Encoding: chunked
        self.received = 0
        self.consumed = False  # reading has started
        self.complete = content_length == 0  # the last byte has arrived

    async def chunks(self) -> AsyncIterator[bytes]:
        if self.consumed:
            return
        self.consumed = True
        watchdog = _Watchdog(self.idle_timeout)
        try:
            while True:
                message = await watchdog.guard(self._receive())
                if message["type"] == "http.disconnect":
                    raise IncompleteBody()
                chunk: bytes = message.get("body", b"")
                if chunk:
                    self.received += len(chunk)
                    yield chunk
                if not message.get("more_body", False):
                    self.complete = True
                    break
        finally:
            watchdog.stop()
        if self.content_length is not None and self.received != self.content_length:
            raise IncompleteBody()

    async def drain(self, limit: int) -> bool:
        """Read and drop what is left, up to ``limit`` bytes; False if more remains."""
        async for _ in self.chunks():
            if self.received > limit:
                return False
        return self.complete

    async def read(self, limit: int) -> bytes:
        """The whole body, refusing more than ``limit`` bytes (for XML/JSON documents)."""
        return await read_limited(self.chunks(), limit)


class _Watchdog:
    """Cancels the reading task when one wait for body bytes lasts ``timeout`` seconds.

    One timer per body, re-armed lazily, instead of a timeout context per received chunk
    (uploads arrive in thousands of chunks). Only time spent *waiting for the client* counts.
    """

    __slots__ = ("_handle", "_loop", "_started", "_task", "_timeout", "fired")

    def __init__(self, timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._timeout = timeout
        self._started = 0.0  # when the current wait began; 0 while not waiting
        self._handle: asyncio.TimerHandle | None = None
        self.fired = False

    async def guard(self, waiting: Awaitable[Message]) -> Message:
        self._started = self._loop.time()
        if self._handle is None:
            self._handle = self._loop.call_at(self._started + self._timeout, self._check)
        try:
            return await waiting
        except asyncio.CancelledError:
            if self.fired:
                raise RequestTimeout() from None
            raise
        finally:
            self._started = 0.0

    def _check(self) -> None:
        self._handle = None
        if not self._started:
            return  # not waiting now; the next wait re-arms
        due = self._started + self._timeout
        if self._loop.time() >= due and self._task is not None:
            self.fired = True
            self._task.cancel()
        else:
            self._handle = self._loop.call_at(due, self._check)

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


@dataclass(slots=True)
class Request:
    method: str
    raw_path: str  # percent-encoded, exactly as it arrived (before any addressing)
    query_string: str  # raw
    query: Mapping[str, str]  # decoded, read-only; the first of repeated names wins
    query_items: Sequence[tuple[str, str]]  # decoded, in arrival order
    headers: Headers
    body: Body
    client_ip: str
    client_port: int
    server: tuple[str, int]
    scheme: str  # "http" | "https", from the real connection
    request_id: str
    received_at: float  # epoch seconds
    extra: dict[str, Any] = field(default_factory=dict)
    tls_version: str | None = None  # "1.2", "1.3": negotiated on this connection (s3:TlsVersion)
    listener_endpoint: str | None = None  # id of the private endpoint whose listener took it
    endpoint: PrivateEndpoint | None = None  # the private endpoint it came through (authz/endpoints.py)

    @property
    def path(self) -> str:
        return unquote(self.raw_path)


def parse_query(query_string: str) -> list[tuple[str, str]]:
    """Split a raw query string. ``+`` stays ``+``: AWS SDKs always percent-encode spaces."""
    items: list[tuple[str, str]] = []
    if not query_string:
        return items
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        # unquote is comparatively slow; most names and many values need none.
        items.append((unquote(name) if "%" in name else name, unquote(value) if "%" in value else value))
    return items


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """A small document, refused (MaxMessageLengthExceeded) at the first chunk past ``limit``:
    nothing more of it is buffered."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise MaxMessageLengthExceeded()
        parts.append(chunk)
    return b"".join(parts)
