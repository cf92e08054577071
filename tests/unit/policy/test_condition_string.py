"""String condition operators (examples from the IAM condition-operators reference)."""

from __future__ import annotations

import pytest

from ironbucket.policy import Decision, PolicyError, PolicyKind, parse_policy
from tests.unit.policy.helpers import condition_holds, decide, policy, stmt

CASES = [
    # (operator, policy value(s), request value or None for missing, holds)
    ("StringEquals", "iamuser-admin", "iamuser-admin", True),
    ("StringEquals", "iamuser-admin", "IAMUser-Admin", False),
    ("StringEquals", "iamuser-admin", None, False),
    ("StringEquals", ["a", "b"], "b", True),  # values of one key are ORed
    ("StringEquals", "a*", "abc", False),  # no wildcards in StringEquals
    ("StringEquals", "a*", "a*", True),
    ("StringEquals", "", "", True),
    ("StringNotEquals", "a", "b", True),
    ("StringNotEquals", "a", "a", False),
    ("StringNotEquals", ["a", "b"], "b", False),
    ("StringNotEquals", "a", None, True),  # negated operator, missing key -> true
    ("StringEqualsIgnoreCase", "iamuser-admin", "IAMUser-Admin", True),
    ("StringEqualsIgnoreCase", "x", "y", False),
    ("StringEqualsIgnoreCase", "x", None, False),
    ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
    ("StringNotEqualsIgnoreCase", "ABC", "abd", True),
    ("StringNotEqualsIgnoreCase", "ABC", None, True),
    ("StringLike", "home/*", "home/alice/x", True),
    ("StringLike", "home/*", "Home/alice", False),
    ("StringLike", ["", "home/", "home/alice/*"], "", True),
    ("StringLike", ["", "home/", "home/alice/*"], "home/", True),
    ("StringLike", ["", "home/", "home/alice/*"], "home/bob/", False),
    ("StringLike", "t?.*", "t2.micro", True),
    ("StringLike", "t?.*", "t22.micro", False),
    ("StringLike", "a.c", "abc", False),
    ("StringLike", "x", None, False),
    ("StringNotLike", "home/*", "home/x", False),
    ("StringNotLike", "home/*", "other", True),
    ("StringNotLike", "home/*", None, True),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "holds"), CASES)
def test_string_operators(operator: str, values: object, request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"aws:principaltag/job-category": request_value}
    condition = {operator: {"aws:PrincipalTag/job-category": values}}
    assert condition_holds(condition, keys) is holds


def test_key_names_are_case_insensitive() -> None:
    assert condition_holds(
        {"StringEquals": {"AWS:PRINCIPALTAG/Job-Category": "x"}}, {"aws:principaltag/job-category": "x"}
    )


def test_operator_names_are_case_insensitive() -> None:
    assert condition_holds({"stringequals": {"k": "x"}}, {"k": "x"})


def test_keys_and_operators_are_anded() -> None:
    condition = {"StringEquals": {"a": "1", "b": "2"}, "StringLike": {"c": "x*"}}
    assert condition_holds(condition, {"a": "1", "b": "2", "c": "xy"})
    assert not condition_holds(condition, {"a": "1", "b": "3", "c": "xy"})
    assert not condition_holds(condition, {"a": "1", "b": "2", "c": "y"})
    assert not condition_holds(condition, {"a": "1", "c": "xy"})


def test_json_numbers_and_booleans_are_strings() -> None:
    assert condition_holds({"StringEquals": {"k": 10}}, {"k": "10"})
    raw = (
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject",'
        ' "Resource": "*", "Condition": {"StringEquals": {"k": 1.50}}}}'
    )
    compiled = parse_policy(raw, PolicyKind.IDENTITY)
    assert decide(compiled, keys={"k": "1.50"}) is Decision.ALLOW  # the number's text is kept
    assert decide(compiled, keys={"k": "1.5"}) is Decision.NOT_APPLICABLE
    assert condition_holds({"StringEquals": {"k": True}}, {"k": "true"})


@pytest.mark.parametrize("value", [None, {"a": "b"}, [["nested"]], [None]])
def test_bad_value_types(value: object) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value"):
        policy(stmt(condition={"StringEquals": {"k": value}}))


def test_empty_value_list_never_matches() -> None:
    assert not condition_holds({"StringEquals": {"k": []}}, {"k": "x"})
    assert condition_holds({"StringNotEquals": {"k": []}}, {"k": "x"})
