"""Counted references from versions and parts to blobs, kept in the referencing transaction.

A blob is freed when its count drops to zero. Callers add the new references *before* dropping
the old ones, so a blob that merely changes hands (a part becoming a segment of the completed
object, a version replaced by one with the same segments) never looks free.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ironbucket.storage.sqlite import sql

# SQLite's default limit on bound parameters is far higher; this keeps statements cacheable.
LOOKUP_BATCH = 256


def add(conn: sqlite3.Connection, blob_ids: Iterable[str]) -> None:
    conn.executemany(sql.ADD_REF, ((b,) for b in blob_ids))


def drop(conn: sqlite3.Connection, blob_ids: Iterable[str]) -> list[str]:
    """Drop one reference per id; returns the ids no longer referenced at all."""
    freed: list[str] = []
    for blob_id in blob_ids:
        rows = conn.execute(sql.DROP_REF, (blob_id,)).fetchall()
        if rows and rows[0][0] <= 0:
            conn.execute(sql.DELETE_REF, (blob_id,))
            freed.append(blob_id)
    return freed


def referenced(conn: sqlite3.Connection, blob_ids: Iterable[str]) -> set[str]:
    ids = list(dict.fromkeys(blob_ids))
    found: set[str] = set()
    for i in range(0, len(ids), LOOKUP_BATCH):
        chunk = ids[i:i + LOOKUP_BATCH]
        # Pad to a fixed width so one prepared statement serves every batch.
        chunk += [chunk[0]] * (LOOKUP_BATCH - len(chunk))
        found.update(r[0] for r in conn.execute(sql.referenced(LOOKUP_BATCH), chunk).fetchall())
    return found
