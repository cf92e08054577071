"""The IAM catalog against botocore's IAM model: every action exists there, takes the parameter
its resource is built from, and every action of the "Accounts and IAM" issue is implemented."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from ironbucket.iam.catalog import CATALOG, On

_MODEL = botocore.session.get_session().get_service_model("iam")
_PARAM_OF = {On.USER: "UserName", On.GROUP: "GroupName", On.ROLE: "RoleName", On.POLICY: "PolicyArn",
             On.NEW_POLICY: "PolicyName", On.USERS: "PathPrefix", On.GROUPS: "PathPrefix",
             On.ROLES: "PathPrefix", On.POLICIES: "PathPrefix", On.KEY_OWNER: "AccessKeyId",
             On.MFA: "SerialNumber", On.NEW_MFA: "VirtualMFADeviceName", On.MFA_USER: "UserName"}
REQUIRED = (
    "CreateUser", "GetUser", "UpdateUser", "DeleteUser", "ListUsers", "CreateGroup", "GetGroup",
    "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup", "ListGroups", "ListGroupsForUser",
    "CreateRole", "GetRole", "UpdateRole", "UpdateAssumeRolePolicy", "DeleteRole", "ListRoles",
    "CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed",
    "PutUserPolicy", "GetUserPolicy", "DeleteUserPolicy", "ListUserPolicies", "PutGroupPolicy",
    "GetGroupPolicy", "DeleteGroupPolicy", "ListGroupPolicies", "PutRolePolicy", "GetRolePolicy",
    "DeleteRolePolicy", "ListRolePolicies", "CreatePolicy", "GetPolicy", "DeletePolicy", "ListPolicies",
    "CreatePolicyVersion", "GetPolicyVersion", "ListPolicyVersions", "DeletePolicyVersion",
    "SetDefaultPolicyVersion", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
    "DetachGroupPolicy", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedUserPolicies",
    "ListAttachedGroupPolicies", "ListAttachedRolePolicies", "ListEntitiesForPolicy",
    "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary", "TagUser", "UntagUser", "ListUserTags", "TagRole", "UntagRole",
    "ListRoleTags", "TagPolicy", "UntagPolicy", "ListPolicyTags", "GetAccountAuthorizationDetails",
    # issue 6: virtual MFA devices
    "CreateVirtualMFADevice", "EnableMFADevice", "ListMFADevices", "ListVirtualMFADevices",
    "DeactivateMFADevice", "DeleteVirtualMFADevice", "ResyncMFADevice",
)


def test_every_required_action_is_in_the_catalog() -> None:
    assert sorted(set(REQUIRED) - set(CATALOG)) == []


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_entry_matches_the_model(name: str) -> None:
    operation = CATALOG[name]
    assert name in _MODEL.operation_names
    assert operation.action == f"iam:{name}"
    members: dict[str, Any] = dict(_MODEL.operation_model(name).input_shape.members)
    if operation.on in _PARAM_OF:
        assert _PARAM_OF[operation.on] in members


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_list_actions_page(name: str) -> None:
    """Every action whose answer can be truncated takes MaxItems and Marker, and answers IsTruncated."""
    output = _MODEL.operation_model(name).output_shape
    if output is not None and "IsTruncated" in output.members:
        members = _MODEL.operation_model(name).input_shape.members
        assert "MaxItems" in members and "Marker" in members
