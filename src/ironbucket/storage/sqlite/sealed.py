"""Where SQLite holds values sealed under the master key, and ``reseal_all`` over them.

These statements read whole tables on purpose (they run once per master key rotation, with the
server stopped), so they live here rather than in ``sql.py``, whose statements must never scan.
"""

# ruff: noqa: S608 - table and column names come from this module's own literals.
from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ironbucket.storage.sealed import (
    ACCESS_KEY,
    KMS_MATERIAL,
    SETTING,
    STS_SECRET,
    STS_TOKEN,
    Reseal,
    SealedValue,
    SettingChanged,
    SettingSwap,
)
from ironbucket.storage.sqlite import catalog

# (kind, table, sealed column, key columns, version column or None)
_COLUMNS: tuple[tuple[str, str, str, str, str | None], ...] = (
    (ACCESS_KEY, "access_keys", "sealed_secret", "access_key_id", None),
    (STS_SECRET, "sts_sessions", "sealed_secret", "access_key_id", None),
    (STS_TOKEN, "sts_sessions", "sealed_token", "access_key_id", None),
    (KMS_MATERIAL, "kms_materials", "sealed", "key_id", "version"),
)
_PAGE = 500


def reseal_all(conn: sqlite3.Connection, reseal: Reseal, setting_prefixes: Sequence[str],
               swap: SettingSwap) -> int:
    if catalog.get_setting(conn, swap.name) != swap.expected:
        raise SettingChanged(swap.name)
    visited = 0
    for kind, table, column, key, version in _COLUMNS:
        versioned = version or "0"
        rows = conn.execute(f"SELECT {key}, {versioned}, {column} FROM {table}").fetchall()
        where = f"{key} = ?" + (f" AND {version} = ?" if version else "")
        for name, number, sealed in rows:
            visited += 1
            new = reseal(SealedValue(kind, str(name), bytes(sealed), int(number)))
            if new is not None:
                params = (new, name, number) if version else (new, name)
                conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", params)
    for prefix in setting_prefixes:
        after = ""
        while batch := catalog.list_settings(conn, prefix, after, _PAGE):
            for name, text in batch:
                visited += 1
                new = reseal(SealedValue(SETTING, name, text.encode()))
                if new is not None:
                    catalog.put_setting(conn, name, new.decode())
            after = batch[-1][0]
    catalog.put_setting(conn, swap.name, swap.value)
    return visited
