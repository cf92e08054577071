"""Documents that must be rejected, and the message that names the problem."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ironbucket.policy import PolicyError, PolicyKind, parse_policy
from ironbucket.policy.validation import MAX_STATEMENTS

GOOD = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
GOOD_RESOURCE = {**GOOD, "Principal": "*"}


def doc(*statements: dict[str, Any], **top: Any) -> str:
    return json.dumps({"Version": "2012-10-17", **top, "Statement": list(statements)})


def without(statement: dict[str, Any], field: str) -> dict[str, Any]:
    return {key: value for key, value in statement.items() if key != field}


IAM, R, T, E = PolicyKind.IDENTITY, PolicyKind.RESOURCE, PolicyKind.TRUST, PolicyKind.ENDPOINT
TRUST_GOOD = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}

BAD: list[tuple[str, str | bytes, PolicyKind, str]] = [
    ("empty", "", IAM, "first byte must be '{'"),
    ("array", "[]", IAM, "first byte must be '{'"),
    ("leading space (S3)", " " + doc(GOOD_RESOURCE), R, "first byte must be '{'"),
    ("not json", "{nope}", IAM, "Syntax errors in policy"),
    ("not json (S3)", "{nope}", R, "This policy contains invalid Json"),
    ("truncated", doc(GOOD)[:-3], IAM, "Syntax errors in policy"),
    ("NaN", '{"Version": NaN, "Statement": []}', IAM, "NaN is not valid JSON"),
    ("duplicate key", '{"Statement": {"Effect": "Allow", "Effect": "Deny"}}', IAM, "duplicate field Effect"),
    ("unknown top field", doc(GOOD, Foo=1), IAM, "Unknown field Foo"),
    ("lower-case top field", json.dumps({"statement": [GOOD]}), IAM, "Unknown field statement"),
    ("missing Statement", json.dumps({"Version": "2012-10-17"}), IAM, "Missing required field Statement"),
    ("empty Statement", doc(), IAM, "Could not parse the policy: Statement is empty!"),
    ("Statement string", json.dumps({"Statement": "x"}), IAM, "Statement is not valid"),
    ("Statement list of strings", json.dumps({"Statement": ["x"]}), IAM, "Statement is not valid"),
    ("bad Version", doc(GOOD, Version="2012-10-18"), IAM, "invalid Version 2012-10-18"),
    ("numeric Version", '{"Version": 2012, "Statement": []}', IAM, "invalid Version 2012"),
    ("Id not a string", doc(GOOD, Id=["x"]), IAM, "Id must be a string"),
    ("missing Effect", doc(without(GOOD, "Effect")), IAM, "Missing required field Effect"),
    ("bad Effect", doc({**GOOD, "Effect": "allow"}), IAM, "Invalid effect: allow"),
    ("Effect list", doc({**GOOD, "Effect": ["Allow"]}), IAM, "Invalid effect"),
    ("unknown field", doc({**GOOD, "Foo": "x"}), IAM, "Unknown field Foo"),
    ("lower-case field", doc({**without(GOOD, "Effect"), "effect": "Allow"}), IAM, "Unknown field effect"),
    ("missing Action", doc(without(GOOD, "Action")), IAM, "Missing required field Action"),
    ("Action and NotAction", doc({**GOOD, "NotAction": "s3:PutObject"}), IAM, "both Action and NotAction"),
    (
        "invalid action",
        doc({**GOOD, "Action": "s3:GetObjekt"}),
        IAM,
        "Policy has invalid action: s3:GetObjekt",
    ),
    ("empty action list", doc({**GOOD, "Action": []}), IAM, "Policy has invalid action"),
    ("missing Resource", doc(without(GOOD, "Resource")), IAM, "Missing required field Resource"),
    ("Resource and NotResource", doc({**GOOD, "NotResource": "*"}), IAM, "both Resource and NotResource"),
    ("invalid resource", doc({**GOOD, "Resource": "bucket/*"}), IAM, "Policy has invalid resource: bucket/*"),
    ("resource number", doc({**GOOD, "Resource": 5}), IAM, "Policy has invalid resource"),
    ("empty resource list", doc({**GOOD, "Resource": []}), IAM, "Policy has invalid resource"),
    ("principal in identity", doc(GOOD_RESOURCE), IAM, "Policy document should not specify a principal"),
    ("NotPrincipal in identity", doc({**GOOD, "NotPrincipal": "*"}), IAM, "should not specify a principal"),
    ("missing Principal", doc(GOOD), R, "Missing required field Principal"),
    ("missing Principal (endpoint)", doc(GOOD), E, "Missing required field Principal"),
    (
        "missing Principal (trust)",
        doc(without(TRUST_GOOD, "Principal")),
        T,
        "Missing required field Principal",
    ),
    (
        "Principal and NotPrincipal",
        doc({**GOOD_RESOURCE, "NotPrincipal": "*"}),
        R,
        "both Principal and NotPrincipal",
    ),
    (
        "bad principal",
        doc({**GOOD, "Principal": {"AWS": "arn:aws:iam::12:root"}}),
        R,
        'Invalid principal in policy: "AWS" : "arn:aws:iam::12:root"',
    ),
    ("missing Resource (S3)", doc(without(GOOD_RESOURCE, "Resource")), R, "Missing required field Resource"),
    ("Resource in trust", doc({**TRUST_GOOD, "Resource": "*"}), T, "Has prohibited field Resource"),
    ("NotResource in trust", doc({**TRUST_GOOD, "NotResource": "*"}), T, "Has prohibited field NotResource"),
    (
        "non-sts action in trust",
        doc({**TRUST_GOOD, "Action": "s3:GetObject"}),
        T,
        "may only specify STS AssumeRole",
    ),
    (
        "bad condition type",
        doc({**GOOD, "Condition": {"StringEqualz": {"a:b": "c"}}}),
        IAM,
        "Invalid Condition type : StringEqualz",
    ),
    (
        "bad qualifier",
        doc({**GOOD, "Condition": {"ForSomeValues:StringEquals": {"a:b": "c"}}}),
        IAM,
        "Invalid Condition type : ForSomeValues:StringEquals",
    ),
    ("condition list", doc({**GOOD, "Condition": ["x"]}), IAM, "Condition must be an object"),
    (
        "condition operator value",
        doc({**GOOD, "Condition": {"StringEquals": "x"}}),
        IAM,
        "must map keys to values",
    ),
    (
        "empty condition key",
        doc({**GOOD, "Condition": {"StringEquals": {"": "x"}}}),
        IAM,
        "invalid condition key",
    ),
    (
        "numeric value",
        doc({**GOOD, "Condition": {"NumericEquals": {"s3:max-keys": "abc"}}}),
        IAM,
        'Invalid Condition value for NumericEquals s3:max-keys : "abc"',
    ),
    (
        "Sid not alphanumeric (IAM)",
        doc({**GOOD, "Sid": "my-sid"}),
        IAM,
        "Statement IDs \\(SID\\) must be alpha-numeric",
    ),
    ("Sid not a string", doc({**GOOD, "Sid": 5}), IAM, "Sid must be a string"),
    ("duplicate Sid (IAM)", doc({**GOOD, "Sid": "A"}, {**GOOD, "Sid": "A"}), IAM, "must be unique"),
    (
        "duplicate Sid (trust)",
        doc({**TRUST_GOOD, "Sid": "A"}, {**TRUST_GOOD, "Sid": "A"}),
        T,
        "must be unique",
    ),
    ("invalid UTF-8", b'{"Statement": "\xff"}', IAM, "not valid UTF-8"),
    ("too many statements", doc(*[GOOD] * (MAX_STATEMENTS + 1)), IAM, "too many statements"),
]


@pytest.mark.parametrize(
    ("document", "kind", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD]
)
def test_rejected(document: str | bytes, kind: PolicyKind, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(document, kind)


def test_max_size_counts_characters_as_sent() -> None:
    text = doc(GOOD)
    parse_policy(text, IAM, max_size=len(text))
    with pytest.raises(PolicyError, match=f"Cannot exceed quota for PolicySize: {len(text) - 1}"):
        parse_policy(text, IAM, max_size=len(text) - 1)
    spaced = text.replace(" ", "    ")
    with pytest.raises(PolicyError, match="PolicySize"):
        parse_policy(spaced, IAM, max_size=len(text))


ACCEPTED: list[tuple[str, str | bytes, PolicyKind]] = [
    ("leading whitespace (IAM)", "\n " + doc(GOOD), IAM),
    ("bytes", doc(GOOD).encode(), IAM),
    ("duplicate Sid (S3)", doc({**GOOD_RESOURCE, "Sid": "A"}, {**GOOD_RESOURCE, "Sid": "A"}), R),
    ("Sid with spaces (S3)", doc({**GOOD_RESOURCE, "Sid": "Allow public read"}), R),
    ("empty Sid", doc({**GOOD, "Sid": ""}, {**GOOD, "Sid": ""}), IAM),
    ("Id (S3)", doc(GOOD_RESOURCE, Id="Policy1"), R),
    ("Id (IAM, accepted leniently)", doc(GOOD, Id="Policy1"), IAM),
    ("2008 version", doc(GOOD, Version="2008-10-17"), IAM),
    ("no version", json.dumps({"Statement": GOOD}), IAM),
    ("empty condition", doc({**GOOD, "Condition": {}}), IAM),
    ("action lists", doc({**GOOD, "Action": ["s3:GetObject", "s3:Put*", "kms:*", "iam:*AccessKey*"]}), IAM),
    (
        "every service",
        doc({**GOOD, "Action": ["s3express:*", "s3-object-lambda:GetObject", "cloudtrail:*"]}),
        IAM,
    ),
    ("string key with unicode", doc({**GOOD, "Condition": {"StringEquals": {"s3:prefix": "é/☃"}}}), IAM),
]


@pytest.mark.parametrize(
    ("document", "kind"), [case[1:] for case in ACCEPTED], ids=[case[0] for case in ACCEPTED]
)
def test_accepted(document: str | bytes, kind: PolicyKind) -> None:
    compiled = parse_policy(document, kind)
    assert compiled.text == (document.decode() if isinstance(document, bytes) else document)
