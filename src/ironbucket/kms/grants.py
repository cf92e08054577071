"""Grants (pure): does a grant let this caller do this operation with this encryption context?

A grant allows its grantee principal the grant's operations. Its constraints apply to the
cryptographic operations: EncryptionContextEquals needs exactly that context,
EncryptionContextSubset needs at least those pairs.
https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ironbucket.storage.kms_records import KmsGrant

OPERATIONS = frozenset({"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                        "ReEncryptFrom", "ReEncryptTo", "CreateGrant", "RetireGrant", "DescribeKey"})
WITH_CONTEXT = frozenset({"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                          "ReEncryptFrom", "ReEncryptTo"})
# Operations KMS knows for grants but that symmetric keys do not support here.
OTHER_KNOWN = frozenset({"Sign", "Verify", "GetPublicKey", "GenerateDataKeyPair",
                         "GenerateDataKeyPairWithoutPlaintext", "GenerateMac", "VerifyMac",
                         "DeriveSharedSecret", "Encapsulate", "Decapsulate"})


def context_fits(grant: KmsGrant, context: Mapping[str, str]) -> bool:
    if grant.context_equals is not None and dict(context) != dict(grant.context_equals):
        return False
    subset = grant.context_subset
    return subset is None or all(context.get(k) == v for k, v in subset.items())


def allows(grant: KmsGrant, principal_arns: Collection[str], operation: str,
           context: Mapping[str, str] | None) -> bool:
    if grant.grantee not in principal_arns or operation not in grant.operations:
        return False
    if operation in WITH_CONTEXT:
        return context_fits(grant, context or {})
    return True
