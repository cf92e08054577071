"""Multipart uploads and their parts.

Completing an upload writes no bytes: the parts' blobs become the segments of the new
version (their references move from the parts to the version in one transaction).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ironbucket.errors import NoSuchUpload
from ironbucket.storage.interfaces import ObjectVersion, Part, Upload, WritePrecondition
from ironbucket.storage.sqlite import blobrefs, codec, sql, versions
from ironbucket.storage.sqlite.codec import key_bytes


# --- reads -----------------------------------------------------------------------------------------
def get(conn: sqlite3.Connection, upload_id: str) -> Upload | None:
    rows = conn.execute(sql.GET_UPLOAD, (upload_id,)).fetchall()
    return codec.upload_from(*rows[0]) if rows else None


def list_uploads(conn: sqlite3.Connection, bucket: str, prefix: str, *, key_marker: str,
                 upload_id_marker: str, limit: int) -> list[Upload]:
    """Uploads by key, then upload id, after (key_marker, upload_id_marker).

    As in ListMultipartUploads, the upload id marker only counts with a key marker; without
    one the listing resumes after every upload of ``key_marker``.
    """
    if limit <= 0:
        return []
    p = key_bytes(prefix)
    # Upload ids are never empty, so (k, "") sorts before every upload of key k.
    lower: tuple[bytes, str] = (p, "")
    if key_marker:
        km = key_bytes(key_marker)
        lower = max(lower, (km, upload_id_marker) if upload_id_marker else (codec.after(km), ""))
    rows = conn.execute(sql.LIST_UPLOADS,
                        (bucket, lower[0], lower[1], codec.prefix_end(p), limit)).fetchall()
    return [codec.upload_from(*r) for r in rows]


def list_parts(conn: sqlite3.Connection, upload_id: str, after_part: int, limit: int) -> list[Part]:
    if limit <= 0:
        return []
    rows = conn.execute(sql.LIST_PARTS, (upload_id, after_part, limit)).fetchall()
    return [codec.part_from(r) for r in rows]


# --- mutations (inside the writer's transaction) -----------------------------------------------
def create(conn: sqlite3.Connection, u: Upload) -> None:
    versions.require_bucket(conn, u.bucket)
    conn.execute(sql.INSERT_UPLOAD, (u.upload_id, u.bucket, key_bytes(u.key), u.initiated_at,
                                     codec.upload_doc(u)))


def _require(conn: sqlite3.Connection, upload_id: str) -> None:
    if not conn.execute(sql.UPLOAD_EXISTS, (upload_id,)).fetchall():
        raise NoSuchUpload(UploadId=upload_id)


def put_part(conn: sqlite3.Connection, p: Part) -> list[str]:
    _require(conn, p.upload_id)
    old = conn.execute(sql.GET_PART_BLOB, (p.upload_id, p.part_number)).fetchall()
    seg = p.segment
    if seg is not None:
        blobrefs.add(conn, (seg.blob_id,))
    conn.execute(sql.PUT_PART, (p.upload_id, p.part_number, p.size, p.etag, p.last_modified,
                                seg.blob_id if seg else None, seg.size if seg else None,
                                codec.part_doc(p)))
    if old and old[0][0] is not None:
        return blobrefs.drop(conn, (old[0][0],))
    return []


def remove(conn: sqlite3.Connection, upload_id: str) -> list[str]:
    """Delete an upload and its parts; returns the blobs nothing else references."""
    blobs = [r[0] for r in conn.execute(sql.PART_BLOBS, (upload_id,)).fetchall()]
    conn.execute(sql.DELETE_PARTS, (upload_id,))
    conn.execute(sql.DELETE_UPLOAD, (upload_id,))
    return blobrefs.drop(conn, blobs)


def abort(conn: sqlite3.Connection, upload_id: str) -> list[str]:
    _require(conn, upload_id)
    return remove(conn, upload_id)


def complete(conn: sqlite3.Connection, u: Upload, v: ObjectVersion, used_parts: Iterable[int],
             pre: WritePrecondition | None, guard: versions.Guard | None = None) -> list[str]:
    # ``used_parts`` needs no handling: the version references the blobs of the parts it uses
    # before the parts go, so exactly the unused parts' blobs come back freed.
    del used_parts
    _require(conn, u.upload_id)
    freed = versions.put(conn, v, pre, guard)
    return freed + remove(conn, u.upload_id)
