"""Migrations at open, and records that carry their format version."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ironbucket.storage.sqlite import SqliteMetadataStore, codec, schema
from ironbucket.storage.sqlite.connection import connect
from tests.unit.storage.support import BUCKET, rich_version, run, seeded


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    conn = connect(tmp_path / "m.sqlite3", writer=True)
    assert schema.migrate(conn) == len(schema.MIGRATIONS)
    assert schema.schema_version(conn) == schema.LATEST_VERSION
    assert schema.migrate(conn) == 0  # idempotent
    conn.close()
    assert {"settings", "accounts", "access_keys", "buckets", "bucket_configs", "versions",
            "version_data", "uploads", "parts", "blobs"} <= _tables(tmp_path / "m.sqlite3")


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    store = run(seeded(path))
    run(store.close())
    again = SqliteMetadataStore(path)
    assert run(again.get_bucket(BUCKET)) is not None
    run(again.close())


def test_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    store = SqliteMetadataStore(path)
    conn = connect(path, writer=False)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.close()
    run(store.close())


def test_later_migration_applies_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.sqlite3"
    run(SqliteMetadataStore(path).close())
    later = schema.LATEST_VERSION + 1
    extra = schema.Migration(later, "test table", ("CREATE TABLE later (x INTEGER)",))
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, extra))
    monkeypatch.setattr(schema, "LATEST_VERSION", later)
    conn = connect(path, writer=True)
    assert schema.migrate(conn) == 1
    assert schema.migrate(conn) == 0
    assert schema.schema_version(conn) == later
    conn.close()
    assert "later" in _tables(path)


def test_failed_migration_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.sqlite3"
    run(SqliteMetadataStore(path).close())
    shipped = schema.LATEST_VERSION
    bad = schema.Migration(shipped + 1, "broken", ("CREATE TABLE half (x INTEGER)", "THIS IS NOT SQL"))
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, bad))
    monkeypatch.setattr(schema, "LATEST_VERSION", shipped + 1)
    conn = connect(path, writer=True)
    with pytest.raises(sqlite3.OperationalError):
        schema.migrate(conn)
    assert schema.schema_version(conn) == shipped
    conn.close()
    assert "half" not in _tables(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    run(SqliteMetadataStore(path).close())
    with sqlite3.connect(path) as db:
        db.execute("UPDATE settings SET value = '99' WHERE name = 'schema_version'")
    with pytest.raises(RuntimeError, match="newer"):
        SqliteMetadataStore(path)


def test_rows_carry_their_format_version(meta: SqliteMetadataStore) -> None:
    run(meta.put_version(rich_version()))
    with sqlite3.connect(meta.path) as db:
        docs = [r[0] for r in db.execute("SELECT meta FROM versions")] + [
            r[0] for r in db.execute("SELECT doc FROM buckets")]
    assert docs and all(json.loads(d)["v"] == codec.FORMAT_VERSION for d in docs)


def test_older_documents_are_upgraded_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def v1_to_v2(doc: dict[str, object]) -> dict[str, object]:
        return {**doc, "region": str(doc["region"]).upper()}

    stored_v1 = '{"v":1,"region":"eu-west-1","created_at":1.0,"versioning":"","object_lock":false}'
    monkeypatch.setattr(codec, "FORMAT_VERSION", 2)
    monkeypatch.setitem(codec._UPGRADES, 1, v1_to_v2)
    assert codec.bucket_from("b", "o", stored_v1).region == "EU-WEST-1"


def test_documents_from_a_newer_server_are_refused() -> None:
    with pytest.raises(RuntimeError, match="format"):
        codec.load('{"v": 99}')
