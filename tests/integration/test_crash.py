"""kill -9 in the middle of concurrent uploads, then restart on the same data directory.

What must hold afterwards (README "Storage and durability"):
* every acknowledged upload reads back byte for byte, unless a later attempt on its key replaced it;
* every visible object is one complete body that a client sent for that key: nothing half-written;
* startup recovery left no temporary file and no blob that no committed row references.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, start_server

THREADS = 8
KEYS_PER_THREAD = 5  # each thread rewrites its own keys, so attempts on a key are ordered
INLINE_MAX = 128 * 1024
MIB = 1024 * 1024


@dataclass
class Attempt:
    key: str
    index: int  # position among the attempts on this key (one thread owns a key)
    sha256: str
    size: int
    kind: str
    started: float
    ended: float | None = None
    acked: bool = False
    error: str | None = None


@dataclass
class Ledger:
    attempts: dict[str, list[Attempt]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0

    def begin(self, key: str, body_sha: str, size: int, kind: str) -> Attempt:
        with self.lock:
            history = self.attempts.setdefault(key, [])
            attempt = Attempt(key, len(history), body_sha, size, kind, time.monotonic())
            history.append(attempt)
            self.in_flight += 1
            return attempt

    def end(self, attempt: Attempt, error: BaseException | None) -> None:
        with self.lock:
            attempt.ended = time.monotonic()
            attempt.acked = error is None
            attempt.error = None if error is None else f"{type(error).__name__}: {error}"
            self.in_flight -= 1


def _client(server: RunningServer) -> Any:
    return make_client(server, connect_timeout=5, read_timeout=20, max_pool_connections=2)


def _upload_loop(s3: Any, bucket: str, thread_no: int, ledger: Ledger,
                 stop: threading.Event, seed: int) -> None:
    rng = random.Random(seed)
    keys = [f"t{thread_no}/key-{n}" for n in range(KEYS_PER_THREAD)]
    while not stop.is_set():
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.55:
            kind, body = "inline", rng.randbytes(rng.randint(0, INLINE_MAX))
        elif roll < 0.9:
            kind, body = "blob", rng.randbytes(rng.randint(1 * MIB, 4 * MIB))
        else:
            kind, body = "multipart", rng.randbytes(5 * MIB + rng.randint(1, 300_000))
        attempt = ledger.begin(key, hashlib.sha256(body).hexdigest(), len(body), kind)
        try:
            if kind == "multipart":
                upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
                parts = []
                for number, chunk in enumerate((body[:5 * MIB], body[5 * MIB:]), start=1):
                    etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id,
                                          PartNumber=number, Body=chunk)["ETag"]
                    parts.append({"PartNumber": number, "ETag": etag})
                s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                             MultipartUpload={"Parts": parts})
            else:
                s3.put_object(Bucket=bucket, Key=key, Body=body)
        except Exception as exc:
            ledger.end(attempt, exc)
            if stop.is_set():
                return
            continue
        ledger.end(attempt, None)


def _referenced_blobs(data_dir: Path) -> tuple[set[str], set[str]]:
    """Blob ids referenced by committed rows (version segments and parts), and the refcount table."""
    conn = sqlite3.connect(f"file:{data_dir / 'meta' / 'ironbucket.sqlite3'}?mode=ro", uri=True)
    try:
        rows: set[str] = set()
        for (meta,) in conn.execute("SELECT meta FROM versions"):
            rows.update(blob_id for blob_id, _size in json.loads(meta).get("segs", []))
        rows.update(b for (b,) in conn.execute("SELECT blob_id FROM parts WHERE blob_id IS NOT NULL"))
        counted = {b for (b,) in conn.execute("SELECT blob_id FROM blobs WHERE refs > 0")}
    finally:
        conn.close()
    return rows, counted


def _blob_files(data_dir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_size for p in (data_dir / "blobs").rglob("*") if p.is_file()}


def _get_all(s3: Any, bucket: str) -> dict[str, tuple[str, int]]:
    """key -> (sha256 of the GET body, size in the listing) for every listed object."""
    listed: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
    found = {}
    for key, size in listed.items():
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        assert len(body) == size, f"{key}: listed size {size} but GET returned {len(body)} bytes"
        found[key] = (hashlib.sha256(body).hexdigest(), size)
    return found


def _load_and_kill(server: RunningServer, bucket: str, ledger: Ledger, kill_after: float,
                   seed: int) -> int:
    """Upload from THREADS threads, SIGKILL the server after ``kill_after`` s; returns how many
    uploads were in flight at that moment."""
    stop = threading.Event()
    # Clients are built up front: building one takes a while, and the clock starts at the load.
    threads = [threading.Thread(target=_upload_loop, daemon=True,
                                args=(_client(server), bucket, n, ledger, stop, seed * 100 + n))
               for n in range(THREADS)]
    began = time.monotonic()
    try:
        for t in threads:
            t.start()
        time.sleep(kill_after)
        with ledger.lock:
            in_flight = ledger.in_flight
            killed_at = time.monotonic()
        server.kill9()
    finally:
        stop.set()
        server.kill9()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "upload threads hung after the kill"
    assert in_flight > 0, "the kill must land while uploads are in flight"
    attempts = [a for history in ledger.attempts.values() for a in history]
    # Before the kill every upload must succeed: a failure there is a server bug, not the crash.
    early = [a for a in attempts
             if a.started >= began and a.error and a.ended is not None and a.ended < killed_at]
    assert not early, f"uploads failed before the kill: {[(a.key, a.kind, a.error) for a in early]}"
    return in_flight


def _check_blob_files(data_dir: Path) -> int:
    """No orphan blob file, no missing blob, reference counts agree; returns the file count."""
    rows, counted = _referenced_blobs(data_dir)
    files = set(_blob_files(data_dir))
    assert not files - rows, f"{len(files - rows)} orphan blob files: {sorted(files - rows)[:5]}"
    assert rows <= files, f"committed rows reference missing blobs: {sorted(rows - files)[:5]}"
    assert counted == rows, "the blob reference counts disagree with the rows"
    return len(files)


def _check_objects(s3: Any, bucket: str, ledger: Ledger) -> tuple[int, int]:
    """Returns (objects verified, keys showing a commit whose answer the kill swallowed)."""
    found = _get_all(s3, bucket)
    assert set(found) <= set(ledger.attempts), f"unexpected keys: {set(found) - set(ledger.attempts)}"
    problems = []
    unanswered = 0
    for key, history in ledger.attempts.items():
        last_acked = max((a.index for a in history if a.acked), default=None)
        if key not in found:
            if last_acked is not None:
                problems.append(f"{key}: acknowledged attempt {last_acked} lost")
            continue
        sha, size = found[key]
        matches = [a for a in history if a.sha256 == sha and a.size == size]
        if not matches:
            problems.append(f"{key}: visible object ({size} bytes) matches no body sent for it")
            continue
        visible = max(a.index for a in matches)
        if last_acked is not None and visible < last_acked:
            problems.append(f"{key}: shows attempt {visible}, older than acknowledged {last_acked}")
        # A later, unanswered attempt may have committed just before the kill: allowed.
        unanswered += last_acked is None or visible > last_acked
    assert not problems, "\n".join(problems)
    return len(found), unanswered


@pytest.mark.parametrize(("kill_after", "rounds"), [(0.4, 1), (1.3, 2), (2.6, 1)])
def test_kill9_during_concurrent_uploads(tmp_path: Path, kill_after: float, rounds: int) -> None:
    """``rounds`` > 1 crashes again on top of a recovered data directory."""
    data_dir = tmp_path / "data"
    bucket = f"crash-{uuid.uuid4().hex[:12]}"
    ledger = Ledger()
    for round_no in range(rounds):
        server = start_server(data_dir, workers=2)
        if round_no == 0:
            _client(server).create_bucket(Bucket=bucket)
        in_flight = _load_and_kill(server, bucket, ledger, kill_after, seed=round_no)

        server = start_server(data_dir, workers=2)
        try:
            # Recovery ran before the port opened: look at the directory before anything writes.
            leftovers = list((data_dir / "tmp").iterdir())
            assert leftovers == [], f"temporary files survived recovery: {leftovers}"
            blob_files = _check_blob_files(data_dir)
            s3 = _client(server)
            verified, unanswered = _check_objects(s3, bucket, ledger)
            # Uploads the kill interrupted stay open; aborting them frees their parts' blobs.
            open_uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
            attempts = [a for history in ledger.attempts.values() for a in history]
            acked = [a for a in attempts if a.acked]
            recovery = re.search(r"recovery: (RecoveryReport\([^)]*\))", server.log())
            print(f"round {round_no}, kill after {kill_after}s: {len(attempts)} attempts, "
                  f"{len(acked)} acknowledged ({sum(a.kind == 'multipart' for a in acked)} multipart, "
                  f"{sum(a.kind == 'blob' for a in acked)} blob, "
                  f"{sum(a.kind == 'inline' for a in acked)} inline), {in_flight} in flight at the kill, "
                  f"{verified} objects verified, {unanswered} committed but unanswered, "
                  f"{blob_files} blob files, {len(open_uploads)} open uploads; "
                  f"{recovery.group(1) if recovery else 'recovery removed nothing'}")
            assert acked, f"nothing was acknowledged in {kill_after}s; the test proves nothing"
            if round_no == rounds - 1:
                for upload in open_uploads:
                    s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                _check_blob_files(data_dir)
        finally:
            server.stop()
