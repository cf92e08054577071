"""The Bool condition operator."""

from __future__ import annotations

import pytest

from ironbucket.policy import Decision, PolicyError
from tests.unit.policy.helpers import condition_holds, decide, policy, stmt


@pytest.mark.parametrize(
    ("value", "request_value", "holds"),
    [
        ("true", "true", True),
        ("true", "True", True),
        ("TRUE", "true", True),
        (True, "true", True),
        (False, "false", True),
        ("false", "true", False),
        ("true", None, False),
        ("true", "yes", False),
        (["true", "false"], "false", True),
    ],
)
def test_bool(value: object, request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"aws:securetransport": request_value}
    assert condition_holds({"Bool": {"aws:SecureTransport": value}}, keys) is holds


def test_documented_deny_without_tls() -> None:
    compiled = policy(
        stmt("Allow", "s3:*", "*"),
        stmt(
            "Deny", "s3:*", ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], {"Bool": {"aws:SecureTransport": "false"}}
        ),
    )
    assert (
        decide(compiled, resource="arn:aws:s3:::b/k", keys={"aws:SecureTransport": "false"}) is Decision.DENY
    )
    assert (
        decide(compiled, resource="arn:aws:s3:::b/k", keys={"aws:SecureTransport": "true"}) is Decision.ALLOW
    )
    assert decide(compiled, resource="arn:aws:s3:::b/k") is Decision.ALLOW  # key absent: Bool is false


@pytest.mark.parametrize("value", ["yes", "1", "", 1, None])
def test_bad_bool_values(value: object) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value for Bool"):
        policy(stmt(condition={"Bool": {"aws:SecureTransport": value}}))
