"""Runs ``async def`` tests on uvloop; a real store and keyring, and a call as the account root."""

from __future__ import annotations

import inspect
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.crypto.master_key import MasterKey
from ironbucket.kms.call import KmsCall
from ironbucket.kms.keyring import LocalKeyring
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import run

OWNER = "111122223333"
NOW = 1_800_000_000.0


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    run(pyfuncitem.obj(**{n: pyfuncitem.funcargs[n] for n in names}))
    return True


@pytest.fixture
def meta(tmp_path: Path) -> Iterator[SqliteMetadataStore]:
    store = SqliteMetadataStore(tmp_path / "meta.sqlite3")
    yield store
    run(store.close())


def root(account: str = OWNER) -> Principal:
    return Principal(PrincipalType.ACCOUNT, account, f"arn:aws:iam::{account}:root", account, "c" * 64)


@pytest.fixture
def call(meta: SqliteMetadataStore) -> KmsCall:
    return KmsCall(meta=meta, keyring=LocalKeyring(MasterKey(os.urandom(32))), principal=root(),
                   region="us-east-1", now=NOW, base_keys=dict)
