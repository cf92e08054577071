"""Every IAM statement uses an index: a lookup or a page never scans a table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ironbucket.storage.sqlite import SqliteMetadataStore, iam_entities, iam_keys, iam_policies
from tests.unit.iam.support import run


def _statements() -> dict[str, str]:
    found: dict[str, str] = {}
    for module in (iam_entities, iam_keys, iam_policies):
        for name in dir(module):
            value = getattr(module, name)
            if name.isupper() and not name.startswith("_") and isinstance(value, str) and " " in value:
                found[f"{module.__name__.rsplit('.', 1)[1]}.{name}"] = value
    for table in iam_entities.TABLES.values():
        for step in ("by_name", "by_id", "page", "update", "delete", "insert"):
            found[f"{table.name}.{step}"] = getattr(table, step)
    return found


STATEMENTS = _statements()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path: Path = tmp_path_factory.mktemp("plans") / "m.sqlite3"
    run(SqliteMetadataStore(path).close())
    return sqlite3.connect(path)


def _plan(db: sqlite3.Connection, statement: str) -> list[str]:
    rows = db.execute(f"EXPLAIN QUERY PLAN {statement}", [None] * statement.count("?")).fetchall()
    return [r[3] for r in rows]


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_no_full_scans(db: sqlite3.Connection, name: str) -> None:
    plan = _plan(db, STATEMENTS[name])
    scans = [s for s in plan if (s.startswith("SCAN") and s != "SCAN CONSTANT ROW") or "TEMP B-TREE" in s]
    assert not scans, plan


@pytest.mark.parametrize("kind", sorted(iam_entities.TABLES))
def test_pages_are_one_range_of_the_path_index(db: sqlite3.Connection, kind: str) -> None:
    table = iam_entities.TABLES[kind]
    plan = _plan(db, table.page)
    assert f"INDEX {table.name}_by_path (account_id=? AND (path,name_key)>(?,?) AND path<?)" in plan[0], plan
