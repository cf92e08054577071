"""Policy documents at write time: shape, size quota, and the policy library's verdict.

Sizes count characters other than whitespace, as IAM's quotas do
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a managed policy
6,144; a role trust policy 2,048; the inline policies of a user 2,048, a group 5,120, a role 10,240
(those three are totals over the entity's inline policies, so the store enforces them).
IAM returns documents URL-encoded (RFC 3986); SDKs decode them.
"""

from __future__ import annotations

from urllib.parse import quote

from ironbucket.iam.errors import LimitExceeded, MalformedPolicyDocument
from ironbucket.iam.params import DOCUMENT, Params
from ironbucket.policy import PolicyError, PolicyKind, parse_policy

MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_POLICY_SIZE = {"user": 2048, "group": 5120, "role": 10240}
_WHITESPACE = frozenset(" \t\n\r")


def policy_size(text: str) -> int:
    return sum(1 for char in text if char not in _WHITESPACE)


def validate(text: str, *, trust: bool = False) -> None:
    """Raise MalformedPolicyDocument with the policy library's message if the document is refused."""
    try:
        parse_policy(text, PolicyKind.TRUST if trust else PolicyKind.IDENTITY)
    except PolicyError as exc:
        raise MalformedPolicyDocument(str(exc)) from None


def read_document(params: Params, name: str = "PolicyDocument", *, trust: bool = False,
                  quota: int | None = None, quota_name: str = "PolicySize") -> tuple[str, int]:
    """The named document parameter, validated; returns it with its quota size."""
    text = params.required(name, DOCUMENT)
    size = policy_size(text)
    if quota is not None and size > quota:
        raise LimitExceeded(f"Cannot exceed quota for {quota_name}: {quota}")
    validate(text, trust=trust)
    return text, size


def encoded(text: str) -> str:
    """A document as IAM answers it: URL-encoded."""
    return quote(text, safe="")
