"""Every statement the store runs uses an index: lookups and pages never scan a table."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ironbucket.storage.sqlite import SqliteMetadataStore, kms_sql, sql
from ironbucket.storage.sqlite.blobrefs import LOOKUP_BATCH
from tests.unit.storage.support import run

STATEMENTS = {name: getattr(sql, name) for name in dir(sql)
              if name.isupper() and not name.startswith("_") and not name.endswith("COLUMNS")
              and isinstance(getattr(sql, name), str)}
STATEMENTS["REFERENCED"] = sql.referenced(LOOKUP_BATCH)
STATEMENTS.update({f"kms_sql.{name}": getattr(kms_sql, name) for name in dir(kms_sql)
                   if name.isupper() and isinstance(getattr(kms_sql, name), str)})


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
    if name in sql.FULL_SCANS:
        return
    assert not [step for step in plan if step.startswith("SCAN") or "TEMP B-TREE" in step], plan


@pytest.mark.parametrize(("name", "index"), [
    ("LIST_CURRENT", "versions_current"),
    ("LIST_VERSIONS", "versions_by_seq"),
    ("LIST_OLDER_VERSIONS", "versions_by_seq"),
    ("GET_LATEST", "versions_by_seq"),
    ("GET_VERSION", "versions_by_id"),
    ("LIST_UPLOADS", "uploads_by_key"),
])
def test_listings_use_their_index(db: sqlite3.Connection, name: str, index: str) -> None:
    plan = _plan(db, STATEMENTS[name])
    assert plan[0].startswith("SEARCH") and f"INDEX {index} " in plan[0], plan


def test_list_current_is_a_range_of_the_partial_index(db: sqlite3.Connection) -> None:
    # The range (bucket=? AND key>? AND key<?) is what makes a page cost O(page).
    assert "(bucket=? AND key>? AND key<?)" in _plan(db, sql.LIST_CURRENT)[0]
