"""``SqliteMetadataStore``: the embedded ``MetadataStore`` (SQLite in WAL mode).

Threading model, chosen for latency on an asyncio event loop:

* Reads are indexed lookups of microseconds. They run right on the calling thread (the event
  loop) on a connection owned by that thread; handing them to a thread pool would cost more
  than the query.
* Mutations go to one writer thread per store, which commits whatever has queued up as one
  transaction (group commit, see ``writer.py``) and then wakes the callers.

Several processes may open the same file: WAL gives each read a snapshot of everything
committed before it began, in any process, and ``BEGIN IMMEDIATE`` plus the busy timeout
serialises the writers of different processes. Open the store after forking, never before.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from ironbucket.idle import release_when_idle
from ironbucket.storage.interfaces import (
    AccessKey,
    Account,
    Bucket,
    ObjectVersion,
    Part,
    StsSession,
    Upload,
    UsageRecord,
    WritePrecondition,
)
from ironbucket.storage.sealed import Reseal, SettingSwap
from ironbucket.storage.sqlite import blobrefs, catalog, sealed, sts_sessions, uploads, usage, versions
from ironbucket.storage.sqlite.config_cache import MISSING, ConfigCache, Generation
from ironbucket.storage.sqlite.connection import connect, shrink_memory, translate
from ironbucket.storage.sqlite.iam_store import SqliteIamStore
from ironbucket.storage.sqlite.kms_store import SqliteKmsStore
from ironbucket.storage.sqlite.object_cache import ObjectCache
from ironbucket.storage.sqlite.schema import migrate
from ironbucket.storage.sqlite.space import SpaceGuard
from ironbucket.storage.sqlite.writer import GroupCommitWriter

P = ParamSpec("P")
T = TypeVar("T")


class SqliteMetadataStore(SqliteIamStore, SqliteKmsStore):
    def __init__(self, path: Path) -> None:
        """Open (creating if needed) the database at ``path`` and bring its schema up to date.
        Blocks while migrating; call before serving."""
        self.path = path
        conn = connect(path, writer=True)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        generations = path.with_name(path.name + ".generation")
        self._data_generation = Generation(generations, slot=1)
        self._writer = GroupCommitWriter(conn, lock_path=str(path.with_name(path.name + ".writelock")),
                                         generation=self._data_generation)
        self._space = SpaceGuard(path)  # keeps room to delete on a full disk: see space.py
        self._cache = ConfigCache(Generation(generations, slot=0))
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        release_when_idle(self.release_memory)

    def release_memory(self) -> None:
        """For an idle worker (called on its event loop's thread): SQLite's page caches, up to
        2 MB a connection, go back — this thread's reader's at once, the writer's through its
        thread. Nothing else is lost: the pages are read again from the OS when next needed."""
        if self._closed:
            return
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            shrink_memory(conn)
        self._writer.release_memory()

    @property
    def commit_count(self) -> int:
        """Transactions committed so far by this instance (for tests and metrics)."""
        return self._writer.commits

    @property
    def mutation_count(self) -> int:
        """Mutations committed so far by this instance."""
        return self._writer.mutations

    # --- plumbing --------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the metadata store is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, writer=False)
            with self._lock:
                self._readers.append(conn)
            self._local.conn = conn
            self._local.objects = ObjectCache(self._data_generation)
        return conn

    def _read(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
              *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(self._reader(), *args, **kwargs)
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    async def _write(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                     *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._writer.run(lambda conn: fn(conn, *args, **kwargs))

    async def _write_config(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                            *args: P.args, **kwargs: P.kwargs) -> T:
        """A mutation of configuration: invalidates every process's ConfigCache around it."""
        generation = self._cache.generation
        generation.bump()
        try:
            return await self._write(fn, *args, **kwargs)
        finally:
            generation.bump()

    def _cached(self, key: tuple[str, ...], fn: Callable[Concatenate[sqlite3.Connection, P], T],
                *args: P.args, **kwargs: P.kwargs) -> T:
        if self._closed:
            raise RuntimeError("the metadata store is closed")
        # No closure on the hot path: a hit costs one generation read and one dict lookup.
        cache = self._cache
        found = cache.lookup(key)
        if found is MISSING:
            found = self._read(fn, *args, **kwargs)
            cache.store(key, found)
        return found  # type: ignore[return-value]

    def _free_page_bytes(self) -> int:
        """Bytes on the database's free list (room new inline data reuses without growing it)."""
        conn = self._reader()
        return int(conn.execute("PRAGMA freelist_count").fetchone()[0]
                   * conn.execute("PRAGMA page_size").fetchone()[0])

    async def close(self) -> None:
        """Finish every queued mutation, then close all connections."""
        if self._closed:
            return
        self._closed = True
        self._writer.stop()
        await asyncio.to_thread(self._writer.join)
        self._cache.generation.close()
        self._data_generation.close()
        with self._lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()

    # --- settings, accounts, keys ----------------------------------------------------------------
    async def get_setting(self, name: str) -> str | None:
        return self._cached(("setting", name), catalog.get_setting, name)

    async def put_setting(self, name: str, value: str | None) -> None:
        await self._write_config(catalog.put_setting, name, value)

    async def put_settings(self, items: Mapping[str, str | None]) -> None:
        await self._write_config(catalog.put_settings, items)

    async def swap_setting(self, name: str, expected: str | None, value: str | None) -> bool:
        return await self._write_config(catalog.swap_setting, name, expected, value)

    async def list_settings(self, prefix: str, after: str, limit: int) -> list[tuple[str, str]]:
        return self._read(catalog.list_settings, prefix, after, limit)

    async def create_account(self, account: Account, root_key: AccessKey | None) -> None:
        await self._write_config(catalog.create_account, account, root_key)

    async def get_account(self, account_id: str) -> Account | None:
        return self._cached(("account", account_id), catalog.get_account, account_id)

    async def list_accounts(self) -> list[Account]:
        return self._read(catalog.list_accounts)

    async def get_access_key(self, access_key_id: str) -> AccessKey | None:
        return self._cached(("key", access_key_id), catalog.get_access_key, access_key_id)

    async def put_access_key(self, key: AccessKey) -> None:
        await self._write_config(catalog.put_access_key, key)

    # --- buckets ---------------------------------------------------------------------------------
    async def create_bucket(self, bucket: Bucket, configs: Mapping[str, str] | None = None) -> None:
        await self._write_config(catalog.create_bucket, bucket, configs)

    async def get_bucket(self, name: str) -> Bucket | None:
        return self._cached(("bucket", name), catalog.get_bucket, name)

    async def list_buckets(self, owner_account_id: str, prefix: str, start_after: str,
                           limit: int) -> list[Bucket]:
        return self._read(catalog.list_buckets, owner_account_id, prefix, start_after, limit)

    async def delete_bucket(self, name: str) -> list[str]:
        return await self._write_config(catalog.delete_bucket, name)

    async def update_bucket(self, bucket: Bucket) -> None:
        await self._write_config(catalog.update_bucket, bucket)

    async def get_bucket_config(self, bucket: str, name: str) -> str | None:
        return self._cached(("config", bucket, name), catalog.get_config, bucket, name)

    async def put_bucket_config(self, bucket: str, name: str, value: str | None) -> None:
        await self._write_config(catalog.put_config, bucket, name, value)

    # --- object versions -------------------------------------------------------------------------
    async def get_version(self, bucket: str, key: str, version_id: str | None = None,
                          *, with_data: bool = True) -> ObjectVersion | None:
        conn = self._reader()
        cache: ObjectCache = self._local.objects
        try:
            return cache.get((bucket, key, version_id, with_data),
                             lambda: versions.get(conn, bucket, key, version_id, with_data))
        except sqlite3.Error as exc:
            raise translate(exc) from exc

    async def put_version(self, version: ObjectVersion,
                          precondition: WritePrecondition | None = None, *,
                          guard: Callable[[ObjectVersion], None] | None = None) -> list[str]:
        if version.is_delete_marker:
            return await self._write(versions.put, version, precondition, guard)
        with self._space.admit(len(version.data or b""), self._free_page_bytes):
            return await self._write(versions.put, version, precondition, guard)

    async def update_version(self, version: ObjectVersion, *,
                             guard: Callable[[ObjectVersion], None] | None = None) -> None:
        await self._write(versions.update, version, guard)

    async def delete_version(self, bucket: str, key: str, version_id: str,
                             precondition: WritePrecondition | None = None, *,
                             guard: Callable[[ObjectVersion], None] | None = None
                             ) -> tuple[ObjectVersion | None, list[str]]:
        return await self._write(versions.delete, bucket, key, version_id, precondition, guard)

    async def list_current(self, bucket: str, prefix: str, start: str, inclusive: bool,
                           limit: int) -> list[ObjectVersion]:
        return self._read(versions.list_current, bucket, prefix, start=start, inclusive=inclusive,
                          limit=limit)

    async def list_versions(self, bucket: str, prefix: str, key_marker: str,
                            version_id_marker: str, limit: int) -> list[ObjectVersion]:
        return self._read(versions.list_versions, bucket, prefix, key_marker=key_marker,
                          version_id_marker=version_id_marker, limit=limit)

    # --- multipart uploads -----------------------------------------------------------------------
    async def create_upload(self, upload: Upload) -> None:
        await self._write(uploads.create, upload)

    async def get_upload(self, upload_id: str) -> Upload | None:
        return self._read(uploads.get, upload_id)

    async def list_uploads(self, bucket: str, prefix: str, key_marker: str, upload_id_marker: str,
                           limit: int) -> list[Upload]:
        return self._read(uploads.list_uploads, bucket, prefix, key_marker=key_marker,
                          upload_id_marker=upload_id_marker, limit=limit)

    async def put_part(self, part: Part) -> list[str]:
        with self._space.admit(0, self._free_page_bytes):
            return await self._write(uploads.put_part, part)

    async def list_parts(self, upload_id: str, after_part: int, limit: int) -> list[Part]:
        return self._read(uploads.list_parts, upload_id, after_part, limit)

    async def complete_upload(self, upload: Upload, version: ObjectVersion, used_parts: Iterable[int],
                              precondition: WritePrecondition | None = None, *,
                              guard: Callable[[ObjectVersion], None] | None = None) -> list[str]:
        return await self._write(uploads.complete, upload, version, tuple(used_parts), precondition,
                                 guard)

    async def abort_upload(self, upload_id: str) -> list[str]:
        return await self._write(uploads.abort, upload_id)

    # --- STS sessions ----------------------------------------------------------------------------
    async def sts_create_session(self, session: StsSession) -> None:
        await self._write(sts_sessions.create, session)

    async def sts_get_session(self, access_key_id: str) -> StsSession | None:
        return self._read(sts_sessions.get, access_key_id)

    async def sts_purge_expired(self, expired_before: float) -> int:
        return await self._write(sts_sessions.purge, expired_before)

    # --- usage (bookkeeping: no cache invalidation) ------------------------------------------------
    async def usage_add(self, records: Sequence[UsageRecord]) -> None:
        if records:
            await self._write(usage.add, tuple(records))

    async def usage_list(self, bucket: str | None = None,
                         account_id: str | None = None) -> list[UsageRecord]:
        return self._read(usage.list_usage, bucket, account_id)

    # --- master key rotation ---------------------------------------------------------------------
    async def reseal_all(self, reseal: Reseal, setting_prefixes: Sequence[str],
                         swap: SettingSwap) -> int:
        return await self._write_config(sealed.reseal_all, reseal, tuple(setting_prefixes), swap)

    # --- recovery --------------------------------------------------------------------------------
    async def referenced_blobs(self, blob_ids: Iterable[str]) -> set[str]:
        return self._read(blobrefs.referenced, blob_ids)
