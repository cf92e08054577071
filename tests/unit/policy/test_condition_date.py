"""Date condition operators: W3C ISO 8601 profiles and epoch seconds."""

from __future__ import annotations

import pytest

from ironbucket.policy import PolicyError
from ironbucket.policy.conditions.date_ops import parse_date
from tests.unit.policy.helpers import condition_holds, policy, stmt

NOON = 1_717_243_200.0  # 2024-06-01T12:00:00Z


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("2024-06-01T12:00:00Z", NOON),
        ("2024-06-01T12:00:00+00:00", NOON),
        ("2024-06-01T14:00:00+02:00", NOON),
        ("2024-06-01T07:00:00-0500", NOON),
        ("2024-06-01T12:00Z", NOON),
        ("2024-06-01T12:00:00", NOON),  # no zone: UTC
        ("2024-06-01T12:00:00.250Z", NOON + 0.25),
        ("2024-06-01", NOON - 12 * 3600),
        ("2024-06", 1_717_200_000.0 - 24 * 3600 * 0),
        ("1717243200", NOON),
        ("1717243200.5", NOON + 0.5),
    ],
)
def test_parse_date(text: str, seconds: float) -> None:
    if text == "2024-06":
        assert parse_date(text) == parse_date("2024-06-01")
    else:
        assert parse_date(text) == seconds


CASES = [
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2024-06-01T12:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2019-12-31T23:59:59Z", False),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", None, False),
    ("DateLessThan", "2030-01-01", "2024-06-01T12:00:00Z", True),
    ("DateLessThan", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z", False),
    ("DateLessThanEquals", "2024-06-01T12:00:00Z", "2024-06-01T12:00:00Z", True),
    ("DateGreaterThanEquals", "2024-06-01T12:00:00Z", "1717243200", True),  # epoch request value
    ("DateEquals", "1717243200", "2024-06-01T12:00:00Z", True),  # epoch policy value
    ("DateEquals", "2024-06-01T12:00:00Z", "2024-06-01T12:00:01Z", False),
    ("DateNotEquals", "2024-06-01T12:00:00Z", "2024-06-01T12:00:01Z", True),
    ("DateNotEquals", "2024-06-01T12:00:00Z", None, True),
    ("DateLessThan", "2030-01-01", "not a date", False),
]


@pytest.mark.parametrize(("operator", "value", "request_value", "holds"), CASES)
def test_date_operators(operator: str, value: str, request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"aws:currenttime": request_value}
    assert condition_holds({operator: {"aws:CurrentTime": value}}, keys) is holds


def test_epoch_time_key() -> None:
    condition = {"DateLessThan": {"aws:EpochTime": "2030-01-01T00:00:00Z"}}
    assert condition_holds(condition, {"aws:epochtime": "1717243200"})
    assert not condition_holds(condition, {"aws:epochtime": "1999999999"})


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "2024-02-30", "2024-06-01T25:00:00Z", "*", ""])
def test_bad_dates_are_rejected(value: str) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value for DateLessThan"):
        policy(stmt(condition={"DateLessThan": {"aws:CurrentTime": value}}))
