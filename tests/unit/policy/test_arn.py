"""ARN splitting and per-component matching (ArnLike/ArnEquals and the Resource element)."""

from __future__ import annotations

import pytest

from ironbucket.policy import Decision, PolicyError
from ironbucket.policy.arn import ArnPattern, split_arn, split_head
from ironbucket.policy.glob import text_tokens
from tests.unit.policy.helpers import condition_holds, decide, policy, stmt


def test_split() -> None:
    assert split_arn("arn:aws:s3:::b/k:with:colons") == ["arn", "aws", "s3", "", "", "b/k:with:colons"]
    assert split_arn("arn:aws:s3::") is None
    assert split_arn("urn:aws:s3:::b") is None
    assert split_head("arn:aws:iam::1:user/a") == ("arn:aws:iam::1:", "user/a")
    assert split_head("*") is None


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
        ("arn:aws:s3:::*", "arn:aws:s3:::any/key", True),
        ("arn:aws:*:*:*:*", "arn:aws:sqs:us-east-1:1:q", True),
        ("arn:*:s3:::b", "arn:aws-cn:s3:::b", True),
        ("arn:aws:sqs:us-?ast-1:1:q", "arn:aws:sqs:us-east-1:1:q", True),
        # the AWS documentation example: StringLike would match, ArnLike does not
        (
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt",
            False,
        ),
        (
            "arn:aws:someservice:*:111122223333:finance/*",
            "arn:aws:someservice:x:111122223333:finance/d",
            True,
        ),
        ("arn:aws:s3:::b", "arn:aws:s3:::b", True),
        ("arn:aws:s3:::b", "arn:aws:S3:::b", False),  # case-sensitive
        ("arn:aws:s3:::b", "not-an-arn", False),
        ("arn:aws:iam::*:role/*", "arn:aws:iam::1:role/a:b", True),  # resource part keeps its colons
    ],
)
def test_per_component_matching(pattern: str, value: str, expected: bool) -> None:
    assert ArnPattern(text_tokens(pattern)).match(value) is expected
    assert condition_holds({"ArnLike": {"aws:SourceArn": pattern}}, {"aws:sourcearn": value}) is expected
    assert condition_holds({"ArnEquals": {"aws:SourceArn": pattern}}, {"aws:sourcearn": value}) is expected
    assert (
        condition_holds({"ArnNotLike": {"aws:SourceArn": pattern}}, {"aws:sourcearn": value}) is not expected
    )
    assert (
        condition_holds({"ArnNotEquals": {"aws:SourceArn": pattern}}, {"aws:sourcearn": value})
        is not expected
    )


def test_string_like_is_not_per_component() -> None:
    pattern = "arn:aws:someservice:*:111122223333:finance/*"
    value = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
    assert condition_holds({"StringLike": {"aws:SourceArn": pattern}}, {"aws:sourcearn": value})


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key", True),
        ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/key", False),
        ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket2/key", True),
        ("arn:aws:s3:*::bucket", "arn:aws:s3:us-east-1::bucket", True),
        ("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", False),
        ("*", "*", True),
        ("*", "arn:aws:s3:::x", True),
        ("arn:aws:s3:::x", "*", False),
    ],
)
def test_resource_element(pattern: str, resource: str, expected: bool) -> None:
    compiled = policy(stmt(resource=pattern))
    assert (decide(compiled, resource=resource) is Decision.ALLOW) is expected


@pytest.mark.parametrize("value", ["arn:aws:s3", "bucket", "arn:aws:s3:::", "arn::s3:::b", "arn:aws::::b"])
def test_malformed_arn_in_condition_or_resource(value: str) -> None:
    with pytest.raises(PolicyError, match="Policy has invalid resource"):
        policy(stmt(resource=value))
    if value.count(":") < 5:
        with pytest.raises(PolicyError, match="Invalid Condition value"):
            policy(stmt(condition={"ArnLike": {"aws:SourceArn": value}}))


def test_arn_like_star_alone_matches_anything() -> None:
    assert condition_holds({"ArnLike": {"aws:SourceArn": "*"}}, {"aws:sourcearn": "arn:aws:s3:::b"})
