"""IronBucket's IAM policy language: parse, validate, compile and evaluate policy documents.

Pure and standard-library only: no I/O and no clock (the time comes in the request context
as ``aws:currenttime`` / ``aws:epochtime``). See docs/policy-contract.md for the contract.
"""

from __future__ import annotations

from ironbucket.policy.document import Policy, parse_policy
from ironbucket.policy.errors import PolicyError
from ironbucket.policy.evaluate import evaluate
from ironbucket.policy.model import (
    Decision,
    Evaluation,
    PolicyKind,
    PrincipalIdentity,
    PrincipalMatch,
    RequestContext,
    StatementResult,
)
from ironbucket.policy.publicness import is_public

__all__ = [
    "Decision",
    "Evaluation",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PrincipalIdentity",
    "PrincipalMatch",
    "RequestContext",
    "StatementResult",
    "evaluate",
    "is_public",
    "parse_policy",
]
