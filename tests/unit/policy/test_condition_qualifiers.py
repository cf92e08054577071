"""Every operator family x set qualifier x IfExists x key state, against the documented rules.

Rules (IAM User Guide: condition operators; multivalued context keys):
* a missing key (or an empty set of values): ...IfExists -> true; ForAllValues -> true;
  ForAnyValue -> false; otherwise false for positive operators and true for negated ones;
* no qualifier: positive -> some request value matches a policy value; negated -> none does;
* ForAnyValue -> some request value passes the (negated) test; ForAllValues -> every one does.
"""

from __future__ import annotations

import base64
import itertools

import pytest

from tests.unit.policy.helpers import condition_holds

# (positive operator, negated operator or None, policy value, matching value, non-matching value)
FAMILIES = [
    ("StringEquals", "StringNotEquals", "a", "a", "b"),
    ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "a", "A", "b"),
    ("StringLike", "StringNotLike", "a*", "ab", "ba"),
    ("NumericEquals", "NumericNotEquals", "1", "1.0", "2"),
    ("NumericLessThan", None, "5", "1", "9"),
    ("NumericGreaterThanEquals", None, "5", "5", "4"),
    ("DateEquals", "DateNotEquals", "2024-01-01T00:00:00Z", "1704067200", "1704067201"),
    ("DateGreaterThan", None, "2024-01-01", "2025-01-01", "2023-01-01"),
    ("Bool", None, "true", "true", "false"),
    ("BinaryEquals", None, base64.b64encode(b"x").decode(), base64.b64encode(b"x").decode(), "eQ=="),
    ("IpAddress", "NotIpAddress", "10.0.0.0/8", "10.1.2.3", "11.0.0.1"),
    ("ArnLike", "ArnNotLike", "arn:aws:s3:::b*", "arn:aws:s3:::bx", "arn:aws:s3:::c"),
    ("ArnEquals", "ArnNotEquals", "arn:aws:s3:::b", "arn:aws:s3:::b", "arn:aws:s3:::c"),
]
QUALIFIERS = ["", "ForAnyValue:", "ForAllValues:"]
STATES = ["missing", "empty", "match", "miss", "both"]


def expected(negated: bool, qualifier: str, if_exists: bool, matches: list[bool] | None) -> bool:
    if not matches:
        if if_exists or qualifier == "ForAllValues:":
            return True
        if qualifier == "ForAnyValue:":
            return False
        return negated
    passes = [match != negated for match in matches]
    if qualifier == "ForAnyValue:":
        return any(passes)
    if qualifier == "ForAllValues:":
        return all(passes)
    return any(matches) != negated


def _cases() -> list[tuple[str, str, str, str, bool, list[bool] | None, bool]]:
    out = []
    for positive, negative, value, good, bad in FAMILIES:
        for name, negated in ((positive, False), (negative, True)):
            if name is None:
                continue
            for qualifier, if_exists, state in itertools.product(QUALIFIERS, (False, True), STATES):
                request = {
                    "missing": None,
                    "empty": [],
                    "match": [good],
                    "miss": [bad],
                    "both": [good, bad],
                }[state]
                matches = None if request is None else [item == good for item in request]
                operator = f"{qualifier}{name}{'IfExists' if if_exists else ''}"
                holds = expected(negated, qualifier, if_exists, matches)
                out.append((operator, value, state, ",".join(request or []), holds, matches, negated))
    return out


@pytest.mark.parametrize(
    ("operator", "value", "state", "request_values", "holds", "matches", "negated"), _cases()
)
def test_matrix(
    operator: str,
    value: str,
    state: str,
    request_values: str,
    holds: bool,
    matches: list[bool] | None,
    negated: bool,
) -> None:
    keys: dict[str, list[str]] = {}
    if state != "missing":
        keys["the:key"] = request_values.split(",") if request_values else []
    assert condition_holds({operator: {"The:Key": value}}, keys) is holds


TAG_KEYS = ["DataClass", "Owner"]


@pytest.mark.parametrize(
    ("operator", "request_values", "holds"),
    [
        # ForAnyValue:StringNotEquals: some request tag key is not in the list
        ("ForAnyValue:StringNotEquals", None, False),
        ("ForAnyValue:StringNotEquals", ["DataClass", "Owner"], False),
        ("ForAnyValue:StringNotEquals", ["Dept", "DataClass"], True),
        ("ForAnyValue:StringNotEquals", ["Dept", "SIC"], True),
        # ForAllValues:StringNotEquals: no request tag key is in the list (true when none)
        ("ForAllValues:StringNotEquals", None, True),
        ("ForAllValues:StringNotEquals", ["Dept", "SIC"], True),
        ("ForAllValues:StringNotEquals", ["Dept", "Owner"], False),
        # ForAllValues:StringEquals: every request tag key is in the list (true when none!)
        ("ForAllValues:StringEquals", None, True),
        ("ForAllValues:StringEquals", ["Owner"], True),
        ("ForAllValues:StringEquals", ["Owner", "Dept"], False),
        # ForAnyValue:StringEquals: some request tag key is in the list
        ("ForAnyValue:StringEquals", None, False),
        ("ForAnyValue:StringEquals", ["Dept", "Owner"], True),
        ("ForAnyValue:StringEquals", ["Dept"], False),
    ],
)
def test_documented_tag_key_examples(operator: str, request_values: list[str] | None, holds: bool) -> None:
    keys = {} if request_values is None else {"aws:tagkeys": request_values}
    assert condition_holds({operator: {"aws:TagKeys": TAG_KEYS}}, keys) is holds


ATTRIBUTES = ["PostDateTime", "Message", "Tags"]


@pytest.mark.parametrize(
    ("operator", "request_values", "holds"),
    [
        ("ForAllValues:StringLike", ["PostDateTime", "Message"], True),
        ("ForAllValues:StringLike", ["PostDateTime", "UserName"], False),
        ("ForAllValues:StringLike", ["ID"], False),
        ("ForAnyValue:StringLike", ["UserName", "Message", "PostDateTime"], True),
        ("ForAnyValue:StringLike", ["UserName"], False),
    ],
)
def test_documented_dynamodb_attribute_examples(
    operator: str, request_values: list[str], holds: bool
) -> None:
    keys = {"dynamodb:requestedattributes": request_values}
    assert condition_holds({operator: {"dynamodb:requestedAttributes": ATTRIBUTES}}, keys) is holds


def test_if_exists_example() -> None:
    condition = {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}
    assert condition_holds(condition, {})
    assert condition_holds(condition, {"ec2:instancetype": "t2.micro"})
    assert not condition_holds(condition, {"ec2:instancetype": "c5.large"})
    assert not condition_holds({"StringLike": {"ec2:InstanceType": "t1.*"}}, {})
