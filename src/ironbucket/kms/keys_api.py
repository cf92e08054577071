"""Key lifecycle: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, Schedule/CancelKeyDeletion,
Get/PutKeyPolicy, ListKeyPolicies.

Only symmetric encryption keys with material made here exist on this server: every other key
spec, key usage, origin, custom key store or multi-Region key is refused, never accepted
silently.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from ironbucket.authz.context import Keys
from ironbucket.authz.engine import principal_identity
from ironbucket.authz.policies import compiled
from ironbucket.kms import lookup, policies, states
from ironbucket.kms.access import authorize_account, authorized_key, condition_keys
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import (
    InvalidMarkerException,
    MalformedPolicyDocumentException,
    NotFoundException,
    UnsupportedOperationException,
    ValidationException,
)
from ironbucket.kms.identifiers import KEY_ID
from ironbucket.kms.render import key_metadata, page
from ironbucket.kms.tags_api import parse_tags
from ironbucket.policy import Decision, PolicyKind, PrincipalIdentity, RequestContext, evaluate

KEY_SPECS = frozenset({"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
                       "ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256",
                       "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
                       "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"})
KEY_USAGES = frozenset({"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT",
                        "ENCAPSULATE_DECAPSULATE"})
ORIGINS = frozenset({"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"})
MAX_DESCRIPTION = 8192


def _enum(value: str | None, allowed: frozenset[str], field: str) -> None:
    if value is not None and value not in allowed:
        raise ValidationException(f"1 validation error detected: Value '{value}' at '{field}' failed "
                                  f"to satisfy constraint: Member must satisfy enum value set: "
                                  f"[{', '.join(sorted(allowed))}]")


def _check_supported(call: KmsCall) -> None:
    p = call.params
    spec = p.string("KeySpec") or p.string("CustomerMasterKeySpec")
    usage, origin = p.string("KeyUsage"), p.string("Origin")
    _enum(spec, KEY_SPECS, "keySpec")
    _enum(usage, KEY_USAGES, "keyUsage")
    _enum(origin, ORIGINS, "origin")
    if spec not in (None, "SYMMETRIC_DEFAULT"):
        raise UnsupportedOperationException(f"KeySpec {spec} is not supported by this server: only "
                                            "SYMMETRIC_DEFAULT keys exist here.")
    if usage not in (None, "ENCRYPT_DECRYPT"):
        raise UnsupportedOperationException(f"KeyUsage {usage} is not supported by this server.")
    if origin not in (None, "AWS_KMS"):
        raise UnsupportedOperationException(f"Origin {origin} is not supported by this server: "
                                            "imported and external key material are not implemented.")
    if p.has("CustomKeyStoreId") or p.has("XksKeyId"):
        raise UnsupportedOperationException("Custom key stores are not supported by this server.")
    if p.boolean("MultiRegion"):
        raise UnsupportedOperationException("Multi-Region keys are not supported by this server.")


def lockout_check(call: KmsCall, text: str, key_arn: str) -> None:
    """AWS refuses a key policy that would not let the caller change it again, unless the
    caller bypasses the check. The policy alone decides here (a statement naming the account
    counts: IAM can then grant it)."""
    if call.params.boolean("BypassPolicyLockoutSafetyCheck"):
        return
    identity: PrincipalIdentity = principal_identity(call.principal)
    request = RequestContext(action="kms:putkeypolicy", resource=key_arn, principal=identity,
                             keys=condition_keys(call, None))
    if evaluate(compiled(text, PolicyKind.RESOURCE), request).decision is not Decision.ALLOW:
        raise MalformedPolicyDocumentException(
            "The new key policy will not allow you to update the key policy in the future.")


async def create_key(call: KmsCall) -> dict[str, Any]:
    p = call.params
    _check_supported(call)
    description = p.string("Description", max_len=MAX_DESCRIPTION, min_len=0) or ""
    policy = p.string("Policy", max_len=policies.MAX_POLICY)
    tags = parse_tags(p.structs("Tags"))
    extra: Keys = {f"aws:requesttag/{k.lower()}": (v,) for k, v in tags.items()}
    if tags:
        extra["aws:tagkeys"] = tuple(tags)
    await authorize_account(call, "kms:CreateKey", extra=extra)
    key_id = str(uuid.uuid4())
    if policy is not None:
        policies.validate(policy)
        lockout_check(call, policy, f"arn:aws:kms:{call.region}:{call.account_id}:key/{key_id}")
    key = await lookup.create(call.meta, call.keyring, account_id=call.account_id, region=call.region,
                              now=call.now, policy=policy, description=description, tags=tags,
                              key_id=key_id)
    return {"KeyMetadata": key_metadata(key)}


async def describe_key(call: KmsCall) -> dict[str, Any]:
    key = await authorized_key(call, call.params.required("KeyId"), "kms:DescribeKey")
    return {"KeyMetadata": key_metadata(key)}


async def list_keys(call: KmsCall) -> dict[str, Any]:
    p = call.params
    limit = p.integer("Limit", 1, 1000) or 100
    marker = p.string("Marker", max_len=1024) or ""
    if marker and not KEY_ID.fullmatch(marker):
        raise InvalidMarkerException()
    if set(p.string_list("ResourceOwners")) - {"SELF"}:
        raise UnsupportedOperationException("Keys shared through AWS RAM do not exist on this server.")
    await authorize_account(call, "kms:ListKeys")
    found = []
    for key in await call.meta.kms_list_keys(call.account_id, marker, limit + 1):
        if await lookup.load(call, key.key_id) is not None:  # completes passed deletions
            found.append(key)
    items, paging = page(found, limit, lambda k: k.key_id)
    return {"Keys": [{"KeyId": k.key_id, "KeyArn": k.arn} for k in items], **paging}


async def _managed(call: KmsCall, action: str, *, operation: str | None = None) -> Any:
    """The key named by KeyId (id or ARN only), authorized and admitted by its state."""
    key = await authorized_key(call, call.params.required("KeyId"), action, aliases=False)
    states.admit(key, operation or call.action)
    return key


async def enable_key(call: KmsCall) -> None:
    key = await _managed(call, "kms:EnableKey")
    await call.meta.kms_put_key(states.enable(key))


async def disable_key(call: KmsCall) -> None:
    key = await _managed(call, "kms:DisableKey")
    await call.meta.kms_put_key(states.disable(key))


async def schedule_key_deletion(call: KmsCall) -> dict[str, Any]:
    days = call.params.integer("PendingWindowInDays", 7, 30) or 30
    key = await authorized_key(call, call.params.required("KeyId"), "kms:ScheduleKeyDeletion",
                               aliases=False)
    updated = states.schedule_deletion(key, call.kms_now, days)
    await call.meta.kms_put_key(updated)
    return {"KeyId": key.arn, "DeletionDate": updated.deletion_at, "KeyState": updated.state,
            "PendingWindowInDays": days}


async def cancel_key_deletion(call: KmsCall) -> dict[str, Any]:
    key = await authorized_key(call, call.params.required("KeyId"), "kms:CancelKeyDeletion",
                               aliases=False)
    await call.meta.kms_put_key(states.cancel_deletion(key))
    return {"KeyId": key.arn}


async def update_key_description(call: KmsCall) -> None:
    description = call.params.string("Description", required=True, max_len=MAX_DESCRIPTION, min_len=0)
    key = await _managed(call, "kms:UpdateKeyDescription")
    await call.meta.kms_put_key(dataclasses.replace(key, description=description or ""))


def _policy_name(call: KmsCall, *, required: bool) -> None:
    name = call.params.string("PolicyName", required=required, max_len=128)
    if name is not None and name != "default":
        raise NotFoundException("No such policy exists")


async def get_key_policy(call: KmsCall) -> dict[str, Any]:
    _policy_name(call, required=False)
    key = await _managed(call, "kms:GetKeyPolicy")
    return {"Policy": key.policy, "PolicyName": "default"}


async def put_key_policy(call: KmsCall) -> None:
    _policy_name(call, required=False)
    text = call.params.required("Policy", max_len=policies.MAX_POLICY)
    key = await _managed(call, "kms:PutKeyPolicy")
    policies.validate(text)
    lockout_check(call, text, key.arn)
    await call.meta.kms_put_key(dataclasses.replace(key, policy=text))


async def list_key_policies(call: KmsCall) -> dict[str, Any]:
    await _managed(call, "kms:ListKeyPolicies", operation="DescribeKey")
    return {"PolicyNames": ["default"], "Truncated": False}

