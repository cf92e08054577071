"""Policy variables: every form, defaults, escapes, versions, unresolved keys."""

from __future__ import annotations

import pytest

from ironbucket.policy import Decision, PolicyError
from ironbucket.policy.glob import Wild
from ironbucket.policy.variables import Var, tokenize
from tests.unit.policy.helpers import condition_holds, decide, policy, stmt

BUCKET = "arn:aws:s3:::bucket"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("plain", ["plain"]),
        ("${aws:username}", [Var("aws:username", None)]),
        ("a/${AWS:UserName}/b", ["a/", Var("aws:username", None), "/b"]),
        ("${aws:PrincipalTag/Team}", [Var("aws:principaltag/team", None)]),
        ("${aws:username, 'anon'}", [Var("aws:username", "anon")]),
        ("${ aws:username ,  'anon' }", [Var("aws:username", "anon")]),
        ("${k, 'it''s'}", [Var("k", "it's")]),
        ("${k, 'a}b'}", [Var("k", "a}b")]),
        ("${k, ''}", [Var("k", "")]),
        ("${*}${?}${$}", ["*?$"]),
        ("x${*}y", ["x*y"]),
        ("*", [Wild.STAR]),
        ("${", ["${"]),
        ("${}", ["${}"]),
        ("${k", ["${k"]),
        ("${k, anon}", ["${k, anon}"]),
        ("${k, 'anon'", ["${k, 'anon'"]),
        ("$x{y}", ["$x{y}"]),
    ],
)
def test_tokenize(text: str, tokens: list[object]) -> None:
    assert tokenize(text, wildcards=True, variables=True) == tokens


def test_tokenize_without_variables_keeps_text() -> None:
    assert tokenize("${aws:username}*", wildcards=True, variables=False) == ["${aws:username}", Wild.STAR]


RESOURCE_CASES = [
    # (resource pattern, keys, request resource, allowed?)
    (f"{BUCKET}/home/${{aws:username}}/*", {"aws:username": "alice"}, f"{BUCKET}/home/alice/f", True),
    (f"{BUCKET}/home/${{aws:username}}/*", {"aws:username": "alice"}, f"{BUCKET}/home/bob/f", False),
    (f"{BUCKET}/home/${{aws:username}}/*", {}, f"{BUCKET}/home//f", False),
    (f"{BUCKET}/home/${{aws:username}}/*", {}, f"{BUCKET}/home/${{aws:username}}/f", False),
    (f"{BUCKET}/${{aws:userid}}/*", {"aws:userid": "AIDAEXAMPLE"}, f"{BUCKET}/AIDAEXAMPLE/x", True),
    (f"{BUCKET}/${{aws:PrincipalTag/team}}/*", {"aws:principaltag/team": "red"}, f"{BUCKET}/red/x", True),
    (f"{BUCKET}/${{s3:prefix}}", {"s3:prefix": "p"}, f"{BUCKET}/p", True),
    (f"{BUCKET}/${{aws:username, 'anonymous'}}/*", {}, f"{BUCKET}/anonymous/x", True),
    (f"{BUCKET}/${{aws:username, 'anonymous'}}/*", {"aws:username": "al"}, f"{BUCKET}/al/x", True),
    (f"{BUCKET}/${{aws:username, 'anonymous'}}/*", {"aws:username": "al"}, f"{BUCKET}/anonymous/x", False),
    # multivalued keys cannot be variables
    (f"{BUCKET}/${{aws:username}}", {"aws:username": ["a", "b"]}, f"{BUCKET}/a", False),
    # escapes are literal characters
    (f"{BUCKET}/a${{*}}b", {}, f"{BUCKET}/a*b", True),
    (f"{BUCKET}/a${{*}}b", {}, f"{BUCKET}/axb", False),
    (f"{BUCKET}/a${{?}}b", {}, f"{BUCKET}/a?b", True),
    (f"{BUCKET}/a${{?}}b", {}, f"{BUCKET}/axb", False),
    (f"{BUCKET}/a${{$}}b", {}, f"{BUCKET}/a$b", True),
    # a substituted value is literal text, never a wildcard
    (f"{BUCKET}/${{aws:username}}", {"aws:username": "*"}, f"{BUCKET}/anything", False),
    (f"{BUCKET}/${{aws:username}}", {"aws:username": "*"}, f"{BUCKET}/*", True),
    # variables are only substituted after the fifth colon
    ("arn:aws:s3:::${aws:username}", {"aws:username": "b"}, "arn:aws:s3:::b", True),
]


@pytest.mark.parametrize(("pattern", "keys", "resource", "allowed"), RESOURCE_CASES)
def test_variables_in_resource(pattern: str, keys: dict[str, object], resource: str, allowed: bool) -> None:
    compiled = policy(stmt(resource=pattern))
    expected = Decision.ALLOW if allowed else Decision.NOT_APPLICABLE
    assert decide(compiled, resource=resource, keys=keys) is expected


def test_variable_before_fifth_colon_is_literal() -> None:
    compiled = policy(stmt(resource="arn:aws:s3:${aws:region}::b"))
    assert decide(compiled, resource="arn:aws:s3:us::b", keys={"aws:region": "us"}) is Decision.NOT_APPLICABLE
    assert decide(compiled, resource="arn:aws:s3:${aws:region}::b") is Decision.ALLOW


@pytest.mark.parametrize("version", [None, "2008-10-17"])
def test_old_version_treats_variables_as_literal_text(version: str | None) -> None:
    compiled = policy(stmt(resource=f"{BUCKET}/${{aws:username}}"), version=version)
    assert compiled.version == "2008-10-17"
    assert (
        decide(compiled, resource=f"{BUCKET}/alice", keys={"aws:username": "alice"})
        is Decision.NOT_APPLICABLE
    )
    assert decide(compiled, resource=f"{BUCKET}/${{aws:username}}") is Decision.ALLOW
    cond = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    assert not condition_holds(cond, {"s3:prefix": "alice", "aws:username": "alice"}, version=version)
    assert condition_holds(cond, {"s3:prefix": "${aws:username}"}, version=version)


CONDITION_CASES = [
    (
        {"StringEquals": {"s3:prefix": "home/${aws:username}/"}},
        {"s3:prefix": "home/al/", "aws:username": "al"},
        True,
    ),
    ({"StringEquals": {"s3:prefix": "home/${aws:username}/"}}, {"s3:prefix": "home/al/"}, False),
    ({"StringNotEquals": {"s3:prefix": "${aws:username}"}}, {"s3:prefix": "x"}, True),
    (
        {"StringEqualsIgnoreCase": {"s3:prefix": "${aws:username}"}},
        {"s3:prefix": "AL", "aws:username": "al"},
        True,
    ),
    (
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        {"s3:prefix": "home/al/x/y", "aws:username": "al"},
        True,
    ),
    (
        {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
        {"s3:prefix": "home/bo/x", "aws:username": "al"},
        False,
    ),
    ({"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "a*"}, True),
    ({"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "ab"}, False),
    ({"StringLike": {"s3:prefix": "${k, 'd*'}"}}, {"s3:prefix": "d*"}, True),
    ({"StringLike": {"s3:prefix": "${k, 'd*'}"}}, {"s3:prefix": "dx"}, False),
    ({"StringEquals": {"s3:prefix": "${k, 'it''s'}"}}, {"s3:prefix": "it's"}, True),
    (
        {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:${aws:SourceAccount}:*"}},
        {"aws:sourcearn": "arn:aws:sns:us-east-1:123456789012:t", "aws:sourceaccount": "123456789012"},
        True,
    ),
    (
        {"ArnEquals": {"aws:PrincipalArn": "${aws:SourceArn}"}},
        {"aws:principalarn": "arn:aws:iam::1:role/r", "aws:sourcearn": "arn:aws:iam::1:role/r"},
        True,
    ),
    ({"Bool": {"aws:SecureTransport": "${k}"}}, {"aws:securetransport": "true", "k": "TRUE"}, True),
    ({"Bool": {"aws:SecureTransport": "${k}"}}, {"aws:securetransport": "true", "k": "false"}, False),
    ({"Bool": {"aws:SecureTransport": "${k}"}}, {"aws:securetransport": "true"}, False),
]


@pytest.mark.parametrize(("condition", "keys", "holds"), CONDITION_CASES)
def test_variables_in_conditions(condition: dict[str, object], keys: dict[str, str], holds: bool) -> None:
    assert condition_holds(condition, keys) is holds


@pytest.mark.parametrize(
    "condition",
    [
        {"NumericEquals": {"s3:max-keys": "${k}"}},
        {"DateLessThan": {"aws:CurrentTime": "${k}"}},
        {"IpAddress": {"aws:SourceIp": "${k}"}},
        {"BinaryEquals": {"k": "${k}"}},
        {"Null": {"k": "${k}"}},
    ],
)
def test_operators_without_variable_support_reject_them(condition: dict[str, object]) -> None:
    with pytest.raises(PolicyError):
        policy(stmt(condition=condition))
