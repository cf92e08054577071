"""IpAddress / NotIpAddress: IPv4 and IPv6, CIDRs and bare addresses."""

from __future__ import annotations

import pytest

from ironbucket.policy import PolicyError
from tests.unit.policy.helpers import condition_holds, policy, stmt

MIXED = ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]  # the AWS documentation example

CASES = [
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
    ("IpAddress", "203.0.113.5", "203.0.113.5", True),  # bare address = /32
    ("IpAddress", "203.0.113.5", "203.0.113.6", False),
    ("IpAddress", "203.0.113.9/24", "203.0.113.200", True),  # host bits ignored
    ("IpAddress", MIXED, "2001:db8:1234:5678::1", True),
    ("IpAddress", MIXED, "2001:db8:1234:5679::1", False),
    ("IpAddress", MIXED, "203.0.113.255", True),
    ("IpAddress", "2001:db8::1", "2001:db8::1", True),  # bare IPv6 = /128
    ("IpAddress", "0.0.0.0/0", "198.51.100.1", True),
    ("IpAddress", "0.0.0.0/0", "2001:db8::1", False),  # versions never mix
    ("IpAddress", "::/0", "2001:db8::1", True),
    ("IpAddress", "203.0.113.0/24", None, False),  # e.g. a request through a VPC endpoint
    ("IpAddress", "203.0.113.0/24", "garbage", False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", "203.0.113.0/24", None, True),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "holds"), CASES)
def test_ip_operators(operator: str, values: object, request_value: str | None, holds: bool) -> None:
    keys = {} if request_value is None else {"aws:sourceip": request_value}
    assert condition_holds({operator: {"aws:SourceIp": values}}, keys) is holds


@pytest.mark.parametrize("value", ["203.0.113.0/33", "300.1.1.1", "example.com", "", "1.2.3.4/8/1", "*"])
def test_bad_cidrs_are_rejected(value: str) -> None:
    with pytest.raises(PolicyError, match="Invalid Condition value for IpAddress"):
        policy(stmt(condition={"IpAddress": {"aws:SourceIp": value}}))
