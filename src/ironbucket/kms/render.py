"""KMS response structures, shaped as botocore's kms model has them."""

from __future__ import annotations

from typing import Any

from ironbucket.kms.identifiers import alias_arn
from ironbucket.storage.kms_records import KEY_ENABLED, KmsAlias, KmsGrant, KmsKey

SYMMETRIC = "SYMMETRIC_DEFAULT"


def key_metadata(key: KmsKey) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AWSAccountId": key.account_id, "KeyId": key.key_id, "Arn": key.arn,
        "CreationDate": key.created_at, "Enabled": key.state == KEY_ENABLED,
        "Description": key.description, "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": key.state,
        "Origin": "AWS_KMS", "KeyManager": key.manager, "CustomerMasterKeySpec": SYMMETRIC,
        "KeySpec": SYMMETRIC, "EncryptionAlgorithms": [SYMMETRIC], "MultiRegion": False,
    }
    if key.deletion_at is not None:
        out["DeletionDate"] = key.deletion_at
        out["PendingDeletionWindowInDays"] = key.pending_window_days
    return out


def alias_entry(alias: KmsAlias, region: str) -> dict[str, Any]:
    return {"AliasName": alias.name, "AliasArn": alias_arn(region, alias.account_id, alias.name),
            "TargetKeyId": alias.key_id, "CreationDate": alias.created_at,
            "LastUpdatedDate": alias.updated_at}


def grant_entry(grant: KmsGrant, key: KmsKey) -> dict[str, Any]:
    out: dict[str, Any] = {
        "KeyId": key.arn, "GrantId": grant.grant_id, "CreationDate": grant.created_at,
        "GranteePrincipal": grant.grantee, "IssuingAccount": f"arn:aws:iam::{grant.issuing_account}:root",
        "Operations": list(grant.operations),
    }
    if grant.name:
        out["Name"] = grant.name
    if grant.retiring:
        out["RetiringPrincipal"] = grant.retiring
    constraints: dict[str, Any] = {}
    if grant.context_subset is not None:
        constraints["EncryptionContextSubset"] = dict(grant.context_subset)
    if grant.context_equals is not None:
        constraints["EncryptionContextEquals"] = dict(grant.context_equals)
    if constraints:
        out["Constraints"] = constraints
    return out


def page(items: list[Any], limit: int, marker_of: Any) -> tuple[list[Any], dict[str, Any]]:
    """Trim a page fetched with limit+1 rows; the paging members of the answer."""
    if len(items) > limit:
        items = items[:limit]
        return items, {"Truncated": True, "NextMarker": marker_of(items[-1])}
    return items, {"Truncated": False}
