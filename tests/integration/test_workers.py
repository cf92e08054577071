"""Two worker processes, one data directory: strong consistency across processes.

Which worker holds a connection is read from the kernel, not from the server: the server-side
socket of our connection is found in /proc/net/tcp, and its inode among the descriptors of the
server's child processes. So requests are pinned to a chosen worker and the checks below
write through one process and read through the other.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.server import RunningServer, start_server
from tests.integration.test_hostile_input import md5_header, signed_headers

Response = tuple[int, dict[str, str], bytes]


def worker_pids(server: RunningServer) -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == server.process.pid:
            pids.add(int(entry))
    return pids


def _server_socket_inode(server_port: int, client_port: int) -> int | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return inode
    return None


def owner_of(server: RunningServer, conn: http.client.HTTPConnection, pids: set[int]) -> int:
    """The worker process whose descriptor table holds the server side of ``conn``."""
    assert conn.sock is not None
    inode = _server_socket_inode(server.port, conn.sock.getsockname()[1])
    assert inode, "the server side of the connection is not in /proc/net/tcp"
    target = f"socket:[{inode}]"
    for pid in pids:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    raise AssertionError(f"no worker holds {target}")


class Client:
    """Signed requests over one kept-alive connection."""

    def __init__(self, server: RunningServer) -> None:
        self.server = server
        self.conn = http.client.HTTPConnection(server.host, server.port, timeout=10)

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None,
                ) -> Response:
        signed = signed_headers(self.server, method, path, body=body, headers=headers)
        self.conn.request(method, path, body=body, headers=signed)
        response = self.conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("workers") / "data", workers=2)
    yield running
    running.stop()


def one_per_worker(server: RunningServer) -> tuple[Client, Client]:
    """One kept-alive connection held by each of a two-worker server's workers."""
    pids = worker_pids(server)
    by_worker: dict[int, Client] = {}
    spare: list[Client] = []
    for _ in range(200):
        client = Client(server)
        assert client.request("GET", "/")[0] == 200  # the connection is accepted and served
        pid = owner_of(server, client.conn, pids)
        if pid in by_worker:
            spare.append(client)
        else:
            by_worker[pid] = client
        if len(by_worker) == 2:
            break
    for client in spare:
        client.close()
    assert len(by_worker) == 2, f"200 connections all landed on worker {list(by_worker)}"
    a, b = by_worker.values()
    return a, b


@pytest.fixture(scope="module")
def pinned(server: RunningServer) -> Iterator[tuple[Client, Client]]:
    a, b = one_per_worker(server)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def bucket(pinned: tuple[Client, Client]) -> str:
    name = f"workers-{uuid.uuid4().hex[:12]}"
    assert pinned[0].request("PUT", f"/{name}")[0] == 200
    return name


def _etag(body: bytes) -> str:
    return f'"{hashlib.md5(body).hexdigest()}"'


def test_two_worker_processes_serve_the_port(server: RunningServer, pinned: tuple[Client, Client]) -> None:
    pids = worker_pids(server)
    assert len(pids) == 2, f"expected two worker processes under {server.process.pid}, found {pids}"
    owners = {owner_of(server, c.conn, pids) for c in pinned}
    assert owners == pids


def test_read_after_write_across_workers(pinned: tuple[Client, Client], bucket: str) -> None:
    for i in range(300):
        writer, reader = pinned if i % 2 else pinned[::-1]
        body = os.urandom(200_000 if i % 25 == 0 else 1 + i)  # now and then a blob, not inline
        status, headers, _ = writer.request("PUT", f"/{bucket}/raw/{i}", body)
        assert status == 200
        assert headers["etag"] == _etag(body)
        status, headers, got = reader.request("GET", f"/{bucket}/raw/{i}")
        assert status == 200, f"pair {i}: the other worker answered {status} right after the write"
        assert got == body


def test_list_after_write_across_workers(pinned: tuple[Client, Client], bucket: str) -> None:
    for i in range(60):
        writer, reader = pinned if i % 2 else pinned[::-1]
        body = f"object {i}".encode()
        assert writer.request("PUT", f"/{bucket}/list/{i:03d}", body)[0] == 200
        status, _, listing = reader.request("GET", f"/{bucket}?list-type=2&prefix=list%2F")
        assert status == 200
        keys = re.findall(rb"<Key>([^<]*)</Key>", listing)
        assert keys == [f"list/{n:03d}".encode() for n in range(i + 1)], f"after write {i}"
        assert hashlib.md5(body).hexdigest().encode() in listing  # the new object's ETag


def test_delete_after_write_across_workers(pinned: tuple[Client, Client], bucket: str) -> None:
    for i in range(60):
        a, b = pinned if i % 2 else pinned[::-1]
        key = f"/{bucket}/del/{i}"
        assert a.request("PUT", key, b"x" * (i + 1))[0] == 200
        assert b.request("GET", key)[0] == 200
        assert b.request("DELETE", key)[0] == 204
        status, _, body = a.request("GET", key)
        assert status == 404 and b"<Code>NoSuchKey</Code>" in body, f"delete {i} not seen: {status}"
        assert a.request("HEAD", key)[0] == 404
        _, _, listing = a.request("GET", f"/{bucket}?list-type=2&prefix=del%2F")
        assert b"<Key>" not in listing


def test_overwrite_after_write_across_workers(pinned: tuple[Client, Client], bucket: str) -> None:
    key = f"/{bucket}/overwritten"
    for i in range(100):
        a, b = pinned if i % 2 else pinned[::-1]
        body = os.urandom(150_000) if i % 10 == 0 else f"version {i}".encode()
        status, headers, _ = a.request("PUT", key, body)
        assert status == 200
        status, headers, got = b.request("GET", key)
        assert status == 200
        assert headers["etag"] == _etag(body), f"overwrite {i}: the other worker shows an older ETag"
        assert got == body
        assert b.request("HEAD", key)[1]["etag"] == _etag(body)


def test_bucket_create_and_delete_across_workers(pinned: tuple[Client, Client]) -> None:
    for i in range(20):
        a, b = pinned if i % 2 else pinned[::-1]
        name = f"workers-life-{uuid.uuid4().hex[:10]}"
        assert b.request("HEAD", f"/{name}")[0] == 404  # a worker that has seen it missing ...
        assert a.request("PUT", f"/{name}")[0] == 200
        assert b.request("HEAD", f"/{name}")[0] == 200  # ... sees it the moment it exists
        assert name.encode() in b.request("GET", "/")[2]
        assert b.request("PUT", f"/{name}/k", b"v")[0] == 200
        status, _, body = a.request("DELETE", f"/{name}")
        assert status == 409 and b"BucketNotEmpty" in body
        assert a.request("DELETE", f"/{name}/k")[0] == 204
        assert b.request("DELETE", f"/{name}")[0] == 204
        assert a.request("HEAD", f"/{name}")[0] == 404
        status, _, body = a.request("PUT", f"/{name}/k", b"v")
        assert status == 404 and b"NoSuchBucket" in body
        assert name.encode() not in b.request("GET", "/")[2]


def test_read_after_write_on_fresh_connections(server: RunningServer, bucket: str) -> None:
    """Hundreds of write→read pairs, each request on a new connection; the kernel decides which
    worker accepts it, and the tally shows that both did and that many pairs crossed over."""
    pids = worker_pids(server)
    crossed = 0
    served: dict[int, int] = dict.fromkeys(pids, 0)

    def once(method: str, path: str, body: bytes = b"") -> tuple[Response, int]:
        client = Client(server)
        try:
            result = client.request(method, path, body)
            pid = owner_of(server, client.conn, pids)
        finally:
            client.close()
        served[pid] += 1
        return result, pid

    for i in range(200):
        body = f"fresh {i} {uuid.uuid4()}".encode()
        (put, wrote_on) = once("PUT", f"/{bucket}/fresh/{i}", body)
        assert put[0] == 200
        (got, read_on) = once("GET", f"/{bucket}/fresh/{i}")
        assert got[0] == 200 and got[2] == body, f"pair {i}: {got[0]}"
        crossed += wrote_on != read_on
    print(f"requests per worker: {served}; pairs across workers: {crossed}/200")
    assert all(served.values()), f"one worker served nothing: {served}"
    assert crossed >= 10, f"only {crossed} of 200 pairs crossed workers"


def test_bucket_configuration_across_workers(pinned: tuple[Client, Client], bucket: str) -> None:
    """A configuration change is seen by the very next request on the other worker."""
    for i in range(40):
        a, b = pinned if i % 2 else pinned[::-1]
        assert b.request("GET", f"/{bucket}?tagging")[0] in {200, 404}  # b reads (and may cache) it
        tagging = (f"<Tagging><TagSet><Tag><Key>round</Key><Value>{i}</Value></Tag></TagSet></Tagging>"
                   .encode())
        status, _, reply = a.request("PUT", f"/{bucket}?tagging", tagging,
                                     md5_header(tagging))
        assert status in {200, 204}, reply
        status, _, reply = b.request("GET", f"/{bucket}?tagging")
        assert status == 200 and f"<Value>{i}</Value>".encode() in reply, f"round {i}: {reply!r}"
    assert a.request("DELETE", f"/{bucket}?tagging")[0] == 204
    status, _, reply = b.request("GET", f"/{bucket}?tagging")
    assert status == 404 and b"NoSuchTagSet" in reply
