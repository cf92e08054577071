"""The BinaryEquals condition operator (base64 values, compared byte for byte)."""

from __future__ import annotations

import base64

import pytest

from ironbucket.policy import PolicyError
from tests.unit.policy.helpers import condition_holds, policy, stmt

DOC_VALUE = "QmluYXJ5VmFsdWVJbkJhc2U2NA=="  # the AWS documentation example


@pytest.mark.parametrize(
    ("request_value", "holds"),
    [
        (DOC_VALUE, True),
        (base64.b64encode(b"BinaryValueInBase64").decode(), True),
        (base64.b64encode(b"BinaryValueInBase65").decode(), False),
        ("not base64!", False),
        (None, False),
    ],
)
def test_binary_equals(request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"key": request_value}
    assert condition_holds({"BinaryEquals": {"key": DOC_VALUE}}, keys) is holds


def test_values_are_ored() -> None:
    other = base64.b64encode(b"\x00\xff").decode()
    assert condition_holds({"BinaryEquals": {"key": [DOC_VALUE, other]}}, {"key": other})


@pytest.mark.parametrize("value", ["not base64!", "QQ=", "", "é"])
def test_bad_base64_is_rejected(value: str) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value for BinaryEquals"):
        policy(stmt(condition={"BinaryEquals": {"key": value}}))
