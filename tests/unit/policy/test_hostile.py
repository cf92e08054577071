"""Hostile input: rejected or evaluated in bounded time and memory, never anything but PolicyError."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ironbucket.policy import PolicyError, PolicyKind, evaluate, parse_policy
from tests.unit.policy.helpers import ALICE, ANONYMOUS, ctx

LIMIT_S = 2.0


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def rejects(document: str | bytes, kind: PolicyKind = PolicyKind.IDENTITY, **kwargs: Any) -> None:
    def attempt() -> None:
        with pytest.raises(PolicyError):
            parse_policy(document, kind, **kwargs)

    assert timed(attempt) < LIMIT_S


def test_20kb_document_parses_and_evaluates_quickly() -> None:
    statements = [
        {
            "Sid": f"S{n}",
            "Effect": "Allow" if n % 3 else "Deny",
            "Principal": {"AWS": f"arn:aws:iam::111122223333:user/u{n}"},
            "Action": ["s3:Get*", "s3:PutObject", "s3:List*"],
            "Resource": f"arn:aws:s3:::bucket/p{n}/*",
            "Condition": {
                "StringLike": {"s3:prefix": [f"p{n}/*"]},
                "IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
            },
        }
        for n in range(72)
    ]
    text = json.dumps({"Version": "2012-10-17", "Statement": statements})
    assert 20_000 <= len(text) <= 40_000
    compiled = parse_policy(text, PolicyKind.RESOURCE, max_size=len(text))
    request = ctx(
        resource="arn:aws:s3:::bucket/p71/x", keys={"s3:prefix": "p71/x", "aws:sourceip": "10.1.1.1"}
    )
    assert timed(lambda: [evaluate(compiled, request) for _ in range(1000)]) < LIMIT_S


def test_10000_statements() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    rejects(json.dumps({"Version": "2012-10-17", "Statement": [statement] * 10_000}))


@pytest.mark.parametrize(
    "document",
    [
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"Statement":' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"Statement": {"Effect": "Allow", "Condition": {"StringEquals": {"k": ' + "[" * 100_000,
        "{" * 100_000,
        '{"x": "' + "[" * 100_000 + '"}',  # brackets inside a string are not nesting
    ],
)
def test_deep_nesting(document: str) -> None:
    rejects(document)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"Statement": "\xff"}',
        b'{"Statement": "\xc0\xaf"}',  # overlong encoding
        b'{"Statement": "\xed\xa0\x80"}',  # encoded surrogate
        b'{"Statement": "\xe2\x82"}',  # truncated sequence
        b"\xfe\xff{}",
    ],
)
def test_invalid_utf8(raw: bytes) -> None:
    rejects(raw)


def test_oversized_documents() -> None:
    rejects("{" + " " * 2_000_000 + "}")
    rejects(b"{" + b" " * 20_000_000 + b"}")
    rejects('{"Statement": []}' + " " * 100, max_size=50)


STAR_A = "a*" * 200


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{STAR_A}b"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::*{STAR_A}b*"},
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringLike": {"s3:prefix": [STAR_A + "b", "?" * 300 + "*b"]}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{STAR_A}b"}},
        },
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringNotLike": {"s3:prefix": "${aws:username}" + STAR_A + "b"}},
        },
    ],
)
def test_wildcard_bombs_against_long_strings(statement: dict[str, Any]) -> None:
    compiled = parse_policy(
        json.dumps({"Version": "2012-10-17", "Statement": statement}), PolicyKind.IDENTITY
    )
    long_value = "a" * 200_000
    request = ctx(
        resource=f"arn:aws:s3:::{long_value}",
        keys={"s3:prefix": long_value, "aws:sourcearn": f"arn:aws:s3:::{long_value}", "aws:username": "a"},
    )
    assert timed(lambda: [evaluate(compiled, request) for _ in range(5)]) < LIMIT_S


def test_wildcard_bomb_in_action_is_bounded() -> None:
    rejects(
        json.dumps({"Statement": {"Effect": "Allow", "Action": "s3:" + "*a" * 100 + "z", "Resource": "*"}})
    )
    many = ["s3:*" + "?" * (n % 20) + "t*" for n in range(2000)]
    started = time.perf_counter()
    parse_policy(
        json.dumps({"Statement": {"Effect": "Allow", "Action": many, "Resource": "*"}}), PolicyKind.IDENTITY
    )
    assert time.perf_counter() - started < LIMIT_S


VOCABULARY = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "AWS",
    "Service",
    "Federated",
    "CanonicalUser",
    "StringEquals",
    "ForAnyValue:StringLike",
    "ForAllValues:NumericLessThanIfExists",
    "DateGreaterThan",
    "IpAddress",
    "NotIpAddress",
    "Bool",
    "Null",
    "BinaryEquals",
    "ArnLike",
    "aws:SourceIp",
    "s3:prefix",
]
VALUES = [
    "2012-10-17",
    "2008-10-17",
    "Allow",
    "Deny",
    "*",
    "s3:GetObject",
    "s3:*",
    "arn:aws:s3:::b/*",
    "111122223333",
    "arn:aws:iam::111122223333:user/alice",
    "10.0.0.0/8",
    "true",
    "${aws:username}",
    "2024-01-01T00:00:00Z",
    "QUJD",
    "a*b?c",
    "",
    "arn:",
    "${",
    "${x, 'y'}",
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(VALUES)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(VOCABULARY) | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, st.sampled_from(list(PolicyKind)))
def test_fuzzed_structures_only_raise_policy_error(value: object, kind: PolicyKind) -> None:
    for document in (json.dumps(value), json.dumps({"Version": "2012-10-17", "Statement": value})):
        try:
            compiled = parse_policy(document, kind)
        except PolicyError:
            continue
        for principal in (ALICE, ANONYMOUS):
            evaluate(compiled, ctx(principal=principal, keys={"aws:username": "alice", "s3:prefix": "a"}))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzzed_bytes_only_raise_policy_error(raw: bytes) -> None:
    with contextlib.suppress(PolicyError):
        parse_policy(b"{" + raw, PolicyKind.RESOURCE)
