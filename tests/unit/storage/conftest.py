"""Provides stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbucket.storage.filesystem import FileBlobStore
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import run, seeded


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[SqliteMetadataStore]:
    """A metadata store holding account OWNER and bucket ``bkt``."""
    store = run(seeded(tmp_path / "meta.sqlite3"))
    yield store
    run(store.close())


@pytest.fixture
def blobs(tmp_path: Path) -> Iterator[FileBlobStore]:
    (tmp_path / "blobs").mkdir()
    (tmp_path / "tmp").mkdir()
    store = FileBlobStore(tmp_path / "blobs", tmp_path / "tmp")
    yield store
    store.close()
