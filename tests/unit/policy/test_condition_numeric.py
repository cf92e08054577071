"""Numeric condition operators."""

from __future__ import annotations

import pytest

from ironbucket.policy import PolicyError
from tests.unit.policy.helpers import condition_holds, policy, stmt

CASES = [
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", "010", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", ["1", "2"], "2", True),
    ("NumericEquals", "10", None, False),
    ("NumericEquals", "10", "ten", False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", None, True),
    ("NumericLessThan", "10", "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericLessThanEquals", "10", None, False),
    ("NumericGreaterThan", "10", "10.5", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThanEquals", "-1.5", "-1.5", True),
    ("NumericGreaterThanEquals", "-1.5", "-2", False),
    ("NumericLessThan", "12345678901234567890", "12345678901234567889", True),  # exact, not float
    ("NumericEquals", 7, "7", True),  # JSON number
]


@pytest.mark.parametrize(("operator", "values", "request_value", "holds"), CASES)
def test_numeric_operators(operator: str, values: object, request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"s3:max-keys": request_value}
    assert condition_holds({operator: {"s3:max-keys": values}}, keys) is holds


@pytest.mark.parametrize("value", ["abc", "", "1,5", "NaN", "Infinity", "0x10", True, "1e"])
def test_unparsable_values_are_rejected_at_parse_time(value: object) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value for NumericEquals s3:max-keys"):
        policy(stmt(condition={"NumericEquals": {"s3:max-keys": value}}))
