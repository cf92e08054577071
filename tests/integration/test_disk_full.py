"""A full disk, for real: the whole data directory on a small tmpfs, filled through S3 PUTs.

README: a PUT that does not fit answers 507 InsufficientStorage and stores nothing; reads and
listings go on; deleting objects makes room again. Mounting needs root (CAP_SYS_ADMIN): where it
is refused the test fails loudly rather than skip.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, start_server

DISK_MIB = 24
BUCKET = "full-disk"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """An empty 24 MiB tmpfs, used as the data directory itself (the server log stays outside)."""
    mnt = tmp_path / "data"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MIB}m,mode=0700", "tmpfs", str(mnt)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        pytest.fail(f"cannot mount a {DISK_MIB} MiB tmpfs at {mnt} (the disk-full tests need root / "
                    f"CAP_SYS_ADMIN): {res.stderr.strip() or res.returncode}")
    try:
        yield mnt
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.fixture
def servers(disk: Path) -> Iterator[list[RunningServer]]:
    """Servers started by a test; all are stopped before the tmpfs is unmounted."""
    started: list[RunningServer] = []
    yield started
    for server in started:
        server.stop()


def _start(disk: Path, servers: list[RunningServer]) -> tuple[RunningServer, Any]:
    server = start_server(disk)
    servers.append(server)
    return server, make_client(server)


def _error(exc: ClientError) -> tuple[int, str]:
    return exc.response["ResponseMetadata"]["HTTPStatusCode"], exc.response["Error"]["Code"]


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _fill(s3: Any, prefix: str, size: int, threads: int) -> tuple[dict[str, bytes], list[tuple[str, Any]]]:
    """PUT ``size``-byte objects from ``threads`` threads, each until its first failure."""
    stored: dict[str, bytes] = {}
    failed: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def loop(n: int) -> None:
        for i in range(10_000):
            key, body = f"{prefix}{n}-{i:05d}", os.urandom(size)
            try:
                s3.put_object(Bucket=BUCKET, Key=key, Body=body)
            except ClientError as exc:
                with lock:
                    failed.append((key, _error(exc)))
                return
            with lock:
                stored[key] = body

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    return stored, failed


def _check_state(disk: Path, s3: Any, stored: dict[str, bytes], failed: list[tuple[str, Any]]) -> None:
    """Every acknowledged object intact, every refused key absent, no debris."""
    listed: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    assert listed == {k: len(v) for k, v in stored.items()}
    for key, body in stored.items():
        got = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest(), f"{key} changed"
    for key, _ in failed:
        with pytest.raises(ClientError) as exc:
            s3.head_object(Bucket=BUCKET, Key=key)
        assert _error(exc.value)[0] == 404, f"refused write {key} is visible"
    assert list((disk / "tmp").iterdir()) == []
    blob_files = [p for p in (disk / "blobs").rglob("*") if p.is_file()]
    big = sum(len(v) > 128 * 1024 for v in stored.values())
    assert len(blob_files) == big, f"{len(blob_files)} blob files for {big} blob-backed objects"


def test_large_puts_fill_the_disk(disk: Path, servers: list[RunningServer]) -> None:
    server, s3 = _start(disk, servers)
    s3.create_bucket(Bucket=BUCKET)
    stored, failed = _fill(s3, "big-", 3 * 1024 * 1024, threads=2)
    assert len(stored) >= 3, f"only {len(stored)} 3 MiB objects fit on {DISK_MIB} MiB"
    assert failed and all(err == (507, "InsufficientStorage") for _, err in failed), failed
    _check_state(disk, s3, stored, failed)

    # Deleting makes room again: the space of a deleted blob comes back at once.
    for key in sorted(stored)[:2]:
        s3.delete_object(Bucket=BUCKET, Key=key)
        del stored[key]
    body = os.urandom(3 * 1024 * 1024)
    s3.put_object(Bucket=BUCKET, Key="after", Body=body)
    stored["after"] = body
    _check_state(disk, s3, stored, [])
    assert "Traceback" not in server.log()


def test_small_inline_puts_fill_the_disk(disk: Path, servers: list[RunningServer]) -> None:
    """Inline objects live in the SQLite database: the commit itself is what runs out of room."""
    server, s3 = _start(disk, servers)
    s3.create_bucket(Bucket=BUCKET)
    stored, failed = _fill(s3, "small-", 100_000, threads=4)
    assert len(stored) >= 100, f"only {len(stored)} inline objects fit on {DISK_MIB} MiB"
    assert len(failed) == 4 and all(err == (507, "InsufficientStorage") for _, err in failed), failed
    _check_state(disk, s3, stored, failed)
    # A blob does not fit either, and leaves nothing behind.
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=BUCKET, Key="too-big", Body=os.urandom(8 * 1024 * 1024))
    assert _error(exc.value) == (507, "InsufficientStorage")
    _check_state(disk, s3, stored, [*failed, ("too-big", None)])

    # A restart on the full disk recovers and serves.
    server.stop()
    server, s3 = _start(disk, servers)
    _check_state(disk, s3, stored, failed)

    # Deleting inline objects makes room for new ones: nothing may wedge the store.
    free_before = _free(disk)
    # The guard keeps room for a checkpoint of the whole WAL file, which the deletes themselves
    # grow: free three times what is written again, so the margin never hinges on when SQLite
    # happened to checkpoint (a busy machine delays it).
    victims = sorted(stored)[:60]
    response = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in victims[:30]]})
    assert not response.get("Errors"), response["Errors"]
    for key in victims[30:]:
        s3.delete_object(Bucket=BUCKET, Key=key)
    for key in victims:
        del stored[key]
    for i in range(20):
        body = os.urandom(100_000)
        s3.put_object(Bucket=BUCKET, Key=f"again-{i}", Body=body)
        stored[f"again-{i}"] = body
    _check_state(disk, s3, stored, [])
    print(f"inline objects stored: {len(stored) + 60 - 20}; free before deleting: {free_before} bytes")
    assert "Traceback" not in server.log()
