"""Properties of evaluation (hypothesis): monotonicity of Deny and Allow, determinism."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.policy import Decision, PolicyKind, PrincipalIdentity, RequestContext, evaluate, parse_policy
from tests.unit.policy.helpers import ALICE, ANONYMOUS, keys_of

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:Get*", "s3:*", "*", "s3:List*", "iam:GetUser"]
RESOURCES = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/${aws:username}/*",
    "arn:aws:s3:::b/p?/*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::other",
]
PRINCIPALS: list[Any] = [
    "*",
    {"AWS": "111122223333"},
    {"AWS": "arn:aws:iam::111122223333:user/alice"},
    {"AWS": "444455556666"},
    {"Service": "cloudtrail.amazonaws.com"},
]
CONDITIONS: list[Any] = [
    None,
    {"Bool": {"aws:SecureTransport": "false"}},
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotLike": {"s3:prefix": "p*"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}},
    {"ForAnyValue:StringLike": {"aws:TagKeys": "x*"}},
    {"NumericLessThanIfExists": {"s3:max-keys": "10"}},
    {"Null": {"aws:TokenIssueTime": "true"}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    out["NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"] = draw(
        st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3)
    )
    out["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = draw(
        st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2)
    )
    out["NotPrincipal" if draw(st.integers(0, 5)) == 0 else "Principal"] = draw(st.sampled_from(PRINCIPALS))
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        out["Condition"] = condition
    return out


@st.composite
def requests(draw: st.DrawFn) -> RequestContext:
    keys: dict[str, Any] = {}
    for key, values in (
        ("aws:SecureTransport", ["true", "false"]),
        ("aws:username", ["alice", "bob"]),
        ("s3:prefix", ["p1", "q"]),
        ("aws:SourceIp", ["10.1.2.3", "192.0.2.1"]),
        ("s3:max-keys", ["5", "50"]),
        ("aws:TokenIssueTime", ["2024-01-01T00:00:00Z"]),
    ):
        if draw(st.booleans()):
            keys[key] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        keys["aws:TagKeys"] = draw(st.lists(st.sampled_from(["a", "b", "x1", "c"]), max_size=3))
    principal = draw(
        st.sampled_from(
            [
                ALICE,
                ANONYMOUS,
                PrincipalIdentity(service="cloudtrail.amazonaws.com"),
                PrincipalIdentity(frozenset({"arn:aws:iam::444455556666:user/bob"}), "444455556666"),
            ]
        )
    )
    return RequestContext(
        draw(
            st.sampled_from(["s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:GetUser", "kms:Decrypt"])
        ),
        draw(st.sampled_from(["arn:aws:s3:::b/alice/k", "arn:aws:s3:::b/p1/k", "arn:aws:s3:::other", "*"])),
        principal,
        keys_of(keys),
    )


def compile_(statement_list: list[dict[str, Any]]) -> Any:
    return parse_policy(
        json.dumps({"Version": "2012-10-17", "Statement": statement_list}), PolicyKind.RESOURCE
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), statements(effect="Deny"), requests())
def test_adding_a_deny_never_grants(
    existing: list[dict[str, Any]], deny: dict[str, Any], request: RequestContext
) -> None:
    before = evaluate(compile_(existing), request).decision
    after = evaluate(compile_([*existing, deny]), request).decision
    if before is not Decision.ALLOW:
        assert after is not Decision.ALLOW
    if before is Decision.DENY:
        assert after is Decision.DENY


@settings(max_examples=300, deadline=None)
@given(st.lists(statements(), min_size=2, max_size=6), st.data(), requests())
def test_removing_an_allow_never_widens(
    existing: list[dict[str, Any]], data: st.DataObject, request: RequestContext
) -> None:
    allows = [index for index, statement in enumerate(existing) if statement["Effect"] == "Allow"]
    if not allows:
        return
    drop = data.draw(st.sampled_from(allows))
    reduced = existing[:drop] + existing[drop + 1 :]
    before = evaluate(compile_(existing), request).decision
    after = evaluate(compile_(reduced), request).decision
    if after is Decision.ALLOW:
        assert before is Decision.ALLOW
    if before is Decision.DENY:
        assert after is Decision.DENY


@settings(max_examples=200, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=6), requests())
def test_evaluation_is_deterministic(existing: list[dict[str, Any]], request: RequestContext) -> None:
    compiled = compile_(existing)
    first = evaluate(compiled, request)
    assert evaluate(compiled, request) == first
    assert evaluate(compile_(existing), request) == first
    again = RequestContext(request.action.upper(), request.resource, request.principal, dict(request.keys))
    assert evaluate(compiled, again).decision is first.decision
