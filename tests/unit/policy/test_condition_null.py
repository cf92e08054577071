"""The Null condition operator and its rules."""

from __future__ import annotations

import pytest

from ironbucket.policy import PolicyError
from tests.unit.policy.helpers import condition_holds, policy, stmt


@pytest.mark.parametrize(
    ("value", "keys", "holds"),
    [
        ("true", {}, True),  # the AWS example: not using temporary credentials
        ("true", {"aws:tokenissuetime": "2024-01-01T00:00:00Z"}, False),
        ("false", {"aws:tokenissuetime": "2024-01-01T00:00:00Z"}, True),
        ("false", {}, False),
        (True, {}, True),
        ("TRUE", {}, True),
        (["true", "false"], {}, True),
        ("true", {"aws:tokenissuetime": []}, True),  # an empty set of values counts as absent
    ],
)
def test_null(value: object, keys: dict[str, object], holds: bool) -> None:
    assert condition_holds({"Null": {"aws:TokenIssueTime": value}}, keys) is holds  # type: ignore[arg-type]


def test_qualified_null_behaves_as_null() -> None:
    assert condition_holds({"ForAnyValue:Null": {"k": "true"}}, {})


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"NullIfExists": {"k": "true"}}, "Invalid Condition type : NullIfExists"),
        ({"Null": {"k": "maybe"}}, "Invalid Condition value for Null"),
    ],
)
def test_null_errors(condition: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        policy(stmt(condition=condition))
