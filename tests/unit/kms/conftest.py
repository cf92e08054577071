"""A real keyring and a call as the account root (``meta``: tests/unit/conftest.py)."""

from __future__ import annotations

import os

import pytest

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.crypto.master_key import MasterKey
from ironbucket.kms.call import KmsCall
from ironbucket.kms.keyring import LocalKeyring
from ironbucket.storage.sqlite import SqliteMetadataStore

OWNER = "111122223333"
NOW = 1_800_000_000.0


def root(account: str = OWNER) -> Principal:
    return Principal(PrincipalType.ACCOUNT, account, f"arn:aws:iam::{account}:root", account, "c" * 64)


@pytest.fixture
def call(meta: SqliteMetadataStore) -> KmsCall:
    return KmsCall(meta=meta, keyring=LocalKeyring(MasterKey(os.urandom(32))), principal=root(),
                   region="us-east-1", now=NOW, base_keys=dict)
