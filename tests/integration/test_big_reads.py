"""Big GETs open their runs into pooled buffers that the server reuses once the transport has
sent them (http/lending.py). Readers that are slow, many at once, over TLS, or gone mid-body
must still get exactly their object's bytes, never bytes of a buffer reused under them."""

from __future__ import annotations

import hashlib
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, start_server

MIB = 1024 * 1024
SIZE = 12 * MIB + 12_345  # above the 8 MiB read-around-the-cache threshold: 7 runs of 2 MiB


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # one worker: every connection shares one pool of buffers
    running = start_server(tmp_path_factory.mktemp("big-reads") / "data", workers=1, tls=True)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def objects(one_worker: RunningServer) -> dict[str, bytes]:
    s3 = make_client(one_worker)
    s3.create_bucket(Bucket="big")
    bodies = {name: os.urandom(SIZE) for name in ("a", "b")}
    for name, body in bodies.items():
        s3.put_object(Bucket="big", Key=name, Body=body)
    return bodies


def _get(server: RunningServer, key: str, *, tls: bool = False, pause: float = 0.0,
         stop_after: int | None = None, extra: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A presigned GET read over a socket with a small receive buffer (so the server's writes
    queue up), pausing ``pause`` s every 256 KiB; ``stop_after``: hang up after that many body
    bytes. Returns (status, body bytes read)."""
    target = server.https() if tls else server
    url = make_client(target).generate_presigned_url(
        "get_object", Params={"Bucket": "big", "Key": key}, ExpiresIn=300)
    parts = urlsplit(url)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    raw.settimeout(60)
    raw.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    sock: socket.socket = raw
    if tls:
        context = ssl.create_default_context(cafile=server.ca_bundle)
        sock = context.wrap_socket(raw, server_hostname=parts.hostname)
    headers = "".join(f"{k}: {v}\r\n" for k, v in (extra or {}).items())
    with sock:
        sock.sendall(f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}\r\n"
                     .encode())
        data = b""
        while b"\r\n\r\n" not in data:
            more = sock.recv(65536)
            assert more, "connection closed before the headers"
            data += more
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = int(next(line.split(":", 1)[1] for line in lines
                          if line.lower().startswith("content-length")))
        got = bytearray(body)
        mark = len(got)
        while len(got) < length:
            if stop_after is not None and len(got) >= stop_after:
                return status, bytes(got)
            more = sock.recv(min(65536, length - len(got)))
            assert more, f"connection closed after {len(got)} of {length} body bytes"
            got += more
            if pause and len(got) - mark >= 256 * 1024:
                mark = len(got)
                time.sleep(pause)
        return status, bytes(got)


def test_many_slow_readers_of_two_objects_each_get_their_own_bytes(
        one_worker: RunningServer, objects: dict[str, bytes]) -> None:
    want = {name: hashlib.sha256(body).hexdigest() for name, body in objects.items()}
    results: list[tuple[str, bool, int, str]] = []
    errors: list[BaseException] = []

    def read(key: str, tls: bool, pause: float) -> None:
        try:
            status, body = _get(one_worker, key, tls=tls, pause=pause)
            results.append((key, tls, status, hashlib.sha256(body).hexdigest()))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    plan = [(key, tls, pause) for key in ("a", "b") for tls in (False, True) for pause in (0.0, 0.003)]
    threads = [threading.Thread(target=read, args=job) for job in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(results) == len(plan)
    for key, tls, status, digest in results:
        assert (key, tls, status, digest) == (key, tls, 200, want[key])


def test_readers_that_hang_up_mid_body_leave_later_reads_intact(
        one_worker: RunningServer, objects: dict[str, bytes]) -> None:
    for n, key in enumerate(("a", "b", "a", "b")):
        status, partial = _get(one_worker, key, tls=bool(n % 2), stop_after=(n + 1) * MIB)
        assert status == 200
        assert partial == objects[key][:len(partial)]
    for key, body in objects.items():
        assert _get(one_worker, key, pause=0.001) == (200, body)


def test_ranges_across_runs_while_another_reader_is_slow(
        one_worker: RunningServer, objects: dict[str, bytes]) -> None:
    slow: dict[str, Any] = {}
    reader = threading.Thread(target=lambda: slow.update(got=_get(one_worker, "a", pause=0.005)))
    reader.start()
    body = objects["b"]
    for start, end in [(0, 0), (2 * MIB - 1, 2 * MIB), (MIB + 7, 9 * MIB + 3), (SIZE - 5, SIZE - 1),
                       (3, SIZE - 1)]:
        status, got = _get(one_worker, "b", extra={"Range": f"bytes={start}-{end}"})
        assert (status, got) == (206, body[start:end + 1])
    reader.join(120)
    assert slow["got"] == (200, objects["a"])
