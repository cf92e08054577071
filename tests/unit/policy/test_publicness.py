"""is_public(): S3's "The meaning of 'public'" (Blocking public access, Amazon S3 User Guide)."""

from __future__ import annotations

from typing import Any

import pytest

from ironbucket.policy import PolicyKind, is_public
from tests.unit.policy.helpers import policy, stmt


def grant(
    principal: Any = "*", condition: dict[str, Any] | None = None, effect: str = "Allow", **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = (
        {"NotPrincipal": principal} if extra.pop("not_principal", False) else {"Principal": principal}
    )
    return stmt(effect, "s3:PutObject", "*", condition, **fields, **extra)


def check(*statements: dict[str, Any]) -> bool:
    return is_public(policy(*statements, kind=PolicyKind.RESOURCE))


PUBLIC = [
    # the three public examples of the S3 documentation
    ("federated", grant({"Federated": "graph.facebook.com"})),
    ("star", grant("*")),
    ("wildcard vpc", grant("*", {"StringLike": {"aws:SourceVpc": "vpc-*"}})),
    ("AWS star", grant({"AWS": "*"})),
    ("AWS star among accounts", grant({"AWS": ["*", "111122223333"]})),
    ("not principal", grant({"AWS": "111122223333"}, not_principal=True)),
    ("unrelated key", grant("*", {"Bool": {"aws:SecureTransport": "true"}})),
    ("negated operator", grant("*", {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})),
    ("IfExists", grant("*", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})),
    ("ForAllValues", grant("*", {"ForAllValues:StringEquals": {"aws:SourceVpce": "vpce-1"}})),
    ("one wildcard value", grant("*", {"StringEquals": {"aws:SourceAccount": ["111122223333", "1*"]}})),
    ("question mark", grant("*", {"StringLike": {"aws:SourceAccount": "11112222333?"}})),
    ("policy variable", grant("*", {"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}})),
    ("wildcard ARN", grant("*", {"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:111122223333:*"}})),
    ("broad IPv4", grant("*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}})),
    ("IPv4 /7", grant("*", {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2.0.0.0/7"]}})),
    ("everything IPv4", grant("*", {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})),
    ("broad IPv6", grant("*", {"IpAddress": {"aws:SourceIp": "2001:db8::/31"}})),
    ("NotIpAddress", grant("*", {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    ("role id pattern", grant("*", {"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}})),
    (
        "access point any account",
        grant("*", {"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:*:accesspoint/*"}}),
    ),
    ("Null check", grant("*", {"Null": {"aws:SourceVpce": "false"}})),
]

NOT_PUBLIC = [
    ("fixed vpc", grant("*", {"StringEquals": {"aws:SourceVpc": "vpc-91237329"}})),
    ("account", grant({"AWS": "111122223333"})),
    ("user", grant({"AWS": "arn:aws:iam::111122223333:user/alice"})),
    ("service", grant({"Service": "cloudtrail.amazonaws.com"})),
    (
        "canonical user",
        grant({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}),
    ),
    ("deny to everyone", grant("*", effect="Deny")),
    ("source ip /24", grant("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
    ("source ip /8", grant("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
    ("source ip bare", grant("*", {"IpAddress": {"aws:SourceIp": "203.0.113.9"}})),
    ("source ipv6 /32", grant("*", {"IpAddress": {"aws:SourceIp": ["2001:db8::/32", "203.0.113.0/24"]}})),
    ("source arn", grant("*", {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}})),
    ("source vpce", grant("*", {"StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}})),
    ("source owner", grant("*", {"StringEquals": {"aws:SourceOwner": "111122223333"}})),
    ("source account", grant("*", {"StringEquals": {"aws:SourceAccount": "111122223333"}})),
    (
        "kms key",
        grant(
            "*",
            {
                "StringEquals": {
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:1:key/k"
                }
            },
        ),
    ),
    ("userid", grant("*", {"StringEquals": {"aws:userid": "AIDAEXAMPLEUSERID"}})),
    ("org id", grant("*", {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})),
    ("principal arn", grant("*", {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/r"}})),
    ("principal account", grant("*", {"StringEquals": {"aws:PrincipalAccount": "111122223333"}})),
    (
        "access point arn",
        grant("*", {"ArnLike": {"s3:DataAccessPointArn": "arn:aws:s3:us-west-2:123456789012:accesspoint/*"}}),
    ),
    ("access point account", grant("*", {"StringEquals": {"s3:DataAccessPointAccount": "123456789012"}})),
    ("ForAnyValue", grant("*", {"ForAnyValue:StringEquals": {"aws:SourceVpce": "vpce-1"}})),
    ("case-insensitive key", grant("*", {"StringEquals": {"AWS:SOURCEVPCE": "vpce-1"}})),
    (
        "one pinning key among others",
        grant("*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}, "Bool": {"aws:SecureTransport": "true"}}),
    ),
]


@pytest.mark.parametrize("statement", [case[1] for case in PUBLIC], ids=[case[0] for case in PUBLIC])
def test_public(statement: dict[str, Any]) -> None:
    assert check(statement)


@pytest.mark.parametrize("statement", [case[1] for case in NOT_PUBLIC], ids=[case[0] for case in NOT_PUBLIC])
def test_not_public(statement: dict[str, Any]) -> None:
    assert not check(statement)


def test_one_public_statement_makes_the_policy_public() -> None:
    # the documentation's example: CloudTrail + another account + a public statement
    cloudtrail = grant({"Service": "cloudtrail.amazonaws.com"})
    account_2 = grant({"AWS": "444455556666"})
    assert check(cloudtrail, account_2, grant("*"))
    assert not check(cloudtrail, account_2)


def test_identity_policies_are_never_public() -> None:
    assert not is_public(policy(stmt("Allow", "s3:*", "*")))
