"""Access point names, ARNs, aliases, virtual-host labels and the stored record; S3 Control routing."""

from __future__ import annotations

import pytest

from ironbucket.authz.access_points import (
    AccessPoint,
    host_label,
    new_alias,
    parse_arn,
    valid_name,
)
from ironbucket.features.public_access import ALL_BLOCKED, PublicAccessBlock
from ironbucket.s3control.service import route


@pytest.mark.parametrize(("name", "ok"), [
    ("analytics", True), ("a1b", True), ("ab", False), ("a" * 50, True), ("a" * 51, False),
    ("Analytics", False), ("-leading", False), ("trailing-", False), ("under_score", False),
    ("double--hyphen", False), ("ends-s3alias", False), ("with.dot", False), ("team-42", True),
])
def test_names(name: str, ok: bool) -> None:
    assert valid_name(name) is ok


@pytest.mark.parametrize(("arn", "parsed"), [
    ("arn:aws:s3:us-east-1:111122223333:accesspoint/ap", ("111122223333", "ap", None)),
    ("arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/a/b.txt", ("111122223333", "ap", "a/b.txt")),
    ("arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/", ("111122223333", "ap", "")),
    ("arn:aws:s3:::bucket/key", None),
    ("arn:aws:s3:us-east-1:1111:accesspoint/ap", None),
    ("arn:aws:s3:us-east-1:111122223333:accesspoint/ap/other", None),
])
def test_parse_arn(arn: str, parsed: tuple[str, str, str | None] | None) -> None:
    assert parse_arn(arn) == parsed


@pytest.mark.parametrize(("label", "parsed"), [
    ("analytics-111122223333", ("analytics", "111122223333")),
    ("my-team-ap-111122223333", ("my-team-ap", "111122223333")),
    ("analytics", None), ("analytics-1111", None), ("-111122223333", None),
])
def test_host_label(label: str, parsed: tuple[str, str] | None) -> None:
    assert host_label(label) == parsed


def test_aliases_are_unique_valid_and_bounded() -> None:
    aliases = {new_alias("a" * 50) for _ in range(100)}
    assert len(aliases) == 100
    assert all(len(a) <= 63 and a.endswith("-s3alias") and a.startswith("a" * 20 + "-") for a in aliases)


def test_record_round_trips() -> None:
    point = AccessPoint("ap", "111122223333", "data", "444455556666", "ap-x-s3alias", "us-east-1", 12.5,
                        PublicAccessBlock(block_public_policy=True))
    assert AccessPoint.loads(point.dumps()) == point
    assert point.arn == "arn:aws:s3:us-east-1:111122223333:accesspoint/ap"
    assert point.resource_arn("k/1") == point.arn + "/object/k/1"
    assert point.resource_arn(None) == point.arn
    assert AccessPoint.loads(point.dumps().replace(point.public_access_block.dumps().replace('"', '\\"'),
                                                   "garbage")).public_access_block == ALL_BLOCKED


@pytest.mark.parametrize(("method", "path", "operation", "name"), [
    ("GET", "configuration/publicAccessBlock", "GetPublicAccessBlock", None),
    ("DELETE", "configuration/publicAccessBlock", "DeletePublicAccessBlock", None),
    ("GET", "accesspoint", "ListAccessPoints", None),
    ("PUT", "accesspoint/ap1", "CreateAccessPoint", "ap1"),
    ("GET", "accesspoint/ap1", "GetAccessPoint", "ap1"),
    ("PUT", "accesspoint/ap1/policy", "PutAccessPointPolicy", "ap1"),
    ("GET", "accesspoint/ap1/policyStatus", "GetAccessPointPolicyStatus", "ap1"),
    ("POST", "accesspoint/ap1", None, None),
    ("GET", "jobs", None, None),
    ("GET", "accesspoint/ap1/other", None, None),
])
def test_control_routes(method: str, path: str, operation: str | None, name: str | None) -> None:
    routed = route(method, path)
    if operation is None:
        assert routed is None
    else:
        assert routed is not None and (routed[0].name, routed[1]) == (operation, name)
