"""The IAM service, called as the pipeline calls it: users, groups, roles, keys, authorization."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

import pytest

from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.grant import AccessGrant, Check
from ironbucket.errors import AccessDenied
from ironbucket.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAction,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import OWNER, TRUST_EC2, Iam, members, tags, text, texts


async def test_unknown_action(iam: Iam) -> None:
    with pytest.raises(InvalidAction, match="Could not find operation Frobnicate"):
        await iam("Frobnicate")


async def test_every_action_is_authorized_before_it_runs(iam: Iam, meta: SqliteMetadataStore,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Check] = []

    async def deny(self: Authorizer, checks: Sequence[Check]) -> AccessGrant:
        seen.extend(checks)
        raise AccessDenied()

    await iam("CreateUser", UserName="existing", Path="/team/")
    monkeypatch.setattr(Authorizer, "authorize", deny)
    with pytest.raises(AccessDenied):
        await iam("CreateUser", UserName="bob", Path="/ops/")
    with pytest.raises(AccessDenied):
        await iam("DeleteUser", UserName="EXISTING")
    with pytest.raises(AccessDenied):
        await iam("ListUsers", PathPrefix="/team/")
    with pytest.raises(AccessDenied):
        await iam("AttachRolePolicy", RoleName="r", PolicyArn=f"arn:aws:iam::{OWNER}:policy/p")
    with pytest.raises(AccessDenied):
        await iam("GetAccountAuthorizationDetails")
    with pytest.raises(AccessDenied):
        await iam("UpdateUser", UserName="existing", NewUserName="renamed")
    assert seen == [
        Check("iam:CreateUser", f"arn:aws:iam::{OWNER}:user/ops/bob", OWNER),
        Check("iam:DeleteUser", f"arn:aws:iam::{OWNER}:user/team/existing", OWNER),
        Check("iam:ListUsers", f"arn:aws:iam::{OWNER}:user/team/", OWNER),
        Check("iam:AttachRolePolicy", f"arn:aws:iam::{OWNER}:role/r", OWNER),
        Check("iam:GetAccountAuthorizationDetails", "*", OWNER),
        # A rename needs the permission on the target as well.
        Check("iam:UpdateUser", f"arn:aws:iam::{OWNER}:user/team/existing", OWNER),
        Check("iam:UpdateUser", f"arn:aws:iam::{OWNER}:user/team/renamed", OWNER),
    ]
    assert await meta.iam_get_user(OWNER, "bob") is None
    assert await meta.iam_get_user(OWNER, "existing") is not None


async def test_user_lifecycle(iam: Iam) -> None:
    created = await iam("CreateUser", UserName="Alice", Path="/eng/", **tags(team="core"))
    user_id = text(created, "CreateUserResult/User/UserId")
    assert user_id is not None and user_id.startswith("AIDA") and len(user_id) == 21
    assert text(created, "CreateUserResult/User/Arn") == f"arn:aws:iam::{OWNER}:user/eng/Alice"
    got = await iam("GetUser", UserName="alice")
    assert text(got, "GetUserResult/User/UserName") == "Alice"
    assert texts(got, "GetUserResult/User/Tags/member/Key") == ["team"]
    with pytest.raises(EntityAlreadyExists, match="User with name ALICE already exists"):
        await iam("CreateUser", UserName="ALICE")
    await iam("UpdateUser", UserName="alice", NewUserName="alicia", NewPath="/ops/")
    with pytest.raises(NoSuchEntity, match="The user with name alice cannot be found"):
        await iam("GetUser", UserName="alice")
    listed = await iam("ListUsers")
    assert texts(listed, "ListUsersResult/Users/member/Arn") == [f"arn:aws:iam::{OWNER}:user/ops/alicia"]
    assert text(listed, "ListUsersResult/Users/member/Tags") is None  # listings leave tags out
    await iam("DeleteUser", UserName="alicia")
    assert texts(await iam("ListUsers"), "ListUsersResult/Users/member") == []


async def test_validation(iam: Iam) -> None:
    with pytest.raises(ValidationError, match="at 'userName'"):
        await iam("CreateUser", UserName="bad name")
    with pytest.raises(ValidationError, match="at 'path'"):
        await iam("CreateUser", UserName="ok", Path="no-slashes")
    with pytest.raises(ValidationError, match="must not be null"):
        await iam("CreateGroup")


async def test_list_users_pages(iam: Iam) -> None:
    for i in range(5):
        await iam("CreateUser", UserName=f"u{i}")
    names: list[str] = []
    params: dict[str, str] = {"MaxItems": "2"}
    while True:
        page = await iam("ListUsers", **params)
        names += texts(page, "ListUsersResult/Users/member/UserName")
        if text(page, "ListUsersResult/IsTruncated") == "false":
            assert text(page, "ListUsersResult/Marker") is None
            break
        params["Marker"] = text(page, "ListUsersResult/Marker") or ""
    assert names == ["u0", "u1", "u2", "u3", "u4"]


SELF_SERVICE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
    '["iam:GetUser", "iam:CreateAccessKey", "iam:ListAccessKeys"], '
    '"Resource": "arn:aws:iam::*:user/${aws:username}"}]}'
)


async def test_get_user_answers_for_the_caller(iam: Iam, meta: SqliteMetadataStore) -> None:
    root = await iam("GetUser")
    assert text(root, "GetUserResult/User/Arn") == f"arn:aws:iam::{OWNER}:root"
    assert text(root, "GetUserResult/User/UserId") == OWNER
    assert text(root, "GetUserResult/User/UserName") is None
    await iam("CreateUser", UserName="bob")
    # Like every IAM action, even reading oneself needs a policy that allows it.
    await iam("PutUserPolicy", UserName="bob", PolicyName="self", PolicyDocument=SELF_SERVICE)
    bob = await meta.iam_get_user(OWNER, "bob")
    assert bob is not None
    me = await iam.as_user(bob)("GetUser")
    assert text(me, "GetUserResult/User/UserName") == "bob"


async def test_groups_and_membership(iam: Iam) -> None:
    await iam("CreateGroup", GroupName="devs", Path="/eng/")
    for name in ("carol", "alice", "bob"):
        await iam("CreateUser", UserName=name)
        await iam("AddUserToGroup", GroupName="devs", UserName=name)
    first = await iam("GetGroup", GroupName="DEVS", MaxItems="2")
    assert text(first, "GetGroupResult/Group/Arn") == f"arn:aws:iam::{OWNER}:group/eng/devs"
    assert texts(first, "GetGroupResult/Users/member/UserName") == ["alice", "bob"]
    rest = await iam("GetGroup", GroupName="devs", Marker=text(first, "GetGroupResult/Marker") or "")
    assert texts(rest, "GetGroupResult/Users/member/UserName") == ["carol"]
    groups = await iam("ListGroupsForUser", UserName="bob")
    assert texts(groups, "ListGroupsForUserResult/Groups/member/GroupName") == ["devs"]
    with pytest.raises(DeleteConflict):
        await iam("DeleteGroup", GroupName="devs")
    with pytest.raises(NoSuchEntity, match="group with name nope"):
        await iam("AddUserToGroup", GroupName="nope", UserName="bob")
    for name in ("carol", "alice", "bob"):
        await iam("RemoveUserFromGroup", GroupName="devs", UserName=name)
    await iam("UpdateGroup", GroupName="devs", NewGroupName="developers")
    assert texts(await iam("ListGroups"), "ListGroupsResult/Groups/member/GroupName") == ["developers"]
    await iam("DeleteGroup", GroupName="developers")


async def test_roles(iam: Iam) -> None:
    created = await iam("CreateRole", RoleName="app", AssumeRolePolicyDocument=TRUST_EC2,
                        Description="the app", MaxSessionDuration="7200", **tags(env="prod"))
    assert (text(created, "CreateRoleResult/Role/RoleId") or "").startswith("AROA")
    got = await iam("GetRole", RoleName="APP")
    assert unquote(text(got, "GetRoleResult/Role/AssumeRolePolicyDocument") or "") == TRUST_EC2
    assert text(got, "GetRoleResult/Role/MaxSessionDuration") == "7200"
    await iam("UpdateRole", RoleName="app", MaxSessionDuration="43200")
    described = await iam("UpdateRoleDescription", RoleName="app", Description="new")
    assert text(described, "UpdateRoleDescriptionResult/Role/Description") == "new"
    with pytest.raises(ValidationError, match="less than or equal to 43200"):
        await iam("UpdateRole", RoleName="app", MaxSessionDuration="43201")
    with pytest.raises(MalformedPolicyDocument):
        # An identity policy is no trust policy: it names no Principal.
        await iam("UpdateAssumeRolePolicy", RoleName="app",
                  PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                                 '"Action":"sts:AssumeRole","Resource":"*"}]}')
    big = TRUST_EC2.replace('"sts:AssumeRole"', '["sts:AssumeRole"' + ',"sts:TagSession"' * 150 + "]")
    with pytest.raises(LimitExceeded, match="ACLSizePerRole: 2048"):
        await iam("UpdateAssumeRolePolicy", RoleName="app", PolicyDocument=big)
    listed = await iam("ListRoles")
    assert texts(listed, "ListRolesResult/Roles/member/RoleName") == ["app"]
    await iam("DeleteRole", RoleName="app")
    with pytest.raises(NoSuchEntity, match="The role with name app cannot be found"):
        await iam("GetRole", RoleName="app")


async def test_tags(iam: Iam) -> None:
    await iam("CreateUser", UserName="u")
    await iam("TagUser", UserName="u", **tags(a="1", b="2", c="3"))
    await iam("UntagUser", UserName="u", **members("TagKeys", "b"))
    first = await iam("ListUserTags", UserName="u", MaxItems="1")
    assert texts(first, "ListUserTagsResult/Tags/member/Key") == ["a"]
    rest = await iam("ListUserTags", UserName="u", Marker=text(first, "ListUserTagsResult/Marker") or "")
    assert texts(rest, "ListUserTagsResult/Tags/member/Key") == ["c"]
    many = {f"Tags.member.{i}.Key": f"k{i}" for i in range(1, 50)}
    with pytest.raises(LimitExceeded):
        await iam("TagUser", UserName="u", **many)
    with pytest.raises(ValidationError):
        await iam("TagUser", UserName="u")
