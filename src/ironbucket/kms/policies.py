"""Key policies: the defaults AWS writes, validation, and the compiled form the engine reads.

https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
"""

from __future__ import annotations

import json

from ironbucket.authz.engine import Labelled
from ironbucket.authz.policies import compiled
from ironbucket.kms.errors import MalformedPolicyDocumentException
from ironbucket.policy import PolicyError, PolicyKind

MAX_POLICY = 32768  # AWS's key policy size limit
_LABELLED: dict[tuple[str, str], Labelled] = {}


def default_key_policy(account_id: str) -> str:
    """The account's root principal may do everything: KMS's way of letting IAM policies decide."""
    return json.dumps({
        "Version": "2012-10-17", "Id": "key-default-1",
        "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                       "Action": "kms:*", "Resource": "*"}]}, indent=2)


def managed_key_policy(account_id: str, service: str, region: str) -> str:
    """An AWS managed key's policy: any principal of the account may use it through the service
    (who may use the service is the service's own authorization), and read its metadata."""
    return json.dumps({
        "Version": "2012-10-17", "Id": f"auto-{service}-2",
        "Statement": [
            {"Sid": f"Allow access through {service.upper()} for all principals in the account "
                    f"that are authorized to use {service.upper()}",
             "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:DescribeKey"],
             "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": account_id,
                                            "kms:ViaService": f"{service}.{region}.amazonaws.com"}}},
            {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
             "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
             "Action": ["kms:Describe*", "kms:Get*", "kms:List*"], "Resource": "*"}]}, indent=2)


def validate(text: str) -> None:
    if len(text.encode()) > MAX_POLICY:
        raise MalformedPolicyDocumentException("The key policy exceeds the maximum size of 32 KB.")
    try:
        compiled(text, PolicyKind.RESOURCE)
    except PolicyError as exc:
        raise MalformedPolicyDocumentException(str(exc)) from None


def labelled(key_arn: str, text: str) -> Labelled:
    found = _LABELLED.get((key_arn, text))
    if found is None:
        found = Labelled.of(f"key policy of {key_arn}", compiled(text, PolicyKind.RESOURCE),
                            key_policy=True)
        if len(_LABELLED) >= 4096:
            _LABELLED.clear()
        _LABELLED[(key_arn, text)] = found
    return found
