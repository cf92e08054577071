"""Group commit: one writer thread turns every mutation queued at a moment into one transaction.

A commit costs one fsync of the WAL whatever it holds, so while one batch is being fsync'd the
next one queues up, and commits per second stay at the disk's fsync rate while mutations per
second grow with concurrency. There is no timer: a lone mutation commits at once.

Each mutation of a batch runs inside its own SAVEPOINT, so one that raises (PreconditionFailed,
...) is rolled back alone and the rest of its batch commits. If the transaction as a whole fails (the
disk is full at COMMIT, or SQLite rolled everything back), each mutation of the batch is run
again in a transaction of its own, so every caller learns its own outcome.

A mutation is a plain function of the connection: it may run twice (see above), so it must do
nothing but SQL.

Writers of different processes take turns through an exclusive ``flock`` held around each
transaction. SQLite would serialise them anyway, but its busy handler waits by sleeping with
growing back-off, which turned contention between workers into multi-second tail latency; a
blocked ``flock`` wakes the moment the lock is free. Around every transaction the shared
*data generation* is bumped (before and after), which is how every process's read caches
learn that something committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from ironbucket.storage.sqlite.config_cache import Generation
from ironbucket.storage.sqlite.connection import shrink_memory, translate

log = logging.getLogger(__name__)
T = TypeVar("T")

Mutation = Callable[[sqlite3.Connection], Any]

# Bounds one transaction's size (and so its callers' latency) when a flood queues up.
MAX_BATCH = 1024


@dataclass(slots=True)
class _Op:
    fn: Mutation
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


class _ShrinkMemory:
    """Queued by ``release_memory``: run between batches, by the thread that owns the connection."""


_SHRINK = _ShrinkMemory()


@dataclass(slots=True)
class _Outcome:
    op: _Op
    ok: bool
    value: Any


class GroupCommitWriter:
    """Owns the write connection; ``run`` from any event loop, ``stop`` drains and ends."""

    def __init__(self, conn: sqlite3.Connection, name: str = "ironbucket-sqlite-writer", *,
                 lock_path: str | None = None, generation: Generation | None = None) -> None:
        self._conn = conn
        self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600) if lock_path else None
        self._generation = generation
        self._queue: queue.SimpleQueue[_Op | _ShrinkMemory | None] = queue.SimpleQueue()
        self._stopping = False
        self.commits = 0  # committed transactions (tests check batching with it)
        self.mutations = 0  # mutations that ran to completion
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    async def run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in the next batch; returns once that batch is durable."""
        if self._stopping:
            raise RuntimeError("the metadata store is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Op(fn, loop, future))
        return await future

    def stop(self) -> None:
        """Refuse new mutations; the thread finishes everything already queued, then exits."""
        if not self._stopping:
            self._stopping = True
            self._queue.put(None)

    def join(self) -> None:
        self._thread.join()

    def release_memory(self) -> None:
        """Ask the writer thread to hand back its page cache (``PRAGMA shrink_memory``) between
        batches: for an idle worker, whose next write reads the pages back from the OS."""
        self._queue.put(_SHRINK)  # after a stop: left in the queue, never run

    # --- writer thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            stop = False
            while not stop:
                first = self._queue.get()
                batch: list[_Op] = []
                shrink = False
                if isinstance(first, _ShrinkMemory):
                    shrink = True
                elif first is None:
                    stop = True
                else:
                    batch.append(first)
                while not stop and len(batch) < MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None:
                        stop = True
                    elif isinstance(nxt, _ShrinkMemory):
                        shrink = True
                    else:
                        batch.append(nxt)
                if batch:
                    self._settle(self._commit_exclusively(batch))
                if shrink:
                    shrink_memory(self._conn)
        finally:
            self._conn.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
            # Whatever slipped in behind the stop marker fails rather than waits forever.
            late: list[_Outcome] = []
            with contextlib.suppress(queue.Empty):
                while True:
                    op = self._queue.get_nowait()
                    if isinstance(op, _Op):
                        late.append(_Outcome(op, False, RuntimeError("the metadata store is closed")))
            self._settle(late)

    def _commit_exclusively(self, batch: list[_Op]) -> list[_Outcome]:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        if self._generation is not None:
            self._generation.bump()
        try:
            return self._commit(batch)
        except Exception as exc:  # a bug, not a database state: keep serving
            log.exception("writer batch failed")
            self._rollback()
            return [_Outcome(op, False, exc) for op in batch]
        finally:
            if self._generation is not None:
                self._generation.bump()
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _commit(self, batch: list[_Op]) -> list[_Outcome]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except Exception as exc:
            return [_Outcome(op, False, translate(exc)) for op in batch]
        outcomes: list[_Outcome] = []
        broken: BaseException | None = None
        # A lone mutation needs no savepoint: if it fails, the transaction is all its own.
        isolate = len(batch) > 1
        for op in batch:
            try:
                if isolate:
                    conn.execute("SAVEPOINT op")
            except Exception as exc:
                broken = exc
                break
            try:
                value = op.fn(conn)
            except Exception as exc:
                if not isolate:
                    self._rollback()
                    return [_Outcome(op, False, translate(exc))]
                if not self._undo_savepoint():
                    broken = exc
                    break
                outcomes.append(_Outcome(op, False, translate(exc)))
                continue
            try:
                if isolate:
                    conn.execute("RELEASE op")
            except Exception as exc:
                broken = exc
                break
            outcomes.append(_Outcome(op, True, value))
        if broken is None:
            try:
                conn.execute("COMMIT")
            except Exception as exc:
                broken = exc
        if broken is None:
            self.commits += 1
            self.mutations += sum(o.ok for o in outcomes)
            return outcomes
        self._rollback()
        if len(batch) == 1:
            return [_Outcome(batch[0], False, translate(broken))]
        log.warning("batch of %d mutations failed (%s); retrying each alone", len(batch), broken)
        return [o for op in batch for o in self._commit([op])]

    def _undo_savepoint(self) -> bool:
        """Roll back one mutation; False if SQLite already rolled back the whole transaction."""
        conn = self._conn
        if not conn.in_transaction:
            return False
        try:
            conn.execute("ROLLBACK TO op")
            conn.execute("RELEASE op")
        except sqlite3.Error:
            return False
        return True

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("ROLLBACK failed")

    def _settle(self, outcomes: list[_Outcome]) -> None:
        # One wake-up per event loop per batch, not one per mutation.
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        for o in outcomes:
            by_loop.setdefault(o.op.loop, []).append(o)
        for loop, items in by_loop.items():
            # RuntimeError: that loop is closed, so nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_resolve, items)


def _resolve(outcomes: list[_Outcome]) -> None:
    for o in outcomes:
        if o.op.future.done():  # the caller was cancelled
            continue
        if o.ok:
            o.op.future.set_result(o.value)
        else:
            o.op.future.set_exception(o.value)
