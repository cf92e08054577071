"""Provides a store holding two accounts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import OTHER, OWNER, Iam, account, root_iam, run


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[SqliteMetadataStore]:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    run(store.create_account(account(OWNER), None))
    run(store.create_account(account(OTHER, "other"), None))
    yield store
    run(store.close())


@pytest.fixture
def iam(meta: SqliteMetadataStore) -> Iam:
    """IAM as the root user of account OWNER."""
    return root_iam(meta)
