"""Usage counters of Requester Pays buckets (schema migration 4).

One row per (day, charged account, bucket, payer). Workers report deltas that are added to the
row, so any number of processes can report without coordinating. Usage is bookkeeping, not
configuration: it is written without invalidating any configuration cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ironbucket.storage.interfaces import UsageRecord

USAGE_TABLES: tuple[str, ...] = (
    """CREATE TABLE usage (
        day TEXT NOT NULL,
        account_id TEXT NOT NULL,
        bucket TEXT NOT NULL,
        payer TEXT NOT NULL,
        requests INTEGER NOT NULL,
        bytes_in INTEGER NOT NULL,
        bytes_out INTEGER NOT NULL,
        PRIMARY KEY (day, account_id, bucket, payer)
    ) WITHOUT ROWID""",
    "CREATE INDEX usage_by_bucket ON usage(bucket, day)",
)

_ADD = """INSERT INTO usage (day, account_id, bucket, payer, requests, bytes_in, bytes_out)
    VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (day, account_id, bucket, payer) DO UPDATE SET
        requests = requests + excluded.requests,
        bytes_in = bytes_in + excluded.bytes_in,
        bytes_out = bytes_out + excluded.bytes_out"""
_LIST = ("SELECT day, account_id, bucket, payer, requests, bytes_in, bytes_out FROM usage "
         "WHERE (?1 IS NULL OR bucket = ?1) AND (?2 IS NULL OR account_id = ?2) "
         "ORDER BY day, account_id, bucket, payer")


def add(conn: sqlite3.Connection, records: Sequence[UsageRecord]) -> None:
    conn.executemany(_ADD, [(r.day, r.account_id, r.bucket, r.payer, r.requests, r.bytes_in,
                             r.bytes_out) for r in records])


def list_usage(conn: sqlite3.Connection, bucket: str | None, account_id: str | None) -> list[UsageRecord]:
    return [UsageRecord(*row) for row in conn.execute(_LIST, (bucket, account_id)).fetchall()]
