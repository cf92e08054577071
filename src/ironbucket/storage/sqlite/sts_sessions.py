"""Temporary credentials issued by STS (schema migration 3).

A session never changes once issued (AWS cannot edit or revoke one either: policies that deny on
``aws:TokenIssueTime`` do that), so readers may keep a session record as long as they like;
expiry is checked on every use. Expired sessions are purged now and then.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ironbucket.storage.interfaces import StsSession

STS_TABLES: tuple[str, ...] = (
    """CREATE TABLE sts_sessions (
        access_key_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts(account_id),
        expires_at REAL NOT NULL,
        sealed_secret BLOB NOT NULL,
        sealed_token BLOB NOT NULL,
        doc TEXT NOT NULL
    ) WITHOUT ROWID""",
    "CREATE INDEX sts_sessions_by_expiry ON sts_sessions(expires_at)",
)
_FORMAT = 1


def create(conn: sqlite3.Connection, session: StsSession) -> None:
    doc = {
        "v": _FORMAT, "kind": session.kind, "issued_at": session.issued_at,
        "role_arn": session.role_arn, "role_id": session.role_id, "session_name": session.session_name,
        "user_name": session.user_name, "user_arn": session.user_arn, "user_id": session.user_id,
        "policies": [list(p) for p in session.policies], "tags": dict(session.tags),
        "source_identity": session.source_identity, "mfa_authenticated_at": session.mfa_authenticated_at,
    }
    conn.execute("INSERT INTO sts_sessions VALUES (?, ?, ?, ?, ?, ?)",
                 (session.access_key_id, session.account_id, session.expires_at, session.sealed_secret,
                  session.sealed_token, json.dumps(doc)))


def get(conn: sqlite3.Connection, access_key_id: str) -> StsSession | None:
    row = conn.execute("SELECT access_key_id, account_id, expires_at, sealed_secret, sealed_token, doc "
                       "FROM sts_sessions WHERE access_key_id = ?", (access_key_id,)).fetchone()
    if row is None:
        return None
    doc: dict[str, Any] = json.loads(row[5])
    return StsSession(
        access_key_id=row[0], account_id=row[1], expires_at=row[2], sealed_secret=bytes(row[3]),
        sealed_token=bytes(row[4]), kind=doc["kind"], issued_at=doc["issued_at"],
        role_arn=doc.get("role_arn"), role_id=doc.get("role_id"), session_name=doc.get("session_name"),
        user_name=doc.get("user_name"), user_arn=doc.get("user_arn"), user_id=doc.get("user_id"),
        policies=tuple((label, text) for label, text in doc.get("policies", [])),
        tags=doc.get("tags", {}), source_identity=doc.get("source_identity"),
        mfa_authenticated_at=doc.get("mfa_authenticated_at"),
    )


def purge(conn: sqlite3.Connection, expired_before: float) -> int:
    return conn.execute("DELETE FROM sts_sessions WHERE expires_at < ?", (expired_before,)).rowcount
