"""The KMS tables (schema migration 5) and every statement run on them.

Keys and grants are documents (JSON) keyed by id; material versions hold only sealed bytes.
Every statement is a lookup or a range of a primary key or index (checked by
tests/unit/storage/test_sqlite_query_plans.py).
"""

from __future__ import annotations

KMS_TABLES: tuple[str, ...] = (
    """CREATE TABLE kms_keys (
        key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE UNIQUE INDEX kms_keys_by_account ON kms_keys(account_id, key_id)",
    """CREATE TABLE kms_materials (
        key_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at REAL NOT NULL,
        sealed BLOB NOT NULL,
        PRIMARY KEY (key_id, version)
    ) WITHOUT ROWID""",
    """CREATE TABLE kms_aliases (
        account_id TEXT NOT NULL,
        name TEXT NOT NULL,
        key_id TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (account_id, name)
    ) WITHOUT ROWID""",
    "CREATE INDEX kms_aliases_by_key ON kms_aliases(key_id, name)",
    """CREATE TABLE kms_grants (
        key_id TEXT NOT NULL,
        grant_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (key_id, grant_id)
    ) WITHOUT ROWID""",
)

PUT_KEY = ("INSERT INTO kms_keys (key_id, account_id, doc) VALUES (?, ?, ?) "
           "ON CONFLICT (key_id) DO UPDATE SET doc = excluded.doc")
GET_KEY = "SELECT account_id, doc FROM kms_keys WHERE key_id = ?"
LIST_KEYS = ("SELECT key_id, account_id, doc FROM kms_keys WHERE account_id = ? AND key_id > ? "
             "ORDER BY key_id LIMIT ?")
DELETE_KEY = "DELETE FROM kms_keys WHERE key_id = ?"
DELETE_MATERIALS = "DELETE FROM kms_materials WHERE key_id = ?"
DELETE_KEY_GRANTS = "DELETE FROM kms_grants WHERE key_id = ?"
DELETE_KEY_ALIASES = "DELETE FROM kms_aliases WHERE account_id = ? AND name = ?"
ADD_MATERIAL = "INSERT INTO kms_materials (key_id, version, created_at, sealed) VALUES (?, ?, ?, ?)"
GET_MATERIAL = "SELECT created_at, sealed FROM kms_materials WHERE key_id = ? AND version = ?"
INSERT_ALIAS = ("INSERT INTO kms_aliases (account_id, name, key_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, name) DO NOTHING")
PUT_ALIAS = ("INSERT INTO kms_aliases (account_id, name, key_id, created_at, updated_at) "
             "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, name) DO UPDATE SET "
             "key_id = excluded.key_id, updated_at = excluded.updated_at")
GET_ALIAS = ("SELECT account_id, name, key_id, created_at, updated_at FROM kms_aliases "
             "WHERE account_id = ? AND name = ?")
DELETE_ALIAS = "DELETE FROM kms_aliases WHERE account_id = ? AND name = ?"
LIST_ALIASES = ("SELECT account_id, name, key_id, created_at, updated_at FROM kms_aliases "
                "WHERE account_id = ? AND name > ? ORDER BY name LIMIT ?")
KEY_ALIASES = ("SELECT account_id, name, key_id, created_at, updated_at FROM kms_aliases "
               "WHERE key_id = ? ORDER BY name")
PUT_GRANT = ("INSERT INTO kms_grants (key_id, grant_id, doc) VALUES (?, ?, ?) "
             "ON CONFLICT (key_id, grant_id) DO UPDATE SET doc = excluded.doc")
DELETE_GRANT = "DELETE FROM kms_grants WHERE key_id = ? AND grant_id = ?"
LIST_GRANTS = ("SELECT doc FROM kms_grants WHERE key_id = ? AND grant_id > ? "
               "ORDER BY grant_id LIMIT ?")
