"""Public value types of the policy library: kinds, requests, identities, decisions, traces."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
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


class Evaluation:
    """The outcome of one policy for one request, with the per-statement trace.

    A policy that does not apply explains every statement that failed; callers rarely read
    that, so it may be handed over as a function and is only built on first access.
    """

    __slots__ = ("_explain", "_trace", "decision", "principal_match")

    def __init__(self, decision: Decision, principal_match: PrincipalMatch,
                 trace: tuple[StatementResult, ...] = (),
                 explain: Callable[[], tuple[StatementResult, ...]] | None = None) -> None:
        self.decision = decision
        self.principal_match = principal_match
        self._trace: tuple[StatementResult, ...] | None = None if explain is not None else trace
        self._explain = explain

    @property
    def trace(self) -> tuple[StatementResult, ...]:
        if self._trace is None:
            assert self._explain is not None
            self._trace, self._explain = self._explain(), None
        return self._trace

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evaluation):
            return NotImplemented
        return (self.decision, self.principal_match, self.trace) == (
            other.decision, other.principal_match, other.trace)

    def __hash__(self) -> int:
        return hash((self.decision, self.principal_match, self.trace))

    def __repr__(self) -> str:
        return f"Evaluation({self.decision!r}, {self.principal_match!r}, {self.trace!r})"
