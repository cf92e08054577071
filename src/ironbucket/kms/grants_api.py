"""CreateGrant, ListGrants, RetireGrant, RevokeGrant.

A grant token names its key and grant and carries a random secret; only the secret's SHA-256
is stored. Who may retire a grant is decided by the grant itself (its retiring principal, its
grantee when it includes RetireGrant, the root of the account that issued it); revoking is a
key-policy action (kms:RevokeGrant).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from typing import Any

from ironbucket.authz.engine import principal_identity
from ironbucket.kms import grants, lookup, states
from ironbucket.kms.access import authorize_key, authorized_key, dry_run
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import (
    AccessDeniedException,
    InvalidArnException,
    InvalidGrantIdException,
    InvalidGrantTokenException,
    InvalidMarkerException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from ironbucket.kms.identifiers import KEY_ID
from ironbucket.kms.render import grant_entry, page
from ironbucket.storage.kms_records import KmsGrant, KmsKey

_PRINCIPAL = re.compile(r"arn:aws:(iam::\d{12}:(root|user/.+|role/.+)|sts::\d{12}:assumed-role/.+/.+)")
_GRANT_ID = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[a-zA-Z0-9:/_-]{1,256}")
_ALL = 10000


def _principal(call: KmsCall, name: str, *, required: bool) -> str | None:
    value = call.params.string(name, required=required, max_len=256)
    if value is not None and not _PRINCIPAL.fullmatch(value):
        raise InvalidArnException(f"{name} {value} is not a valid IAM principal ARN.")
    return value


def _constraints(call: KmsCall) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    raw = call.params.struct("Constraints") or {}
    unknown = set(raw) - {"EncryptionContextSubset", "EncryptionContextEquals"}
    if unknown:
        raise ValidationException(f"Grant constraints {sorted(unknown)} are not supported by this server.")
    subset, equals = raw.get("EncryptionContextSubset"), raw.get("EncryptionContextEquals")
    for value in (subset, equals):
        if value is not None and not (isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            raise ValidationException("Encryption context constraints are maps of strings.")
    return subset, equals


def _token(key_id: str, grant_id: str, secret: str) -> str:
    return base64.urlsafe_b64encode(f"{key_id}:{grant_id}:{secret}".encode()).decode().rstrip("=")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _refuse_service_principals(call: KmsCall) -> None:
    for name in ("GranteeServicePrincipal", "RetiringServicePrincipal"):
        if call.params.has(name):
            raise UnsupportedOperationException(f"{name} is not supported by this server.")


async def create_grant(call: KmsCall) -> dict[str, Any]:
    p = call.params
    _refuse_service_principals(call)
    grantee = _principal(call, "GranteePrincipal", required=True)
    assert grantee is not None
    retiring = _principal(call, "RetiringPrincipal", required=False)
    operations = p.string_list("Operations")
    if not operations:
        raise ValidationException("1 validation error detected: Value at 'operations' failed to "
                                  "satisfy constraint: Member must have length greater than or equal to 1")
    for op in operations:
        if op not in grants.OPERATIONS:
            known = op in grants.OTHER_KNOWN
            raise ValidationException(f"Grant operation {op} is not "
                                      f"{'valid for a symmetric encryption KMS key' if known else 'known'}.")
    subset, equals = _constraints(call)
    if (subset is not None or equals is not None) and {"DescribeKey", "RetireGrant"} & set(operations):
        raise ValidationException("Grants with encryption context constraints cannot include the "
                                  "DescribeKey or RetireGrant operations.")
    name = p.string("Name", max_len=256) or ""
    if name and not _NAME.fullmatch(name):
        raise ValidationException(f"Grant name {name} is not valid.")
    extra = {"kms:granteeprincipal": (grantee,), "kms:grantoperations": tuple(operations),
             "kms:grantisforawsresource": ("false",)}
    if retiring is not None:
        extra["kms:retiringprincipal"] = (retiring,)
    key = await lookup.resolve(call, p.required("KeyId"), aliases=False)
    # A grant allowing CreateGrant lets its grantee pass on at most its own operations.
    await authorize_key(call, "kms:CreateGrant", key, extra=extra,
                        grant_filter=lambda g: set(operations) <= set(g.operations))
    states.admit(key, "CreateGrant")
    dry_run(call)
    grant_id = secrets.token_hex(32)
    secret = secrets.token_urlsafe(32)
    await call.meta.kms_put_grant(KmsGrant(
        key_id=key.key_id, grant_id=grant_id, name=name, grantee=grantee, retiring=retiring,
        operations=tuple(dict.fromkeys(operations)), context_subset=subset, context_equals=equals,
        issuing_account=call.account_id, created_at=call.now, token_hash=_digest(secret)))
    return {"GrantToken": _token(key.key_id, grant_id, secret), "GrantId": grant_id}


async def list_grants(call: KmsCall) -> dict[str, Any]:
    p = call.params
    _refuse_service_principals(call)
    limit = p.integer("Limit", 1, 100) or 50
    marker = p.string("Marker", max_len=1024) or ""
    if marker and not _GRANT_ID.fullmatch(marker):
        raise InvalidMarkerException()
    only_id, only_grantee = p.string("GrantId", max_len=128), p.string("GranteePrincipal", max_len=256)
    key = await authorized_key(call, p.required("KeyId"), "kms:ListGrants", aliases=False)
    found = [g for g in await call.meta.kms_list_grants(key.key_id, marker, _ALL)
             if (only_id is None or g.grant_id == only_id)
             and (only_grantee is None or g.grantee == only_grantee)][:limit + 1]
    items, paging = page(found, limit, lambda g: g.grant_id)
    return {"Grants": [grant_entry(g, key) for g in items], **paging}


async def _grant(key: KmsKey, grant_id: str, call: KmsCall) -> KmsGrant:
    if not _GRANT_ID.fullmatch(grant_id):
        raise InvalidGrantIdException()
    for grant in await call.meta.kms_list_grants(key.key_id, "", _ALL):
        if grant.grant_id == grant_id:
            return grant
    raise NotFoundException(f"Grant ID {grant_id} not found")


async def retire_grant(call: KmsCall) -> None:
    p = call.params
    token = p.string("GrantToken", max_len=8192)
    if token is not None:
        try:
            key_id, grant_id, secret = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)
                                                                ).decode().split(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise InvalidGrantTokenException() from None
        key = await lookup.load(call, key_id) if KEY_ID.fullmatch(key_id) else None
        if key is None:
            raise InvalidGrantTokenException()
        grant = await _grant(key, grant_id, call)
        if not hmac.compare_digest(grant.token_hash, _digest(secret)):
            raise InvalidGrantTokenException()
    else:
        key = await lookup.resolve(call, p.required("KeyId"), aliases=False)
        grant = await _grant(key, p.required("GrantId", max_len=128), call)
    arns = principal_identity(call.principal).arns
    issuer_root = call.principal.is_root and call.account_id == grant.issuing_account
    if not (grant.retiring in arns or issuer_root
            or (grant.grantee in arns and "RetireGrant" in grant.operations)):
        raise AccessDeniedException(f"User: {call.principal.arn} is not authorized to perform: "
                                    f"kms:RetireGrant on resource: {key.arn}")
    dry_run(call)
    await call.meta.kms_delete_grant(key.key_id, grant.grant_id)


async def revoke_grant(call: KmsCall) -> None:
    grant_id = call.params.required("GrantId", max_len=128)
    key = await authorized_key(call, call.params.required("KeyId"), "kms:RevokeGrant", aliases=False)
    grant = await _grant(key, grant_id, call)
    dry_run(call)
    await call.meta.kms_delete_grant(key.key_id, grant.grant_id)
