"""Accounts and their root users: creation, and the generation of AWS-shaped identifiers."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field

from ironbucket.crypto.master_key import MasterKey
from ironbucket.storage.interfaces import AccessKey, Account, MetadataStore

KEY_ALPHABET = string.ascii_uppercase + "234567"  # AWS access key ids are base32-like
_KEY_ALPHABET = KEY_ALPHABET
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
DEFAULT_ACCOUNT_SETTING = "default_account_id"


@dataclass(frozen=True, slots=True)
class NewAccount:
    account: Account
    access_key_id: str
    secret_access_key: str = field(repr=False)


def new_account_id() -> str:
    return str(secrets.randbelow(9 * 10**11) + 10**11)  # 12 digits, no leading zero


def new_access_key_id(prefix: str = "AKIA") -> str:
    return prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))


def new_secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


async def create_account(meta: MetadataStore, master: MasterKey, name: str, now: float, *,
                         access_key_id: str | None = None,
                         secret_access_key: str | None = None) -> NewAccount:
    account = Account(account_id=new_account_id(), name=name, canonical_id=secrets.token_hex(32),
                      created_at=now)
    key_id = access_key_id or new_access_key_id()
    secret = secret_access_key or new_secret_access_key()
    root_key = AccessKey(access_key_id=key_id, account_id=account.account_id, owner_kind="root",
                         owner_name="root", sealed_secret=master.seal(secret.encode(), key_id.encode()),
                         active=True, created_at=now)
    await meta.create_account(account, root_key)
    return NewAccount(account, key_id, secret)
