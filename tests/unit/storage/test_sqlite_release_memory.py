"""An idle worker hands SQLite's page caches back: the reader's on the calling thread, the
writer's on the writer's own thread and never inside a transaction; nothing is lost."""

from __future__ import annotations

import _sqlite3
import asyncio
import ctypes
import threading
from pathlib import Path

from ironbucket.idle import release_idle
from ironbucket.storage.sqlite import SqliteMetadataStore
from ironbucket.storage.sqlite.connection import connect
from ironbucket.storage.sqlite.writer import GroupCommitWriter
from tests.unit.storage.support import BUCKET, version


def _sqlite_memory_used() -> int:
    """Bytes SQLite holds in this process (all connections)."""
    lib = ctypes.CDLL(_sqlite3.__file__)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


async def test_the_writer_shrinks_between_batches_on_its_own_thread(tmp_path: Path) -> None:
    conn = connect(tmp_path / "w.sqlite3", writer=True)
    conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
    seen: list[tuple[str, str]] = []
    conn.set_trace_callback(lambda sql: seen.append((sql, threading.current_thread().name)))
    writer = GroupCommitWriter(conn, name="the-writer")
    await writer.run(lambda c: c.execute("INSERT INTO t VALUES (1, zeroblob(100000))"))
    writer.release_memory()
    await writer.run(lambda c: c.execute("INSERT INTO t VALUES (2, x'00')"))
    writer.stop()
    await asyncio.to_thread(writer.join)  # whatever was queued has run
    statements = [sql for sql, _ in seen]
    assert [name for sql, name in seen if sql == "PRAGMA shrink_memory"] == ["the-writer"]
    before = statements[:statements.index("PRAGMA shrink_memory")]
    # Outside any transaction: every BEGIN before it was committed.
    assert sum(sql.startswith("BEGIN") for sql in before) == before.count("COMMIT") >= 1
    check = connect(tmp_path / "w.sqlite3", writer=False)
    assert [row[0] for row in check.execute("SELECT k FROM t ORDER BY k")] == [1, 2]
    check.close()


async def test_an_idle_store_hands_its_caches_back_and_keeps_working(meta: SqliteMetadataStore) -> None:
    data = b"x" * 3000
    for start in range(0, 1200, 100):
        await asyncio.gather(*(meta.put_version(version(f"k{i:05d}", data=data))
                               for i in range(start, start + 100)))
    for i in range(0, 1200, 7):
        assert (await meta.get_version(BUCKET, f"k{i:05d}")) is not None
    before = _sqlite_memory_used()
    release_idle()
    for _ in range(100):  # the writer's part is done by its thread
        await asyncio.sleep(0.01)
        if before - _sqlite_memory_used() > 1_000_000:
            break
    assert before - _sqlite_memory_used() > 1_000_000, (before, _sqlite_memory_used())
    found = await meta.get_version(BUCKET, "k00007")
    assert found is not None and found.data is not None
    await meta.put_version(version("after", data=data))
    assert (await meta.get_version(BUCKET, "after")) is not None
