"""Group commit: many mutations per transaction, each with its own outcome."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ironbucket.errors import InsufficientStorage, PreconditionFailed
from ironbucket.storage.interfaces import WritePrecondition
from ironbucket.storage.sqlite import SqliteMetadataStore
from ironbucket.storage.sqlite.connection import connect
from ironbucket.storage.sqlite.writer import GroupCommitWriter
from tests.unit.storage.support import BUCKET, OWNER, bucket, seeded, version


async def test_200_concurrent_puts_share_few_commits(meta: SqliteMetadataStore) -> None:
    before = meta.commit_count
    await asyncio.gather(*(meta.put_version(version(f"k{i:03}", data=b"x" * i)) for i in range(200)))
    commits = meta.commit_count - before
    assert commits < 20, commits
    page = await meta.list_current(BUCKET, "", "", False, 1000)
    assert [v.key for v in page] == [f"k{i:03}" for i in range(200)]


def test_group_commit_on_the_stock_asyncio_loop(tmp_path: Path) -> None:
    async def scenario() -> int:
        store = await seeded(tmp_path / "m.sqlite3")
        before = store.commit_count
        await asyncio.gather(*(store.put_version(version(f"k{i}")) for i in range(200)))
        commits = store.commit_count - before
        await store.close()
        return commits

    assert asyncio.run(scenario()) < 20


async def test_failed_precondition_in_a_batch_fails_alone(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("taken"))
    before = meta.commit_count
    results = await asyncio.gather(
        *(meta.put_version(version(f"k{i}")) for i in range(50)),
        meta.put_version(version("taken", etag="lost"), WritePrecondition(if_none_match_star=True)),
        *(meta.put_version(version(f"m{i}")) for i in range(50)),
        return_exceptions=True)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1 and isinstance(failures[0], PreconditionFailed)
    assert meta.commit_count - before < 20
    assert len(await meta.list_current(BUCKET, "", "", False, 1000)) == 101
    taken = await meta.get_version(BUCKET, "taken")
    assert taken is not None and taken.etag != "lost"


async def test_two_writers_race_for_if_none_match(meta: SqliteMetadataStore) -> None:
    pre = WritePrecondition(if_none_match_star=True)
    results = await asyncio.gather(*(meta.put_version(version("k", etag=str(i)), pre) for i in range(20)),
                                   return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1


async def test_close_drains_queued_mutations(tmp_path: Path) -> None:
    store = await seeded(tmp_path / "m.sqlite3")
    tasks = [asyncio.ensure_future(store.put_version(version(f"k{i}"))) for i in range(100)]
    await asyncio.sleep(0)  # let every task enqueue its mutation
    await store.close()
    await asyncio.gather(*tasks)
    reopened = SqliteMetadataStore(tmp_path / "m.sqlite3")
    assert len(await reopened.list_current(BUCKET, "", "", False, 1000)) == 100
    await reopened.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.put_version(version("late"))
    with pytest.raises(RuntimeError, match="closed"):
        await store.get_bucket(BUCKET)


async def test_cancelled_caller_does_not_hurt_the_writer(meta: SqliteMetadataStore) -> None:
    task = asyncio.ensure_future(meta.put_version(version("k1")))
    await asyncio.sleep(0)
    task.cancel()
    await meta.put_version(version("k2"))
    assert await meta.get_version(BUCKET, "k2") is not None


# --- the writer on its own: batch composition made deterministic with a blocking mutation ------
def _gate() -> tuple[threading.Event, threading.Event]:
    return threading.Event(), threading.Event()


Mutation = Callable[[sqlite3.Connection], object]


async def _batch_behind_blocker(writer: GroupCommitWriter, fns: list[Mutation]) -> list[object]:
    """Queue ``fns`` while the writer is stuck on a first mutation, so they form one batch."""
    entered, release = _gate()

    def blocker(conn: sqlite3.Connection) -> None:
        entered.set()
        release.wait(10)

    first = asyncio.ensure_future(writer.run(blocker))
    await asyncio.to_thread(entered.wait, 10)
    tasks = [asyncio.ensure_future(writer.run(fn)) for fn in fns]
    await asyncio.sleep(0)
    release.set()
    await first
    return list(await asyncio.gather(*tasks, return_exceptions=True))


def _writer(tmp_path: Path) -> GroupCommitWriter:
    conn = connect(tmp_path / "w.sqlite3", writer=True)
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)")
    return GroupCommitWriter(conn)


def _insert(k: int) -> Mutation:
    return lambda conn: conn.execute("INSERT INTO t VALUES (?)", (k,)).rowcount


async def test_one_batch_one_commit(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    before = writer.commits
    results = await _batch_behind_blocker(writer, [_insert(k) for k in range(30)])
    assert results == [1] * 30
    assert writer.commits - before == 2  # the blocker's batch, then all thirty together
    writer.stop()
    await asyncio.to_thread(writer.join)


async def test_batch_rolled_back_by_sqlite_is_retried_one_by_one(tmp_path: Path) -> None:
    """SQLITE_FULL may roll back the whole transaction; the innocent mutations must still land."""
    writer = _writer(tmp_path)
    attempts = 0

    def disk_full(conn: sqlite3.Connection) -> None:
        nonlocal attempts
        attempts += 1
        conn.execute("ROLLBACK")  # what SQLite may do on its own for SQLITE_FULL
        err = sqlite3.OperationalError("database or disk is full")
        err.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise err

    results = await _batch_behind_blocker(writer, [_insert(1), disk_full, _insert(2)])
    assert results[0] == 1 and results[2] == 1
    assert isinstance(results[1], InsufficientStorage)
    assert attempts == 2  # once in the batch, once alone
    assert await writer.run(lambda c: c.execute("SELECT k FROM t ORDER BY k").fetchall()) == [(1,), (2,)]
    writer.stop()
    await asyncio.to_thread(writer.join)


async def test_writer_survives_a_failed_commit(tmp_path: Path) -> None:
    writer = _writer(tmp_path)

    def break_commit(conn: sqlite3.Connection) -> None:
        # A deferred foreign key violation only fails at COMMIT.
        conn.execute("PRAGMA defer_foreign_keys = ON")
        conn.execute("CREATE TABLE IF NOT EXISTS child (p INTEGER REFERENCES t(k))")
        conn.execute("INSERT INTO child VALUES (999)")

    results = await _batch_behind_blocker(writer, [_insert(1), break_commit])
    assert results[0] == 1
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert await writer.run(_insert(5)) == 1
    writer.stop()
    await asyncio.to_thread(writer.join)


async def test_mutations_from_two_event_loops(tmp_path: Path) -> None:
    store = await seeded(tmp_path / "m.sqlite3")

    def other_thread() -> None:
        asyncio.run(store.create_bucket(bucket("from-thread", OWNER)))

    await asyncio.to_thread(other_thread)
    assert await store.get_bucket("from-thread") is not None
    await store.close()
