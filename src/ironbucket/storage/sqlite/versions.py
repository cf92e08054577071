"""Object versions: lookups, listings and the mutations that keep ``is_latest`` true.

Mutations are plain functions of a connection inside the writer's transaction; reads run on
the caller's own connection. Invariant: the latest version of a key is its highest ``seq``,
and exactly that row has ``is_latest = 1``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ironbucket.errors import NoSuchBucket, NoSuchKey, NoSuchVersion, PreconditionFailed
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion, WritePrecondition
from ironbucket.storage.sqlite import blobrefs, codec, sql
from ironbucket.storage.sqlite.codec import ETAG, IS_DELETE_MARKER, META, SEQ, VERSION_ID, key_bytes

_FOREIGN_KEY = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
_UNIQUE = sqlite3.SQLITE_CONSTRAINT_UNIQUE
# Vetoes removing or replacing a version (Object Lock); see MetadataStore.delete_version.
Guard = Callable[[ObjectVersion], None]
_LOCK = "lock"  # ObjectVersion.extra entry of Object Lock (features/object_lock.py)


# --- reads -----------------------------------------------------------------------------------------
def get(conn: sqlite3.Connection, bucket: str, key: str, version_id: str | None,
        with_data: bool) -> ObjectVersion | None:
    k = key_bytes(key)
    if version_id is None:
        rows = conn.execute(sql.GET_LATEST_DATA if with_data else sql.GET_LATEST, (bucket, k)).fetchall()
    else:
        rows = conn.execute(sql.GET_VERSION_DATA if with_data else sql.GET_VERSION,
                            (bucket, k, version_id)).fetchall()
    if not rows:
        return None
    row = rows[0]
    if with_data:
        return codec.version_from(row[:-1], row[-1])
    return codec.version_from(row)


def list_current(conn: sqlite3.Connection, bucket: str, prefix: str, *, start: str, inclusive: bool,
                 limit: int) -> list[ObjectVersion]:
    if limit <= 0:
        return []
    low, high = codec.key_range(prefix, start, inclusive)
    rows = conn.execute(sql.LIST_CURRENT, (bucket, low, high, limit)).fetchall()
    return [codec.version_from(r) for r in rows]


def list_versions(conn: sqlite3.Connection, bucket: str, prefix: str, *, key_marker: str,
                  version_id_marker: str, limit: int) -> list[ObjectVersion]:
    """Versions after (key_marker, version_id_marker) in (key, newest first) order.

    Two index ranges: the rest of the marker key's versions (older than the marker), then the
    keys after it. A marker version that no longer exists resumes at the next key.
    Runs in one read transaction so both ranges come from the same snapshot.
    """
    if limit <= 0:
        return []
    out: list[ObjectVersion] = []
    conn.execute("BEGIN")
    try:
        if key_marker and version_id_marker and key_marker.startswith(prefix):
            km = key_bytes(key_marker)
            seq = conn.execute(sql.SEQ_OF_VERSION, (bucket, km, version_id_marker)).fetchall()
            if seq:
                rows = conn.execute(sql.LIST_OLDER_VERSIONS, (bucket, km, seq[0][0], limit)).fetchall()
                out.extend(codec.version_from(r) for r in rows)
        if len(out) < limit:
            low, high = codec.key_range(prefix, key_marker, inclusive=False)
            rows = conn.execute(sql.LIST_VERSIONS, (bucket, low, high, limit - len(out))).fetchall()
            out.extend(codec.version_from(r) for r in rows)
    finally:
        conn.execute("COMMIT")
    return out


# --- mutations (inside the writer's transaction) -----------------------------------------------
def check(conn: sqlite3.Connection, bucket: str, key: bytes, pre: WritePrecondition | None,
          latest: list[Any] | None = None) -> None:
    """Evaluate ``pre`` against the current object (the latest version unless a delete marker).
    ``latest``: the GET_LATEST rows when the caller already has them."""
    if pre is None or (not pre.if_none_match_star and pre.if_match_etag is None):
        return
    rows = conn.execute(sql.GET_LATEST, (bucket, key)).fetchall() if latest is None else latest
    current = rows[0] if rows and not rows[0][IS_DELETE_MARKER] else None
    if pre.if_none_match_star and current is not None:
        raise PreconditionFailed(Condition="If-None-Match")
    if pre.if_match_etag is not None and (
            current is None or (pre.if_match_etag != "*" and current[ETAG] != pre.if_match_etag)):
        raise PreconditionFailed(Condition="If-Match")


def require_bucket(conn: sqlite3.Connection, bucket: str) -> None:
    if not conn.execute(sql.GET_BUCKET, (bucket,)).fetchall():
        raise NoSuchBucket(BucketName=bucket)


def put(conn: sqlite3.Connection, v: ObjectVersion, pre: WritePrecondition | None,
        guard: Guard | None = None) -> list[str]:
    # Few statements on purpose: this runs once per PUT inside the writer thread, which every
    # mutation of the process waits on. A new key costs one lookup and the inserts.
    k = key_bytes(v.key)
    latest = conn.execute(sql.GET_LATEST, (v.bucket, k)).fetchall()
    check(conn, v.bucket, k, pre, latest)
    if v.segments:
        blobrefs.add(conn, v.blob_ids)
    freed: list[str] = []
    if latest:
        top = latest[0]
        if top[VERSION_ID] == v.version_id:  # an overwrite of the latest (the unversioned case)
            if guard is not None:
                guard(codec.version_from(top))
            freed = _remove(conn, top[SEQ], top[META])
        else:
            conn.execute(sql.UNSET_LATEST, (top[SEQ],))
    try:
        seq = _insert(conn, k, v)
    except sqlite3.IntegrityError as exc:
        # The foreign key to buckets is the bucket check: no extra lookup per PUT.
        if getattr(exc, "sqlite_errorcode", None) == _FOREIGN_KEY:
            raise NoSuchBucket(BucketName=v.bucket) from exc
        if getattr(exc, "sqlite_errorcode", None) != _UNIQUE:
            raise
        # The id exists further down the history: only a ``null`` write (a suspended bucket)
        # meets its own id there, since new ids are unique. Found by the unique index instead
        # of a lookup on every versioned PUT.
        same = conn.execute(sql.GET_VERSION, (v.bucket, k, v.version_id)).fetchall()[0]
        if guard is not None:
            guard(codec.version_from(same))
        freed = _remove(conn, same[SEQ], same[META])
        seq = _insert(conn, k, v)
    if v.data is not None:
        conn.execute(sql.INSERT_DATA, (seq, v.data))
    return freed


def _insert(conn: sqlite3.Connection, k: bytes, v: ObjectVersion) -> int:
    cur = conn.execute(sql.INSERT_VERSION, (
        v.bucket, k, v.version_id, int(v.is_delete_marker), v.size, v.etag, v.last_modified,
        v.storage_class, v.owner_account_id, codec.version_meta(v)))
    assert cur.lastrowid is not None
    return cur.lastrowid


def update(conn: sqlite3.Connection, v: ObjectVersion, guard: Guard | None = None) -> None:
    """Rewrite what describes a version but not its bytes: metadata, tags, extra, class.
    The Object Lock entry of ``extra`` changes only through a guarded update: a concurrent
    tagging or ACL change, working from an older read, must not undo a retention change."""
    rows = conn.execute(sql.GET_VERSION, (v.bucket, key_bytes(v.key), v.version_id)).fetchall()
    if not rows:
        if v.version_id == NULL_VERSION:
            raise NoSuchKey(Key=v.key)
        raise NoSuchVersion(Key=v.key, VersionId=v.version_id)
    stored = codec.version_from(rows[0])
    extra = dict(v.extra)
    if guard is not None:
        guard(stored)
    elif _LOCK in stored.extra:
        extra[_LOCK] = stored.extra[_LOCK]
    else:
        extra.pop(_LOCK, None)
    # Segments, parts and checksums describe the bytes, which this call never changes.
    merged = replace(v, extra=extra, segments=stored.segments, parts=stored.parts,
                     checksum_algorithm=stored.checksum_algorithm,
                     checksum_value=stored.checksum_value, checksum_type=stored.checksum_type)
    conn.execute(sql.UPDATE_VERSION, (v.last_modified, v.storage_class, v.owner_account_id,
                                      codec.version_meta(merged), rows[0][SEQ]))


def delete(conn: sqlite3.Connection, bucket: str, key: str, version_id: str,
           pre: WritePrecondition | None, guard: Guard | None = None
           ) -> tuple[ObjectVersion | None, list[str]]:
    k = key_bytes(key)
    check(conn, bucket, k, pre)
    rows = conn.execute(sql.GET_VERSION, (bucket, k, version_id)).fetchall()
    if not rows:
        return None, []
    removed = codec.version_from(rows[0])
    if guard is not None:
        guard(removed)
    freed = _remove(conn, rows[0][SEQ], rows[0][META])
    if removed.is_latest:
        conn.execute(sql.SET_LATEST, (bucket, k))
    return removed, freed


def _remove(conn: sqlite3.Connection, seq: int, meta: str) -> list[str]:
    conn.execute(sql.DELETE_DATA, (seq,))
    conn.execute(sql.DELETE_VERSION, (seq,))
    segments = codec.segments_of(meta)
    return blobrefs.drop(conn, (s.blob_id for s in segments)) if segments else []
