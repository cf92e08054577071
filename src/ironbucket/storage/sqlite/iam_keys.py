"""Access keys as IAM manages them (per user, or the root user's), and when each was last used."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ironbucket.storage.interfaces import AccessKey, IamNoSuchEntity, IamQuotaExceeded, KeyUse
from ironbucket.storage.sqlite import codec
from ironbucket.storage.sqlite.iam_entities import USERS, entity_row

INSERT_KEY = ("INSERT INTO access_keys (access_key_id, account_id, sealed_secret, doc, owner_id) "
              "VALUES (?, ?, ?, ?, ?)")
KEYS_OF_USER = "SELECT access_key_id, account_id, sealed_secret, doc FROM access_keys WHERE owner_id = ?"
KEYS_OF_ROOT = ("SELECT access_key_id, account_id, sealed_secret, doc FROM access_keys "
                "WHERE account_id = ? AND owner_id IS NULL")
GET_KEY = "SELECT access_key_id, account_id, sealed_secret, doc FROM access_keys WHERE access_key_id = ?"
OWNER_OF_KEY = "SELECT owner_id FROM access_keys WHERE access_key_id = ?"
UPDATE_KEY = "UPDATE access_keys SET doc = ? WHERE access_key_id = ?"
DELETE_KEY = "DELETE FROM access_keys WHERE access_key_id = ?"
DELETE_LAST_USED = "DELETE FROM iam_key_last_used WHERE access_key_id = ?"
PUT_LAST_USED = ("INSERT INTO iam_key_last_used (access_key_id, used_at, service, region) "
                 "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM access_keys WHERE access_key_id = ?) "
                 "ON CONFLICT (access_key_id) DO UPDATE SET used_at = excluded.used_at, "
                 "service = excluded.service, region = excluded.region WHERE excluded.used_at > used_at")
GET_LAST_USED = ("SELECT access_key_id, used_at, service, region FROM iam_key_last_used "
                 "WHERE access_key_id = ?")


def create_key(conn: sqlite3.Connection, key: AccessKey, owner_id: str | None, max_keys: int) -> None:
    if owner_id is not None:
        entity_row(conn, USERS, owner_id)
    if len(list_keys(conn, key.account_id, owner_id)) >= max_keys:
        raise IamQuotaExceeded(f"Cannot exceed quota for AccessKeysPerUser: {max_keys}")
    conn.execute(INSERT_KEY, (key.access_key_id, key.account_id, key.sealed_secret,
                              codec.access_key_doc(key), owner_id))


def list_keys(conn: sqlite3.Connection, account_id: str, owner_id: str | None) -> list[AccessKey]:
    if owner_id is None:
        rows = conn.execute(KEYS_OF_ROOT, (account_id,)).fetchall()
    else:
        rows = conn.execute(KEYS_OF_USER, (owner_id,)).fetchall()
    keys = [codec.access_key_from(*r) for r in rows]
    return sorted(keys, key=lambda k: (k.created_at, k.access_key_id))


def owner_of(conn: sqlite3.Connection, access_key_id: str) -> str | None:
    rows = conn.execute(OWNER_OF_KEY, (access_key_id,)).fetchall()
    return rows[0][0] if rows else None


def _key(conn: sqlite3.Connection, access_key_id: str) -> AccessKey:
    rows = conn.execute(GET_KEY, (access_key_id,)).fetchall()
    if not rows:
        raise IamNoSuchEntity(f"The Access Key with id {access_key_id} cannot be found")
    return codec.access_key_from(*rows[0])


def update_key(conn: sqlite3.Connection, access_key_id: str, active: bool) -> None:
    key = _key(conn, access_key_id)
    changed = AccessKey(access_key_id=key.access_key_id, account_id=key.account_id,
                        owner_kind=key.owner_kind, owner_name=key.owner_name,
                        sealed_secret=key.sealed_secret, active=active, created_at=key.created_at)
    conn.execute(UPDATE_KEY, (codec.access_key_doc(changed), access_key_id))


def delete_key(conn: sqlite3.Connection, access_key_id: str) -> None:
    _key(conn, access_key_id)
    conn.execute(DELETE_LAST_USED, (access_key_id,))
    conn.execute(DELETE_KEY, (access_key_id,))


def record_uses(conn: sqlite3.Connection, uses: Sequence[KeyUse]) -> None:
    for use in uses:  # a key deleted meanwhile is skipped by the EXISTS
        conn.execute(PUT_LAST_USED, (use.access_key_id, use.used_at, use.service, use.region,
                                     use.access_key_id))


def last_used(conn: sqlite3.Connection, access_key_id: str) -> KeyUse | None:
    rows = conn.execute(GET_LAST_USED, (access_key_id,)).fetchall()
    return KeyUse(*rows[0]) if rows else None
