"""Every KMS operation this server knows: its IAM action, what that action is checked on, and
its handler. Handlers reach keys only through ``access.authorized_key`` / ``authorize_key``
(key-scoped actions) after the account-scoped checks; ``On`` documents which applies and a
unit test walks this table against botocore's kms model.

Operations of KMS that this server does not implement (asymmetric and HMAC keys, custom key
stores, imported material, multi-Region keys, ...) answer UnsupportedOperationException.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ironbucket.kms import aliases_api, crypto_api, grants_api, keys_api, rotation_api, tags_api
from ironbucket.kms.call import KmsCall


class On(enum.Enum):
    ACCOUNT = "*"  # no key policy: IAM policies alone
    KEY = "key ARN"  # the key policy, IAM policies and grants
    ALIAS = "alias ARN and key ARN"
    GRANT = "decided by the grant"  # RetireGrant


@dataclass(frozen=True, slots=True)
class KmsOperation:
    name: str
    action: str
    on: On
    handler: Callable[[KmsCall], Awaitable[dict[str, Any] | None]]


def _op(name: str, on: On, handler: Callable[[KmsCall], Awaitable[dict[str, Any] | None]],
        action: str | None = None) -> tuple[str, KmsOperation]:
    return name, KmsOperation(name, action or f"kms:{name}", on, handler)


CATALOG: dict[str, KmsOperation] = dict([
    _op("CreateKey", On.ACCOUNT, keys_api.create_key),
    _op("DescribeKey", On.KEY, keys_api.describe_key),
    _op("ListKeys", On.ACCOUNT, keys_api.list_keys),
    _op("EnableKey", On.KEY, keys_api.enable_key),
    _op("DisableKey", On.KEY, keys_api.disable_key),
    _op("ScheduleKeyDeletion", On.KEY, keys_api.schedule_key_deletion),
    _op("CancelKeyDeletion", On.KEY, keys_api.cancel_key_deletion),
    _op("GetKeyPolicy", On.KEY, keys_api.get_key_policy),
    _op("PutKeyPolicy", On.KEY, keys_api.put_key_policy),
    _op("ListKeyPolicies", On.KEY, keys_api.list_key_policies),
    _op("UpdateKeyDescription", On.KEY, keys_api.update_key_description),
    _op("CreateAlias", On.ALIAS, aliases_api.create_alias),
    _op("UpdateAlias", On.ALIAS, aliases_api.update_alias),
    _op("DeleteAlias", On.ALIAS, aliases_api.delete_alias),
    _op("ListAliases", On.ACCOUNT, aliases_api.list_aliases),
    _op("EnableKeyRotation", On.KEY, rotation_api.enable_key_rotation),
    _op("DisableKeyRotation", On.KEY, rotation_api.disable_key_rotation),
    _op("GetKeyRotationStatus", On.KEY, rotation_api.get_key_rotation_status),
    _op("RotateKeyOnDemand", On.KEY, rotation_api.rotate_key_on_demand),
    _op("Encrypt", On.KEY, crypto_api.encrypt),
    _op("Decrypt", On.KEY, crypto_api.decrypt),
    _op("ReEncrypt", On.KEY, crypto_api.re_encrypt, "kms:ReEncryptFrom"),  # and ReEncryptTo
    _op("GenerateDataKey", On.KEY, crypto_api.generate_data_key),
    _op("GenerateDataKeyWithoutPlaintext", On.KEY, crypto_api.generate_data_key_without_plaintext),
    _op("CreateGrant", On.KEY, grants_api.create_grant),
    _op("ListGrants", On.KEY, grants_api.list_grants),
    _op("RetireGrant", On.GRANT, grants_api.retire_grant),
    _op("RevokeGrant", On.KEY, grants_api.revoke_grant),
    _op("TagResource", On.KEY, tags_api.tag_resource),
    _op("UntagResource", On.KEY, tags_api.untag_resource),
    _op("ListResourceTags", On.KEY, tags_api.list_resource_tags),
])

# KMS operations deliberately not implemented (each answers UnsupportedOperationException).
NOT_IMPLEMENTED = frozenset({
    "ConnectCustomKeyStore", "CreateCustomKeyStore", "DeleteCustomKeyStore", "DescribeCustomKeyStores",
    "DisconnectCustomKeyStore", "UpdateCustomKeyStore", "DeleteImportedKeyMaterial",
    "GetParametersForImport", "ImportKeyMaterial", "DeriveSharedSecret", "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac", "GenerateRandom",
    "GetPublicKey", "Sign", "Verify", "ReplicateKey", "UpdatePrimaryRegion", "ListKeyRotations",
    "ListRetirableGrants", "Encapsulate", "Decapsulate", "GetKeyLastUsage",
})
