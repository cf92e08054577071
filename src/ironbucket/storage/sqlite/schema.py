"""The schema as an ordered list of migrations, applied at open.

The ``schema_version`` setting records the last migration applied. Opening runs the missing
ones in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a fresh database at the
same moment cannot both apply a migration: the second waits, then finds nothing left to do.
Add a feature's tables by appending a ``Migration``; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ironbucket.storage.sqlite.iam_schema import IAM_TABLES
from ironbucket.storage.sqlite.kms_sql import KMS_TABLES
from ironbucket.storage.sqlite.sts_sessions import STS_TABLES
from ironbucket.storage.sqlite.usage import USAGE_TABLES

SCHEMA_VERSION_SETTING = "schema_version"


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    summary: str
    statements: tuple[str, ...]
    # For data migrations that SQL alone cannot express; runs after the statements.
    run: Callable[[sqlite3.Connection], None] | None = None


_V1 = (
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """CREATE TABLE accounts (
        account_id TEXT PRIMARY KEY,
        canonical_id TEXT NOT NULL UNIQUE,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    """CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        sealed_secret BLOB NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX access_keys_by_account ON access_keys(account_id)",
    """CREATE TABLE buckets (
        name TEXT PRIMARY KEY,
        owner_account_id TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX buckets_by_owner ON buckets(owner_account_id, name)",
    """CREATE TABLE bucket_configs (
        bucket TEXT NOT NULL REFERENCES buckets(name),
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (bucket, name)
    ) WITHOUT ROWID""",
    # seq orders versions of a key (newest = highest). The latest version of a key is always
    # its highest seq; is_latest repeats that so the partial index below can list current
    # objects without visiting older versions or delete markers.
    """CREATE TABLE versions (
        seq INTEGER PRIMARY KEY,
        bucket TEXT NOT NULL REFERENCES buckets(name),
        key BLOB NOT NULL,
        version_id TEXT NOT NULL,
        is_latest INTEGER NOT NULL,
        is_delete_marker INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        last_modified REAL NOT NULL,
        storage_class TEXT NOT NULL,
        owner TEXT NOT NULL,
        meta TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX versions_by_id ON versions(bucket, key, version_id)",
    "CREATE INDEX versions_by_seq ON versions(bucket, key, seq DESC)",
    """CREATE INDEX versions_current ON versions(bucket, key)
        WHERE is_latest = 1 AND is_delete_marker = 0""",
    # Inline bytes sit in their own table, not in versions: SQLite rewrites a whole row on
    # UPDATE, and flipping is_latest on the previous version would otherwise copy its data;
    # listing also reads denser pages.
    "CREATE TABLE version_data (seq INTEGER PRIMARY KEY, data BLOB NOT NULL)",
    """CREATE TABLE uploads (
        upload_id TEXT PRIMARY KEY,
        bucket TEXT NOT NULL REFERENCES buckets(name),
        key BLOB NOT NULL,
        initiated_at REAL NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX uploads_by_key ON uploads(bucket, key, upload_id)",
    """CREATE TABLE parts (
        upload_id TEXT NOT NULL REFERENCES uploads(upload_id),
        part_number INTEGER NOT NULL,
        size INTEGER NOT NULL,
        etag TEXT NOT NULL,
        last_modified REAL NOT NULL,
        blob_id TEXT,
        blob_size INTEGER,
        doc TEXT NOT NULL,
        PRIMARY KEY (upload_id, part_number)
    ) WITHOUT ROWID""",
    # One row per referenced blob, counted: recovery asks "is this blob referenced?" by key,
    # and a blob that moves from a part to a completed version is never freed on the way.
    "CREATE TABLE blobs (blob_id TEXT PRIMARY KEY, refs INTEGER NOT NULL) WITHOUT ROWID",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "accounts, buckets, versions, uploads, blob references", _V1),
    Migration(2, "IAM users, groups, roles, policies; access key owners", IAM_TABLES),
    Migration(3, "STS sessions (temporary credentials)", STS_TABLES),
    Migration(4, "usage counters of Requester Pays buckets", USAGE_TABLES),
    Migration(5, "KMS keys, key material versions, aliases, grants", KMS_TABLES),
)

LATEST_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    has_settings = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings'").fetchall()
    if not has_settings:
        return 0
    row = conn.execute("SELECT value FROM settings WHERE name = ?", (SCHEMA_VERSION_SETTING,)).fetchall()
    return int(row[0][0]) if row else 0


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema up to date; returns how many migrations ran. Idempotent."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        if current > LATEST_VERSION:
            raise RuntimeError(f"database schema {current} is newer than this server ({LATEST_VERSION})")
        pending = [m for m in MIGRATIONS if m.version > current]
        for m in pending:
            for statement in m.statements:
                conn.execute(statement)
            if m.run is not None:
                m.run(conn)
        if pending:
            conn.execute("INSERT INTO settings (name, value) VALUES (?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                         (SCHEMA_VERSION_SETTING, str(LATEST_VERSION)))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return len(pending)
