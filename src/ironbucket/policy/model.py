"""Public value types of the policy library: kinds, requests, identities, decisions, traces."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass


class PolicyKind(enum.Enum):
    IDENTITY = "identity"  # user/group/role inline + managed policies, boundaries, session policies
    RESOURCE = "resource"  # bucket policies, access point policies, KMS key policies
    TRUST = "trust"  # role trust policies (AssumeRolePolicyDocument)
    ENDPOINT = "endpoint"  # VPC-endpoint policies (Principal required, usually "*")


class Decision(enum.Enum):
    ALLOW = "Allow"
    DENY = "Deny"
    NOT_APPLICABLE = "NotApplicable"


class PrincipalMatch(enum.Enum):
    """How an Allow statement's Principal matched (resource/trust/endpoint policies)."""

    NONE = "none"  # identity policies (no Principal element), or no Allow
    SPECIFIC = "specific"  # named this caller's own ARN, service, federated provider or canonical id
    ACCOUNT = "account"  # named only the caller's account ("111..." / "arn:aws:iam::111:root")
    ANYONE = "anyone"  # "*", {"AWS": "*"}, or an Allow with NotPrincipal


@dataclass(frozen=True, slots=True)
class PrincipalIdentity:
    """Every identifier a Principal element may use to name the caller."""

    arns: frozenset[str] = frozenset()
    account: str | None = None
    canonical_id: str | None = None
    service: str | None = None
    federated: str | None = None
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class RequestContext:
    """One authorization question.

    ``keys`` maps lower-cased condition key names to their values; a key absent from the
    mapping (or mapped to an empty tuple) is "not present" for Null, ...IfExists and the
    set qualifiers.
    """

    action: str
    resource: str
    principal: PrincipalIdentity
    keys: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class StatementResult:
    index: int
    sid: str | None
    effect: str
    matched: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    decision: Decision
    principal_match: PrincipalMatch
    trace: tuple[StatementResult, ...]
