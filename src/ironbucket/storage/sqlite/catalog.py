"""Settings, accounts, access keys, buckets and bucket configuration documents."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from ironbucket.errors import BucketAlreadyExists, BucketAlreadyOwnedByYou, BucketNotEmpty, NoSuchBucket
from ironbucket.storage.interfaces import AccessKey, Account, Bucket
from ironbucket.storage.sqlite import codec, sql, uploads
from ironbucket.storage.sqlite.schema import SCHEMA_VERSION_SETTING


# --- settings --------------------------------------------------------------------------------------
def get_setting(conn: sqlite3.Connection, name: str) -> str | None:
    rows = conn.execute(sql.GET_SETTING, (name,)).fetchall()
    return str(rows[0][0]) if rows else None


def put_setting(conn: sqlite3.Connection, name: str, value: str | None) -> None:
    if name == SCHEMA_VERSION_SETTING:
        raise ValueError(f"{name!r} belongs to the schema migrations")
    if value is None:
        conn.execute(sql.DELETE_SETTING, (name,))
    else:
        conn.execute(sql.PUT_SETTING, (name, value))


def put_settings(conn: sqlite3.Connection, items: Mapping[str, str | None]) -> None:
    for name, value in items.items():
        put_setting(conn, name, value)


def swap_setting(conn: sqlite3.Connection, name: str, expected: str | None, value: str | None) -> bool:
    """Compare-and-set: write ``value`` only if the setting still holds ``expected``. The writer's
    transaction is exclusive, so two processes can never both see the same ``expected``."""
    if get_setting(conn, name) != expected:
        return False
    put_setting(conn, name, value)
    return True


def list_settings(conn: sqlite3.Connection, prefix: str, after: str, limit: int) -> list[tuple[str, str]]:
    """Settings whose names start with ``prefix``, in name order, after ``after`` (a full name)."""
    rows = conn.execute(sql.LIST_SETTINGS, (prefix, after, prefix + "\U0010ffff", limit)).fetchall()
    return [(str(name), str(value)) for name, value in rows]


# --- accounts and access keys ----------------------------------------------------------------------
def create_account(conn: sqlite3.Connection, a: Account, root_key: AccessKey | None) -> None:
    try:
        conn.execute(sql.INSERT_ACCOUNT, (a.account_id, a.canonical_id, codec.account_doc(a)))
    except sqlite3.IntegrityError as exc:
        raise ValueError(f"account {a.account_id} (or its canonical id) already exists") from exc
    if root_key is not None:
        put_access_key(conn, root_key)


def get_account(conn: sqlite3.Connection, account_id: str) -> Account | None:
    rows = conn.execute(sql.GET_ACCOUNT, (account_id,)).fetchall()
    return codec.account_from(*rows[0]) if rows else None


def list_accounts(conn: sqlite3.Connection) -> list[Account]:
    return [codec.account_from(*r) for r in conn.execute(sql.LIST_ACCOUNTS).fetchall()]


def put_access_key(conn: sqlite3.Connection, k: AccessKey) -> None:
    try:
        conn.execute(sql.PUT_ACCESS_KEY, (k.access_key_id, k.account_id, k.sealed_secret,
                                          codec.access_key_doc(k)))
    except sqlite3.IntegrityError as exc:
        raise ValueError(f"no account {k.account_id} for access key {k.access_key_id}") from exc


def get_access_key(conn: sqlite3.Connection, access_key_id: str) -> AccessKey | None:
    rows = conn.execute(sql.GET_ACCESS_KEY, (access_key_id,)).fetchall()
    return codec.access_key_from(*rows[0]) if rows else None


# --- buckets ---------------------------------------------------------------------------------------
def create_bucket(conn: sqlite3.Connection, b: Bucket, configs: Mapping[str, str] | None = None) -> None:
    rows = conn.execute(sql.GET_BUCKET, (b.name,)).fetchall()
    if rows:
        if rows[0][1] == b.owner_account_id:
            raise BucketAlreadyOwnedByYou(BucketName=b.name)
        raise BucketAlreadyExists(BucketName=b.name)
    conn.execute(sql.INSERT_BUCKET, (b.name, b.owner_account_id, codec.bucket_doc(b)))
    for name, value in (configs or {}).items():
        conn.execute(sql.PUT_CONFIG, (b.name, name, value))


def get_bucket(conn: sqlite3.Connection, name: str) -> Bucket | None:
    rows = conn.execute(sql.GET_BUCKET, (name,)).fetchall()
    return codec.bucket_from(*rows[0]) if rows else None


def list_buckets(conn: sqlite3.Connection, owner: str, prefix: str, start_after: str,
                 limit: int) -> list[Bucket]:
    if limit <= 0:
        return []
    rows = conn.execute(sql.LIST_BUCKETS, (owner, prefix, start_after, limit)).fetchall()
    out: list[Bucket] = []
    for r in rows:
        if not r[0].startswith(prefix):
            break
        out.append(codec.bucket_from(*r))
    return out


def update_bucket(conn: sqlite3.Connection, b: Bucket) -> None:
    cur = conn.execute(sql.UPDATE_BUCKET, (b.owner_account_id, codec.bucket_doc(b), b.name))
    if cur.rowcount == 0:
        raise NoSuchBucket(BucketName=b.name)


def delete_bucket(conn: sqlite3.Connection, name: str) -> list[str]:
    if not conn.execute(sql.GET_BUCKET, (name,)).fetchall():
        raise NoSuchBucket(BucketName=name)
    # Delete markers count: S3 refuses to delete a bucket that still holds any version.
    if conn.execute(sql.BUCKET_HAS_VERSIONS, (name,)).fetchall():
        raise BucketNotEmpty(BucketName=name)
    freed: list[str] = []
    for (upload_id,) in conn.execute(sql.UPLOADS_OF_BUCKET, (name,)).fetchall():
        freed += uploads.remove(conn, upload_id)
    conn.execute(sql.DELETE_CONFIGS, (name,))
    conn.execute(sql.DELETE_BUCKET, (name,))
    return freed


def get_config(conn: sqlite3.Connection, bucket: str, name: str) -> str | None:
    rows = conn.execute(sql.GET_CONFIG, (bucket, name)).fetchall()
    return str(rows[0][0]) if rows else None


def put_config(conn: sqlite3.Connection, bucket: str, name: str, value: str | None) -> None:
    if not conn.execute(sql.GET_BUCKET, (bucket,)).fetchall():
        raise NoSuchBucket(BucketName=bucket)
    if value is None:
        conn.execute(sql.DELETE_CONFIG, (bucket, name))
    else:
        conn.execute(sql.PUT_CONFIG, (bucket, name, value))
