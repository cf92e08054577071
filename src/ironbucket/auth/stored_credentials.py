"""CredentialStore over the metadata store: access keys whose secrets are sealed at rest."""

from __future__ import annotations

from ironbucket.auth.credentials import Credential
from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.crypto.master_key import MasterKey
from ironbucket.storage.interfaces import AccessKey, Account, MetadataStore


def root_principal(account: Account, access_key_id: str | None = None) -> Principal:
    return Principal(
        type=PrincipalType.ACCOUNT,
        account_id=account.account_id,
        arn=f"arn:aws:iam::{account.account_id}:root",
        user_id=account.account_id,
        canonical_id=account.canonical_id,
        display_name=account.name,
        access_key_id=access_key_id,
    )


class StoredCredentials:
    def __init__(self, meta: MetadataStore, master_key: MasterKey) -> None:
        self._meta = meta
        self._master = master_key
        self._accounts: dict[str, Account] = {}  # accounts are immutable once created
        # Unsealed secrets, reused while the store hands back the very same (cached) record.
        self._unsealed: dict[str, tuple[AccessKey, Credential]] = {}

    async def lookup(self, access_key_id: str) -> Credential | None:
        key = await self._meta.get_access_key(access_key_id)
        if key is None:
            return None
        memo = self._unsealed.get(access_key_id)
        if memo is not None and memo[0] is key:
            return memo[1]
        account = self._accounts.get(key.account_id)
        if account is None:
            account = await self._meta.get_account(key.account_id)
            if account is None:
                return None
            self._accounts[key.account_id] = account
        if key.owner_kind != "root":
            return None  # IAM users arrive with IAM; until then only root keys authenticate
        secret = self._master.unseal(key.sealed_secret, access_key_id.encode()).decode()
        credential = Credential(access_key_id=access_key_id, secret_access_key=secret,
                                principal=root_principal(account, access_key_id), active=key.active)
        if len(self._unsealed) > 10_000:
            self._unsealed.clear()
        self._unsealed[access_key_id] = (key, credential)
        return credential
