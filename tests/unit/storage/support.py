"""Builders shared by the storage tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from ironbucket.storage.interfaces import (
    NULL_VERSION,
    AccessKey,
    Account,
    Bucket,
    ObjectVersion,
    Part,
    PartSummary,
    Segment,
    Upload,
)
from ironbucket.storage.sqlite import SqliteMetadataStore

T = TypeVar("T")

OWNER = "111122223333"
OTHER = "444455556666"
BUCKET = "bkt"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop, the server's event loop."""
    return uvloop.run(coro)


def account(account_id: str = OWNER, name: str = "alice") -> Account:
    return Account(account_id=account_id, name=name, canonical_id=account_id.ljust(64, "c"),
                   created_at=1700000000.0)


def access_key(key_id: str = "AKIAEXAMPLE", account_id: str = OWNER) -> AccessKey:
    return AccessKey(access_key_id=key_id, account_id=account_id, owner_kind="root",
                     owner_name=account_id, sealed_secret=b"\x00sealed\xff", created_at=1.5)


def bucket(name: str = BUCKET, owner: str = OWNER, **kw: Any) -> Bucket:
    return Bucket(name=name, owner_account_id=owner, region="us-east-1", created_at=1700000000.0, **kw)


def version(key: str, version_id: str = NULL_VERSION, *, bucket_name: str = BUCKET,
            data: bytes | None = b"hello", **kw: Any) -> ObjectVersion:
    kw.setdefault("size", len(data) if data is not None else 0)
    kw.setdefault("etag", f"etag-{key}-{version_id}")
    return ObjectVersion(bucket=bucket_name, key=key, version_id=version_id,
                         last_modified=1700000000.25, owner_account_id=OWNER, data=data, **kw)


def blob_version(key: str, *blob_ids: str, version_id: str = NULL_VERSION, **kw: Any) -> ObjectVersion:
    segs = tuple(Segment(b, 10) for b in blob_ids)
    return version(key, version_id, data=None, segments=segs, size=10 * len(segs), **kw)


def rich_version(key: str = "rich") -> ObjectVersion:
    """Every field set, to check that nothing is lost on the way through a row."""
    return ObjectVersion(
        bucket=BUCKET, key=key, version_id="v1", last_modified=1700000001.5, owner_account_id=OWNER,
        size=20, etag="abc-2", storage_class="STANDARD_IA",
        system_metadata={"content-type": "text/plain", "cache-control": "no-cache"},
        user_metadata={"color": "bleu ünïcode", "empty": ""}, tags={"k": "v", "ü": "\x00"},
        checksum_algorithm="CRC32", checksum_value="AAAAAA==", checksum_type="COMPOSITE",
        parts=(PartSummary(1, 10, "p1", "c1"), PartSummary(2, 10, "p2", None)),
        segments=(Segment("a" * 32, 10), Segment("b" * 32, 10)),
        extra={"sse": {"key": b"\x01\x02", "alg": "AES256"}, "lock": [1, "x", None]},
    )


def upload(upload_id: str, key: str = "mp", **kw: Any) -> Upload:
    return Upload(upload_id=upload_id, bucket=BUCKET, key=key, initiated_at=1700000000.0,
                  owner_account_id=OWNER, initiator_arn=f"arn:aws:iam::{OWNER}:root", **kw)


def part(upload_id: str, number: int, blob_id: str | None, size: int = 10) -> Part:
    seg = Segment(blob_id, size) if blob_id is not None else None
    return Part(upload_id=upload_id, part_number=number, size=size, etag=f"e{number}",
                last_modified=1700000000.0, segment=seg)


def blob_id(n: int) -> str:
    return f"{n:032x}"


async def seeded(path: Path) -> SqliteMetadataStore:
    """A store with the owner account and bucket ``bkt``."""
    store = SqliteMetadataStore(path)
    await store.create_account(account(), None)
    await store.create_bucket(bucket())
    return store


# --- the other process of the multi-process test ---------------------------------------------------
def peer_process(path: str, conn: Any) -> None:
    """Obey commands from the parent: ("put", key) writes and acks; ("get", key) answers
    with the etag it reads (or None); ("stop",) ends."""
    asyncio.run(_peer(Path(path), conn))


async def _peer(path: Path, conn: Any) -> None:
    store = SqliteMetadataStore(path)
    loop = asyncio.get_running_loop()
    try:
        while True:
            cmd = await loop.run_in_executor(None, conn.recv)
            if cmd[0] == "stop":
                break
            if cmd[0] == "put":
                await store.put_version(version(cmd[1], etag=cmd[2]))
                conn.send(("ok",))
            elif cmd[0] == "get":
                got = await store.get_version(BUCKET, cmd[1])
                conn.send(("got", got.etag if got else None))
            elif cmd[0] == "list":
                page = await store.list_current(BUCKET, "", "", False, 1000)
                conn.send(("listed", [v.key for v in page]))
            elif cmd[0] == "delete":
                await store.delete_version(BUCKET, cmd[1], NULL_VERSION)
                conn.send(("ok",))
    finally:
        await store.close()


def open_fresh(path: str, barrier: Any) -> int:
    """Open (and so create and migrate) ``path`` at the same moment as other processes."""
    barrier.wait(30)
    store = SqliteMetadataStore(Path(path))

    async def use() -> int:
        await store.create_account(account(f"{os.getpid():012d}"[-12:], "p"), None)
        n = len(await store.list_accounts())
        await store.close()
        return n

    return asyncio.run(use())


def put_many(path: str, barrier: Any, tag: str, n: int) -> int:
    """Write ``n`` objects concurrently, racing other processes for the write lock."""
    barrier.wait(30)

    async def go() -> int:
        store = SqliteMetadataStore(Path(path))
        await asyncio.gather(*(store.put_version(version(f"{tag}/{i}")) for i in range(n)))
        commits = store.commit_count
        await store.close()
        return commits

    return asyncio.run(go())
