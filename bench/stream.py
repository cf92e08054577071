"""Single-stream transfers of a large object through a presigned URL, with `http.client`.

The body is never held in memory: PUT sends the same 1 MiB buffer over and over (Content-Length
set, so no chunked encoding), GET reads into one reusable 1 MiB buffer and discards it.
"""

from __future__ import annotations

import http.client
import os
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

CHUNK = 1 << 20


class TransferError(RuntimeError):
    pass


class TooSlow(Exception):
    """The transfer was abandoned at its time limit (a server stalling on a socket raises
    TimeoutError instead, which is a failure, not a skip)."""


def _connect(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    return conn, f"{parts.path}?{parts.query}"


def _body(size: int, deadline: float) -> Iterator[memoryview]:
    block = memoryview(os.urandom(CHUNK))
    sent = 0
    while sent < size:
        if time.monotonic() > deadline:
            raise TooSlow(f"gave up after sending {sent / 1e6:.0f} MB")
        n = min(CHUNK, size - sent)
        yield block[:n]
        sent += n


def put(url: str, size: int, *, limit: float, timeout: float = 120,
        headers: dict[str, str] | None = None) -> float:
    """PUT `size` bytes (plus `headers`, which a presigned URL may have signed); return the
    seconds from the first byte sent to the response read."""
    conn, target = _connect(url, timeout)
    deadline = time.monotonic() + limit
    try:
        start = time.perf_counter()
        try:
            conn.request("PUT", target, body=_body(size, deadline),
                         headers={"Content-Length": str(size), "Content-Type": "application/octet-stream",
                                  **(headers or {})})
        except (BrokenPipeError, ConnectionResetError) as exc:
            # the server may have answered (and closed) before taking the whole body
            raise TransferError(f"connection broken after a partial body ({exc}); "
                                f"answer: {_early_answer(conn)}") from exc
        # the server may take the body fast and answer slowly: the limit covers the wait too
        if conn.sock is not None:
            conn.sock.settimeout(max(0.05, min(timeout, deadline - time.monotonic())))
        try:
            resp = conn.getresponse()
            answer = resp.read()
        except TimeoutError as exc:
            if time.monotonic() >= deadline:
                raise TooSlow("sent the whole body, but no answer within the limit") from exc
            raise
        elapsed = time.perf_counter() - start
        if resp.status != 200:
            raise TransferError(f"PUT answered {resp.status} {resp.reason}: {answer[:500]!r}")
        return elapsed
    finally:
        conn.close()


def _early_answer(conn: http.client.HTTPConnection) -> str:
    try:
        resp = conn.getresponse()
        return f"{resp.status} {resp.reason}: {resp.read(500)!r}"
    except (OSError, http.client.HTTPException) as exc:
        return f"none readable ({exc!r})"


def get(url: str, size: int, *, limit: float, timeout: float = 120) -> float:
    """GET the object, discarding the bytes; return the seconds from request to last byte."""
    conn, target = _connect(url, timeout)
    deadline = time.monotonic() + limit
    buf = bytearray(CHUNK)
    try:
        start = time.perf_counter()
        conn.request("GET", target)
        resp = conn.getresponse()
        if resp.status != 200:
            raise TransferError(f"GET answered {resp.status} {resp.reason}: {resp.read(500)!r}")
        got = 0
        while n := resp.readinto(buf):
            got += n
            if time.monotonic() > deadline:
                raise TooSlow(f"gave up after reading {got / 1e6:.0f} MB")
        elapsed = time.perf_counter() - start
        if got != size:
            raise TransferError(f"GET returned {got} bytes, expected {size}")
        return elapsed
    finally:
        conn.close()
