"""For every unit test: ``async def`` tests run on uvloop (the server's loop; no plugin
needed), and ``meta`` is an empty metadata store (packages with their own ``meta`` seed it)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import run


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[SqliteMetadataStore]:
    """The store of the data directory ``tmp_path``."""
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    yield store
    run(store.close())
