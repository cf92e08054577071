"""Shared builders for the policy tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ironbucket.policy import (
    Decision,
    Evaluation,
    Policy,
    PolicyKind,
    PrincipalIdentity,
    RequestContext,
    evaluate,
    parse_policy,
)

ACCOUNT = "111122223333"
ALICE_ARN = f"arn:aws:iam::{ACCOUNT}:user/alice"
ALICE = PrincipalIdentity(frozenset({ALICE_ARN}), ACCOUNT)
ANONYMOUS = PrincipalIdentity(anonymous=True)

KeyValues = Mapping[str, str | tuple[str, ...] | list[str]]


def stmt(
    effect: str = "Allow",
    action: object = "s3:GetObject",
    resource: object = "*",
    condition: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A statement dict; ``extra`` adds fields such as Principal, NotAction or Sid."""
    out: dict[str, Any] = {"Effect": effect}
    if "NotAction" not in extra:
        out["Action"] = action
    if "NotResource" not in extra and resource is not None:
        out["Resource"] = resource
    if condition is not None:
        out["Condition"] = condition
    out.update(extra)
    return out


def document(*statements: dict[str, Any], version: str | None = "2012-10-17") -> str:
    body: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        body["Version"] = version
    return json.dumps(body)


def policy(
    *statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY, version: str | None = "2012-10-17"
) -> Policy:
    return parse_policy(document(*statements, version=version), kind)


def keys_of(values: KeyValues | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in (values or {}).items():
        out[key.lower()] = (value,) if isinstance(value, str) else tuple(value)
    return out


def ctx(
    action: str = "s3:GetObject",
    resource: str = "arn:aws:s3:::bucket/key",
    keys: KeyValues | None = None,
    principal: PrincipalIdentity = ALICE,
) -> RequestContext:
    return RequestContext(action, resource, principal, keys_of(keys))


def run(compiled: Policy, **kwargs: Any) -> Evaluation:
    return evaluate(compiled, ctx(**kwargs))


def decide(compiled: Policy, **kwargs: Any) -> Decision:
    return run(compiled, **kwargs).decision


def condition_holds(
    condition: dict[str, Any], keys: KeyValues | None, *, version: str | None = "2012-10-17"
) -> bool:
    """Whether an identity-policy Allow with this Condition element applies to the request."""
    compiled = policy(stmt(condition=condition), version=version)
    return decide(compiled, keys=keys) is Decision.ALLOW
