"""What the metadata store keeps for the KMS: keys, their material versions, aliases, grants.

Key material is only ever stored sealed (by the keyring, under the server master key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

KEY_ENABLED = "Enabled"
KEY_DISABLED = "Disabled"
KEY_PENDING_DELETION = "PendingDeletion"


@dataclass(frozen=True, slots=True)
class KmsKey:
    key_id: str
    account_id: str
    region: str
    created_at: float
    state: str  # Enabled | Disabled | PendingDeletion
    description: str
    policy: str
    manager: str  # CUSTOMER | AWS
    current_material: int  # the version new ciphertexts use
    rotation_enabled: bool = False
    rotation_period_days: int = 365
    next_rotation_at: float | None = None
    on_demand_rotations: int = 0
    deletion_at: float | None = None
    pending_window_days: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:kms:{self.region}:{self.account_id}:key/{self.key_id}"


@dataclass(frozen=True, slots=True)
class KmsMaterial:
    key_id: str
    version: int
    created_at: float
    sealed: bytes  # wrapped by the keyring; never the plaintext material


@dataclass(frozen=True, slots=True)
class KmsAlias:
    account_id: str
    name: str  # "alias/..."
    key_id: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class KmsGrant:
    key_id: str
    grant_id: str
    name: str
    grantee: str
    retiring: str | None
    operations: tuple[str, ...]
    context_subset: Mapping[str, str] | None
    context_equals: Mapping[str, str] | None
    issuing_account: str
    created_at: float
    token_hash: str  # SHA-256 of the grant token (the token itself is a bearer secret)


class KmsStore(Protocol):
    async def kms_put_key(self, key: KmsKey) -> None: ...
    async def kms_get_key(self, key_id: str) -> KmsKey | None: ...
    async def kms_list_keys(self, account_id: str, after: str, limit: int) -> list[KmsKey]: ...
    async def kms_delete_key(self, key_id: str) -> None:
        """The key, its material, aliases and grants: gone for good (crypto-shredding)."""
    async def kms_add_material(self, key: KmsKey, material: KmsMaterial) -> None:
        """Store a material version and the key record naming it current, in one commit."""
    async def kms_get_material(self, key_id: str, version: int) -> KmsMaterial | None: ...
    async def kms_create_alias(self, alias: KmsAlias) -> bool:
        """False when the account already has an alias of that name."""
    async def kms_put_alias(self, alias: KmsAlias) -> None: ...
    async def kms_get_alias(self, account_id: str, name: str) -> KmsAlias | None: ...
    async def kms_delete_alias(self, account_id: str, name: str) -> None: ...
    async def kms_list_aliases(self, account_id: str, after: str, limit: int) -> list[KmsAlias]: ...
    async def kms_key_aliases(self, key_id: str) -> list[KmsAlias]: ...
    async def kms_put_grant(self, grant: KmsGrant) -> None: ...
    async def kms_delete_grant(self, key_id: str, grant_id: str) -> None: ...
    async def kms_list_grants(self, key_id: str, after: str, limit: int) -> list[KmsGrant]: ...
