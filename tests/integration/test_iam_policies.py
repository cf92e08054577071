"""IAM policies with boto3 against the real server: inline policies, customer-managed policies and
their versions, attachments, permissions boundaries, tags, GetAccountAuthorizationDetails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer
from tests.integration.test_iam import TRUST, Account, error, fresh_account, iam_client, unique


def doc(*actions: str) -> dict[str, Any]:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


@pytest.fixture(scope="module")
def account(server: RunningServer) -> Account:
    return fresh_account(server.data_dir, "iam-policy-tests")


@pytest.fixture(scope="module")
def iam(server: RunningServer, account: Account) -> Any:
    return iam_client(server, account.access_key, account.secret_key)


def test_inline_policies_of_users_groups_roles(iam: Any) -> None:
    user, group, role = unique("u"), unique("g"), unique("r")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=json.dumps(doc("s3:GetObject")))
    iam.put_group_policy(GroupName=group, PolicyName="list", PolicyDocument=json.dumps(doc("s3:ListBucket")))
    iam.put_role_policy(RoleName=role, PolicyName="all", PolicyDocument=json.dumps(doc("s3:*")))
    got = iam.get_user_policy(UserName=user, PolicyName="read")
    assert got["PolicyDocument"] == doc("s3:GetObject")  # URL-encoded on the wire, decoded by botocore
    assert iam.list_group_policies(GroupName=group)["PolicyNames"] == ["list"]
    assert iam.get_role_policy(RoleName=role, PolicyName="all")["PolicyDocument"] == doc("s3:*")
    with pytest.raises(ClientError) as malformed:
        iam.put_user_policy(UserName=user, PolicyName="bad", PolicyDocument=json.dumps(doc("s3:GetObjekt")))
    assert error(malformed) == ("MalformedPolicyDocument", 400, "Policy has invalid action: s3:GetObjekt")
    with pytest.raises(ClientError) as not_json:
        iam.put_user_policy(UserName=user, PolicyName="bad", PolicyDocument="{")
    assert error(not_json)[:2] == ("MalformedPolicyDocument", 400)
    with pytest.raises(ClientError) as too_big:
        iam.put_user_policy(UserName=user, PolicyName="big",
                            PolicyDocument=json.dumps(doc(*["s3:GetObject"] * 140)))
    assert error(too_big) == ("LimitExceeded", 409,
                              f"Maximum policy size of 2048 bytes exceeded for user {user}")
    with pytest.raises(ClientError) as holds:
        iam.delete_role(RoleName=role)
    assert error(holds)[:2] == ("DeleteConflict", 409)
    iam.delete_user_policy(UserName=user, PolicyName="read")
    iam.delete_group_policy(GroupName=group, PolicyName="list")
    iam.delete_role_policy(RoleName=role, PolicyName="all")
    with pytest.raises(ClientError) as gone:
        iam.get_user_policy(UserName=user, PolicyName="read")
    assert error(gone)[:2] == ("NoSuchEntity", 404)
    iam.delete_user(UserName=user)
    iam.delete_group(GroupName=group)
    iam.delete_role(RoleName=role)


def test_managed_policy_versions(iam: Any, account: Account) -> None:
    name = unique("Read")
    policy = iam.create_policy(PolicyName=name, Path="/team/", PolicyDocument=json.dumps(doc("s3:GetObject")),
                               Description="reads", Tags=[{"Key": "o", "Value": "me"}])["Policy"]
    arn = policy["Arn"]
    assert arn == f"arn:aws:iam::{account.account_id}:policy/team/{name}"
    assert policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    with pytest.raises(ClientError) as duplicate:
        iam.create_policy(PolicyName=name.upper(), PolicyDocument=json.dumps(doc("s3:GetObject")))
    assert error(duplicate)[:2] == ("EntityAlreadyExists", 409)
    for i, action in enumerate(("s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetObjectTagging")):
        created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc(action)),
                                            SetAsDefault=i == 1)["PolicyVersion"]
        assert created["VersionId"] == f"v{i + 2}"
    with pytest.raises(ClientError) as limit:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(doc("s3:GetObject")))
    assert error(limit)[:2] == ("LimitExceeded", 409)
    got = iam.get_policy(PolicyArn=arn)["Policy"]
    assert got["DefaultVersionId"] == "v3" and got["Description"] == "reads"
    v3 = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert v3["Document"] == doc("s3:ListBucket")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v5", False), ("v4", False), ("v3", True), ("v2", False), ("v1", False)]
    with pytest.raises(ClientError) as default:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error(default)[:2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as versioned:
        iam.delete_policy(PolicyArn=arn)
    assert error(versioned)[:2] == ("DeleteConflict", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    for version in ("v1", "v2", "v3", "v4"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["o"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "x", "Value": "y"}]
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as gone:
        iam.get_policy(PolicyArn=arn)
    assert error(gone)[:2] == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as bad_arn:
        iam.get_policy(PolicyArn="arn:aws:s3:::not-a-policy-arn")
    assert error(bad_arn)[:2] == ("InvalidInput", 400)


def test_attachments_boundaries_and_listings(iam: Any) -> None:
    path = f"/{unique('p')}/"
    policies = [iam.create_policy(PolicyName=unique(f"p{i}"), Path=path,
                                  PolicyDocument=json.dumps(doc("s3:GetObject")))["Policy"]["Arn"]
                for i in range(11)]
    user, group, role = unique("u"), unique("g"), unique("r")
    iam.create_user(UserName=user, PermissionsBoundary=policies[0])
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(TRUST))
    assert iam.get_user(UserName=user)["User"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": policies[0]}
    for arn in policies[:10]:
        iam.attach_user_policy(UserName=user, PolicyArn=arn)
    with pytest.raises(ClientError) as limit:
        iam.attach_user_policy(UserName=user, PolicyArn=policies[10])
    assert error(limit)[:2] == ("LimitExceeded", 409)
    attached = list(iam.get_paginator("list_attached_user_policies").paginate(
        UserName=user, PaginationConfig={"PageSize": 4}))
    attached_arns = [p["PolicyArn"] for page in attached for p in page["AttachedPolicies"]]
    assert sorted(attached_arns) == sorted(policies[:10])
    iam.attach_group_policy(GroupName=group, PolicyArn=policies[0])
    iam.attach_role_policy(RoleName=role, PolicyArn=policies[0])
    iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=policies[1])
    entities = iam.list_entities_for_policy(PolicyArn=policies[0])
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [role]
    boundaries = iam.list_entities_for_policy(PolicyArn=policies[1], PolicyUsageFilter="PermissionsBoundary")
    assert [r["RoleName"] for r in boundaries["PolicyRoles"]] == [role] and boundaries["PolicyUsers"] == []
    got = iam.get_policy(PolicyArn=policies[0])["Policy"]
    assert (got["AttachmentCount"], got["PermissionsBoundaryUsageCount"]) == (3, 1)
    listed = list(iam.get_paginator("list_policies").paginate(
        Scope="Local", PathPrefix=path, OnlyAttached=True, PaginationConfig={"PageSize": 3}))
    assert len([p for page in listed for p in page["Policies"]]) == 10
    assert iam.list_policies(Scope="AWS")["Policies"] == []
    with pytest.raises(ClientError) as attached_policy:
        iam.delete_policy(PolicyArn=policies[0])
    assert error(attached_policy) == ("DeleteConflict", 409, "Cannot delete a policy attached to entities.")
    with pytest.raises(ClientError) as missing:
        iam.attach_role_policy(RoleName=role, PolicyArn=policies[0] + "x")
    assert error(missing)[:2] == ("NoSuchEntity", 404)
    iam.delete_role_permissions_boundary(RoleName=role)
    iam.delete_user_permissions_boundary(UserName=user)
    assert "PermissionsBoundary" not in iam.get_user(UserName=user)["User"]
    for arn in policies[:10]:
        iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.detach_group_policy(GroupName=group, PolicyArn=policies[0])
    iam.detach_role_policy(RoleName=role, PolicyArn=policies[0])
    for arn in policies:
        iam.delete_policy(PolicyArn=arn)
    iam.delete_user(UserName=user)
    iam.delete_group(GroupName=group)
    iam.delete_role(RoleName=role)


def test_user_tags(iam: Any) -> None:
    user = unique("tagged")
    iam.create_user(UserName=user, Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_user(UserName=user, Tags=[{"Key": "b", "Value": "2"}, {"Key": "c", "Value": "3"}])
    iam.untag_user(UserName=user, TagKeys=["a"])
    pages = list(iam.get_paginator("list_user_tags").paginate(UserName=user,
                                                               PaginationConfig={"PageSize": 1}))
    assert [t for page in pages for t in page["Tags"]] == [{"Key": "b", "Value": "2"},
                                                            {"Key": "c", "Value": "3"}]
    with pytest.raises(ClientError) as too_many:
        iam.tag_user(UserName=user, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    assert error(too_many)[:2] == ("LimitExceeded", 409)
    iam.delete_user(UserName=user)


def test_account_authorization_details(server: RunningServer) -> None:
    account = fresh_account(server.data_dir, "details")
    iam = iam_client(server, account.access_key, account.secret_key)
    arn = iam.create_policy(PolicyName="P", PolicyDocument=json.dumps(doc("s3:GetObject")))["Policy"]["Arn"]
    iam.create_user(UserName="u1")
    iam.create_user(UserName="u2")
    iam.put_user_policy(UserName="u1", PolicyName="inline", PolicyDocument=json.dumps(doc("s3:ListBucket")))
    iam.attach_user_policy(UserName="u1", PolicyArn=arn)
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="u1")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    pages = list(iam.get_paginator("get_account_authorization_details").paginate(
        PaginationConfig={"PageSize": 2}))
    users = [u for p in pages for u in p["UserDetailList"]]
    assert [u["UserName"] for u in users] == ["u1", "u2"]
    assert users[0]["GroupList"] == ["g"]
    assert users[0]["UserPolicyList"] == [{"PolicyName": "inline", "PolicyDocument": doc("s3:ListBucket")}]
    assert users[0]["AttachedManagedPolicies"] == [{"PolicyName": "P", "PolicyArn": arn}]
    assert [g["GroupName"] for p in pages for g in p["GroupDetailList"]] == ["g"]
    assert [r["AssumeRolePolicyDocument"] for p in pages for r in p["RoleDetailList"]] == [TRUST]
    policies = [q for p in pages for q in p["Policies"]]
    assert policies[0]["PolicyVersionList"][0]["Document"] == doc("s3:GetObject")
    roles_only = iam.get_account_authorization_details(Filter=["Role"])
    assert roles_only["UserDetailList"] == [] and len(roles_only["RoleDetailList"]) == 1
