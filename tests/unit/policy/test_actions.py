"""Action / NotAction: the action table, validation per policy kind, case-insensitive matching."""

from __future__ import annotations

from typing import Any

import pytest

from ironbucket.policy import Decision, PolicyError, PolicyKind
from ironbucket.policy.actions import KNOWN
from ironbucket.policy.actions_data import ACTIONS
from tests.unit.policy.helpers import decide, policy, stmt


def test_table_covers_the_services_ironbucket_knows() -> None:
    assert set(ACTIONS) == {"s3", "s3express", "s3-object-lambda", "iam", "sts", "kms", "cloudtrail"}
    for name in ("GetObject", "PutObject", "ListBucket", "DeleteObjectVersion", "PutBucketPolicy"):
        assert name in ACTIONS["s3"]
    assert "AssumeRole" in ACTIONS["sts"]
    assert "CreateSession" in ACTIONS["s3express"]
    assert "Decrypt" in ACTIONS["kms"]
    assert "CreateAccessKey" in ACTIONS["iam"]
    assert "LookupEvents" in ACTIONS["cloudtrail"]
    assert all(name.isalnum() for names in ACTIONS.values() for name in names)


@pytest.mark.parametrize(
    ("pattern", "action", "applies"),
    [
        ("s3:GetObject", "s3:GetObject", True),
        ("s3:GetObject", "S3:GETOBJECT", True),  # case-insensitive
        ("S3:getobject", "s3:GetObject", True),
        ("s3:GetObject", "s3:GetObjectAcl", False),
        ("s3:Get*", "s3:GetObjectAcl", True),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:*Object", "s3:DeleteObject", True),
        ("s3:*", "s3:ListBucket", True),
        ("s3:*", "s3express:CreateSession", False),
        ("*", "kms:Decrypt", True),
        ("s3:Get?bject", "s3:GetObject", True),
        ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ],
)
def test_matching(pattern: str, action: str, applies: bool) -> None:
    compiled = policy(stmt(action=pattern))
    assert (decide(compiled, action=action) is Decision.ALLOW) is applies


def test_action_list() -> None:
    compiled = policy(stmt(action=["s3:GetObject", "s3:List*"]))
    assert decide(compiled, action="s3:ListBucketVersions") is Decision.ALLOW
    assert decide(compiled, action="s3:GetObject") is Decision.ALLOW
    assert decide(compiled, action="s3:PutObject") is Decision.NOT_APPLICABLE


@pytest.mark.parametrize(
    "action",
    [
        "s3:GetObjekt",
        "s3:Get*Objekt",
        "s3:",
        "s3",
        ":GetObject",
        "s3:Get Object",
        "s3:Get-Object",
        "ec2:RunInstances",  # unknown service
        "s3*:GetObject",
        "s3:GetObject:x",
        "s3:" + "a" * 129,
        "",
    ],
)
@pytest.mark.parametrize("kind", [PolicyKind.IDENTITY, PolicyKind.RESOURCE])
def test_invalid_actions(action: str, kind: PolicyKind) -> None:
    principal: dict[str, Any] = {} if kind is PolicyKind.IDENTITY else {"Principal": "*"}
    with pytest.raises(PolicyError, match="Policy has invalid action"):
        policy(stmt(action=action, **principal), kind=kind)


@pytest.mark.parametrize("action", [1, None, ["s3:GetObject", 5], [], {"a": "b"}])
def test_action_types(action: object) -> None:
    with pytest.raises(PolicyError, match="Policy has invalid action"):
        policy(stmt(action=action))


def test_endpoint_policies_may_name_unknown_services() -> None:
    compiled = policy(
        stmt(action=["dynamodb:GetItem", "s3:GetObject"], Principal="*"), kind=PolicyKind.ENDPOINT
    )
    assert decide(compiled, action="dynamodb:GetItem") is Decision.ALLOW
    with pytest.raises(PolicyError, match="Policy has invalid action: s3:GetObjekt"):
        policy(stmt(action="s3:GetObjekt", Principal="*"), kind=PolicyKind.ENDPOINT)


@pytest.mark.parametrize("action", ["sts:AssumeRole", "sts:AssumeRoleWith*", "sts:TagSession", "sts:*", "*"])
def test_trust_policy_actions(action: str) -> None:
    policy(
        stmt(action=action, resource=None, Principal={"Service": "ec2.amazonaws.com"}), kind=PolicyKind.TRUST
    )


@pytest.mark.parametrize("action", ["s3:GetObject", "sts:GetCallerIdentity", "sts:Get*"])
def test_trust_policy_rejects_other_actions(action: str) -> None:
    with pytest.raises(PolicyError, match="AssumeRole policy may only specify STS AssumeRole actions"):
        policy(stmt(action=action, resource=None, Principal={"AWS": "123456789012"}), kind=PolicyKind.TRUST)


def test_known_is_lower_cased() -> None:
    assert "getobject" in KNOWN["s3"]
