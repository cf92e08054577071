"""Opening connections, and what SQLite's failures mean to a client.

Every connection belongs to one thread. WAL lets readers run beside the single writer, and a
read in autocommit mode starts a fresh snapshot per statement, so it sees every transaction
committed before it, by any process: that is the whole of our read-after-write guarantee.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

from ironbucket.errors import InsufficientStorage, ServiceUnavailable

# How long a statement waits for another process's lock (its commit, a checkpoint, recovery of
# a crashed writer's WAL) before giving up with SQLITE_BUSY.
BUSY_TIMEOUT_S = 10.0


def connect(path: Path, *, writer: bool) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves; the module never opens one behind
    # our back. check_same_thread=False only so close() may run on another thread: each
    # connection is still used by one thread at a time.
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False, cached_statements=256)
    try:
        if writer:
            _enable_wal(conn)
            conn.execute("PRAGMA journal_size_limit = 67108864")
        # FULL: the WAL is fsync'd at every commit, so an acknowledged write survives power loss.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not writer:
            # Readers must never write, whatever a bug asks of them.
            conn.execute("PRAGMA query_only = 1")
    except BaseException:
        conn.close()
        raise
    return conn


def shrink_memory(conn: sqlite3.Connection) -> None:
    """Hand the connection's page cache back (an idle worker's); call from its own thread."""
    with contextlib.suppress(sqlite3.Error):  # only memory is at stake: the cache stays
        conn.execute("PRAGMA shrink_memory")


def _enable_wal(conn: sqlite3.Connection) -> None:
    # Switching a fresh database to WAL needs an exclusive lock, and SQLite answers BUSY at once,
    # without its busy handler, when processes opening it together would otherwise deadlock.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)
            continue
        if mode != "wal":  # e.g. a filesystem without shared memory: no multi-process WAL
            raise RuntimeError(f"cannot put the database in WAL mode (journal_mode is {mode!r})")
        return


def translate(exc: BaseException) -> BaseException:
    """The S3 error a client should see for a SQLite failure (other exceptions pass through)."""
    if not isinstance(exc, sqlite3.Error):
        return exc
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == sqlite3.SQLITE_FULL:
        err: BaseException = InsufficientStorage()
    elif primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        err = ServiceUnavailable()
    else:
        return exc
    err.__cause__ = exc
    return err
