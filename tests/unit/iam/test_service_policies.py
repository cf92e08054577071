"""The IAM service: inline and managed policies, attachments, boundaries, authorization details."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest

from ironbucket.iam.errors import (
    DeleteConflict,
    InvalidInput,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
)
from tests.unit.iam.support import ALLOW_ALL, OWNER, TRUST_EC2, Iam, tags, text, texts

ARN = f"arn:aws:iam::{OWNER}:policy/team/Read"


def _doc(actions: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17",
                       "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}, indent=2)


async def test_inline_policies(iam: Iam) -> None:
    await iam("CreateUser", UserName="u")
    await iam("PutUserPolicy", UserName="u", PolicyName="p1", PolicyDocument=ALLOW_ALL)
    got = await iam("GetUserPolicy", UserName="U", PolicyName="p1")
    assert text(got, "GetUserPolicyResult/UserName") == "u"
    assert unquote(text(got, "GetUserPolicyResult/PolicyDocument") or "") == ALLOW_ALL
    listed = await iam("ListUserPolicies", UserName="u")
    assert texts(listed, "ListUserPoliciesResult/PolicyNames/member") == ["p1"]
    with pytest.raises(MalformedPolicyDocument, match="s3:GetObjekt"):
        await iam("PutUserPolicy", UserName="u", PolicyName="bad", PolicyDocument=_doc(["s3:GetObjekt"]))
    with pytest.raises(MalformedPolicyDocument):
        await iam("PutUserPolicy", UserName="u", PolicyName="bad", PolicyDocument="{not json")
    # Whitespace does not count against the quota; the user total is 2,048 characters.
    roomy = _doc(["s3:GetObject"] * 10)
    await iam("PutUserPolicy", UserName="u", PolicyName="spaced",
              PolicyDocument=roomy.replace(" ", " " * 50))
    with pytest.raises(LimitExceeded, match="Maximum policy size of 2048 bytes exceeded for user u"):
        await iam("PutUserPolicy", UserName="u", PolicyName="huge",
                  PolicyDocument=_doc(["s3:GetObject"] * 130))
    await iam("CreateGroup", GroupName="g")
    await iam("PutGroupPolicy", GroupName="g", PolicyName="gp", PolicyDocument=_doc(["s3:GetObject"] * 130))
    await iam("CreateRole", RoleName="r", AssumeRolePolicyDocument=TRUST_EC2)
    await iam("PutRolePolicy", RoleName="r", PolicyName="rp", PolicyDocument=ALLOW_ALL)
    listed = await iam("ListRolePolicies", RoleName="r")
    assert texts(listed, "ListRolePoliciesResult/PolicyNames/member") == ["rp"]
    await iam("DeleteRolePolicy", RoleName="r", PolicyName="rp")
    with pytest.raises(NoSuchEntity, match="The role policy with name rp cannot be found"):
        await iam("GetRolePolicy", RoleName="r", PolicyName="rp")


async def test_managed_policy_versions(iam: Iam) -> None:
    created = await iam("CreatePolicy", PolicyName="Read", Path="/team/", PolicyDocument=ALLOW_ALL,
                        Description="reads", **tags(owner="me"))
    assert text(created, "CreatePolicyResult/Policy/Arn") == ARN
    assert (text(created, "CreatePolicyResult/Policy/PolicyId") or "").startswith("ANPA")
    with pytest.raises(LimitExceeded, match="PolicySize: 6144"):
        await iam("CreatePolicy", PolicyName="Huge", PolicyDocument=_doc(["s3:GetObject"] * 500))
    for i, action in enumerate(("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:GetObjectTagging")):
        await iam("CreatePolicyVersion", PolicyArn=ARN, PolicyDocument=_doc([action]),
                  SetAsDefault="true" if i == 3 else "false")
    with pytest.raises(LimitExceeded, match="up to 5 versions"):
        await iam("CreatePolicyVersion", PolicyArn=ARN, PolicyDocument=ALLOW_ALL)
    got = await iam("GetPolicy", PolicyArn=ARN)
    assert text(got, "GetPolicyResult/Policy/DefaultVersionId") == "v5"
    assert text(got, "GetPolicyResult/Policy/Description") == "reads"
    versions = await iam("ListPolicyVersions", PolicyArn=ARN, MaxItems="3")
    assert texts(versions, "ListPolicyVersionsResult/Versions/member/VersionId") == ["v5", "v4", "v3"]
    marker = text(versions, "ListPolicyVersionsResult/Marker") or ""
    more = await iam("ListPolicyVersions", PolicyArn=ARN, Marker=marker)
    assert texts(more, "ListPolicyVersionsResult/Versions/member/VersionId") == ["v2", "v1"]
    v1 = await iam("GetPolicyVersion", PolicyArn=ARN, VersionId="v1")
    assert unquote(text(v1, "GetPolicyVersionResult/PolicyVersion/Document") or "") == ALLOW_ALL
    with pytest.raises(DeleteConflict, match="default version"):
        await iam("DeletePolicyVersion", PolicyArn=ARN, VersionId="v5")
    with pytest.raises(DeleteConflict, match="more than one version"):
        await iam("DeletePolicy", PolicyArn=ARN)
    await iam("SetDefaultPolicyVersion", PolicyArn=ARN, VersionId="v1")
    for v in ("v2", "v3", "v4", "v5"):
        await iam("DeletePolicyVersion", PolicyArn=ARN, VersionId=v)
    await iam("DeletePolicy", PolicyArn=ARN)
    with pytest.raises(NoSuchEntity, match="was not found"):
        await iam("GetPolicy", PolicyArn=ARN)


async def test_policy_arns(iam: Iam) -> None:
    await iam("CreatePolicy", PolicyName="Read", Path="/team/", PolicyDocument=ALLOW_ALL)
    with pytest.raises(InvalidInput, match="is not valid"):
        await iam("GetPolicy", PolicyArn="arn:aws:s3:::not-a-policy")
    for wrong in (f"arn:aws:iam::{OWNER}:policy/Read", "arn:aws:iam::999988887777:policy/team/Read",
                  "arn:aws:iam::aws:policy/ReadOnlyAccess"):
        with pytest.raises(NoSuchEntity):
            await iam("GetPolicy", PolicyArn=wrong)
    assert text(await iam("GetPolicy", PolicyArn=f"arn:aws:iam::{OWNER}:policy/team/READ"),
                "GetPolicyResult/Policy/PolicyName") == "Read"


async def test_attachments_boundaries_and_entities(iam: Iam) -> None:
    await iam("CreatePolicy", PolicyName="Read", Path="/team/", PolicyDocument=ALLOW_ALL)
    await iam("CreateUser", UserName="u", PermissionsBoundary=ARN)
    await iam("CreateGroup", GroupName="g")
    await iam("CreateRole", RoleName="r", AssumeRolePolicyDocument=TRUST_EC2)
    await iam("AttachUserPolicy", UserName="u", PolicyArn=ARN)
    await iam("AttachGroupPolicy", GroupName="g", PolicyArn=ARN)
    await iam("AttachRolePolicy", RoleName="r", PolicyArn=ARN)
    user = await iam("GetUser", UserName="u")
    assert text(user, "GetUserResult/User/PermissionsBoundary/PermissionsBoundaryArn") == ARN
    attached = await iam("ListAttachedUserPolicies", UserName="u")
    assert texts(attached, "ListAttachedUserPoliciesResult/AttachedPolicies/member/PolicyArn") == [ARN]
    assert texts(await iam("ListAttachedUserPolicies", UserName="u", PathPrefix="/other/"),
                 "ListAttachedUserPoliciesResult/AttachedPolicies/member") == []
    entities = await iam("ListEntitiesForPolicy", PolicyArn=ARN)
    assert texts(entities, "ListEntitiesForPolicyResult/PolicyUsers/member/UserName") == ["u"]
    assert texts(entities, "ListEntitiesForPolicyResult/PolicyGroups/member/GroupName") == ["g"]
    assert texts(entities, "ListEntitiesForPolicyResult/PolicyRoles/member/RoleName") == ["r"]
    roles_only = await iam("ListEntitiesForPolicy", PolicyArn=ARN, EntityFilter="Role")
    assert texts(roles_only, "ListEntitiesForPolicyResult/PolicyUsers/member") == []
    got = await iam("GetPolicy", PolicyArn=ARN)
    assert text(got, "GetPolicyResult/Policy/AttachmentCount") == "3"
    assert text(got, "GetPolicyResult/Policy/PermissionsBoundaryUsageCount") == "1"
    listed = await iam("ListPolicies", Scope="Local", OnlyAttached="true")
    assert texts(listed, "ListPoliciesResult/Policies/member/PolicyName") == ["Read"]
    assert texts(await iam("ListPolicies", Scope="AWS"), "ListPoliciesResult/Policies/member") == []
    with pytest.raises(NoSuchEntity, match="does not exist or is not attachable"):
        await iam("AttachUserPolicy", UserName="u", PolicyArn=f"arn:aws:iam::{OWNER}:policy/Nope")
    with pytest.raises(NoSuchEntity, match="Scope ARN"):
        await iam("CreateRole", RoleName="r2", AssumeRolePolicyDocument=TRUST_EC2,
                  PermissionsBoundary=f"arn:aws:iam::{OWNER}:policy/Nope")
    await iam("DeleteUserPermissionsBoundary", UserName="u")
    await iam("PutRolePermissionsBoundary", RoleName="r", PermissionsBoundary=ARN)
    role = await iam("GetRole", RoleName="r")
    assert text(role, "GetRoleResult/Role/PermissionsBoundary/PermissionsBoundaryArn") == ARN
    await iam("DeleteRolePermissionsBoundary", RoleName="r")
    with pytest.raises(DeleteConflict, match="detach all policies"):
        await iam("DeleteRole", RoleName="r")
    for action, param, name in (("DetachUserPolicy", "UserName", "u"),
                                ("DetachGroupPolicy", "GroupName", "g"),
                                ("DetachRolePolicy", "RoleName", "r")):
        await iam(action, **{param: name, "PolicyArn": ARN})
    await iam("DeletePolicy", PolicyArn=ARN)


async def test_attachment_quota(iam: Iam) -> None:
    await iam("CreateUser", UserName="u")
    for i in range(11):
        await iam("CreatePolicy", PolicyName=f"p{i}", PolicyDocument=ALLOW_ALL)
    for i in range(10):
        await iam("AttachUserPolicy", UserName="u", PolicyArn=f"arn:aws:iam::{OWNER}:policy/p{i}")
    with pytest.raises(LimitExceeded, match="PoliciesPerUser: 10"):
        await iam("AttachUserPolicy", UserName="u", PolicyArn=f"arn:aws:iam::{OWNER}:policy/p10")


async def test_account_authorization_details_pages_across_lists(iam: Iam) -> None:
    await iam("CreatePolicy", PolicyName="P", PolicyDocument=ALLOW_ALL)
    for name in ("u1", "u2"):
        await iam("CreateUser", UserName=name)
    await iam("PutUserPolicy", UserName="u1", PolicyName="inline", PolicyDocument=ALLOW_ALL)
    await iam("AttachUserPolicy", UserName="u1", PolicyArn=f"arn:aws:iam::{OWNER}:policy/P")
    await iam("CreateGroup", GroupName="g")
    await iam("AddUserToGroup", GroupName="g", UserName="u1")
    await iam("CreateRole", RoleName="r", AssumeRolePolicyDocument=TRUST_EC2)
    seen: list[str] = []
    params = {"MaxItems": "2"}
    pages = 0
    while True:
        pages += 1
        page = await iam("GetAccountAuthorizationDetails", **params)
        r = "GetAccountAuthorizationDetailsResult"
        seen += texts(page, f"{r}/UserDetailList/member/UserName")
        seen += texts(page, f"{r}/GroupDetailList/member/GroupName")
        seen += texts(page, f"{r}/RoleDetailList/member/RoleName")
        seen += texts(page, f"{r}/Policies/member/PolicyName")
        if page.find(f"{r}/UserDetailList/member") is not None and "u1" in texts(
                page, f"{r}/UserDetailList/member/UserName"):
            assert texts(page, f"{r}/UserDetailList/member/GroupList/member") == ["g"]
            assert texts(page, f"{r}/UserDetailList/member/UserPolicyList/member/PolicyName") == ["inline"]
        if text(page, f"{r}/IsTruncated") == "false":
            break
        params["Marker"] = text(page, f"{r}/Marker") or ""
    assert seen == ["u1", "u2", "g", "r", "P"] and pages == 3
    only_roles = await iam("GetAccountAuthorizationDetails", **{"Filter.member.1": "Role"})
    assert texts(only_roles, "GetAccountAuthorizationDetailsResult/RoleDetailList/member/RoleName") == ["r"]
    assert texts(only_roles, "GetAccountAuthorizationDetailsResult/UserDetailList/member") == []
