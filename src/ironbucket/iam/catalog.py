"""The IAM operation catalog: for every IAM action this server implements, the resource its
``iam:<Action>`` permission is checked against, and the handler that runs it. The service routes
through this table only, so nothing runs that authorization has not passed;
``tests/unit/iam/test_catalog.py`` walks it against botocore's IAM model.

Resources per action: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ironbucket.iam import (
    access_keys,
    attachments,
    authorization_details,
    groups,
    inline_policies,
    managed_policies,
    mfa_devices,
    roles,
    simulate,
    tagging,
    users,
)
from ironbucket.iam.call import Handler
from ironbucket.storage.interfaces import IAM_GROUP, IAM_POLICY, IAM_ROLE, IAM_USER


class On(Enum):
    """Which ARN an action is checked against (see ``resources.resource_arn``)."""

    USER = "user"  # arn:aws:iam::<acct>:user/<path><UserName>; the caller's own user when absent
    GROUP = "group"  # ...:group/<path><GroupName>
    ROLE = "role"  # ...:role/<path><RoleName>
    POLICY = "policy"  # the PolicyArn parameter
    NEW_POLICY = "new-policy"  # ...:policy/<Path><PolicyName> (CreatePolicy)
    USERS = "users"  # ...:user/<PathPrefix> (listings)
    GROUPS = "groups"
    ROLES = "roles"
    POLICIES = "policies"
    KEY_OWNER = "key-owner"  # the user owning the AccessKeyId parameter
    POLICY_SOURCE = "policy-source"  # the PolicySourceArn parameter (a user or role)
    ALL = "all"  # "*"
    # Renames are checked on the target too (NewPath / NewUserName or NewGroupName):
    # https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html
    RENAMED_USER = "renamed-user"
    RENAMED_GROUP = "renamed-group"
    # MFA devices: ...:mfa/<path><name> (the SerialNumber, or Path + VirtualMFADeviceName when
    # creating); MFA_USER is USER where UserName ``root`` means the calling root user itself.
    MFA = "mfa"
    NEW_MFA = "new-mfa"
    MFA_USER = "mfa-user"


@dataclass(frozen=True, slots=True)
class IamOperation:
    name: str  # AWS's action name; the IAM action is iam:<name>
    on: On
    handler: Handler
    also_on: On | None = None  # a second resource the same action is checked against

    @property
    def action(self) -> str:
        return f"iam:{self.name}"


def _ops(*items: tuple[str, On, Handler] | tuple[str, On, Handler, On]) -> dict[str, IamOperation]:
    return {item[0]: IamOperation(*item) for item in items}


U, G, R, P = IAM_USER, IAM_GROUP, IAM_ROLE, IAM_POLICY

CATALOG: dict[str, IamOperation] = _ops(
    # users
    ("CreateUser", On.USER, users.create_user),
    ("GetUser", On.USER, users.get_user),
    ("UpdateUser", On.USER, users.update_user, On.RENAMED_USER),
    ("DeleteUser", On.USER, users.delete_user),
    ("ListUsers", On.USERS, users.list_users),
    # groups
    ("CreateGroup", On.GROUP, groups.create_group),
    ("GetGroup", On.GROUP, groups.get_group),
    ("UpdateGroup", On.GROUP, groups.update_group, On.RENAMED_GROUP),
    ("DeleteGroup", On.GROUP, groups.delete_group),
    ("AddUserToGroup", On.GROUP, groups.add_user_to_group),
    ("RemoveUserFromGroup", On.GROUP, groups.remove_user_from_group),
    ("ListGroups", On.GROUPS, groups.list_groups),
    ("ListGroupsForUser", On.USER, groups.list_groups_for_user),
    # roles
    ("CreateRole", On.ROLE, roles.create_role),
    ("GetRole", On.ROLE, roles.get_role),
    ("UpdateRole", On.ROLE, roles.update_role),
    ("UpdateRoleDescription", On.ROLE, roles.update_role_description),
    ("UpdateAssumeRolePolicy", On.ROLE, roles.update_assume_role_policy),
    ("DeleteRole", On.ROLE, roles.delete_role),
    ("ListRoles", On.ROLES, roles.list_roles),
    # access keys
    ("CreateAccessKey", On.USER, access_keys.create_access_key),
    ("ListAccessKeys", On.USER, access_keys.list_access_keys),
    ("UpdateAccessKey", On.USER, access_keys.update_access_key),
    ("DeleteAccessKey", On.USER, access_keys.delete_access_key),
    ("GetAccessKeyLastUsed", On.KEY_OWNER, access_keys.get_access_key_last_used),
    # inline policies
    ("PutUserPolicy", On.USER, inline_policies.put(U)),
    ("GetUserPolicy", On.USER, inline_policies.get(U)),
    ("DeleteUserPolicy", On.USER, inline_policies.delete(U)),
    ("ListUserPolicies", On.USER, inline_policies.list_names(U)),
    ("PutGroupPolicy", On.GROUP, inline_policies.put(G)),
    ("GetGroupPolicy", On.GROUP, inline_policies.get(G)),
    ("DeleteGroupPolicy", On.GROUP, inline_policies.delete(G)),
    ("ListGroupPolicies", On.GROUP, inline_policies.list_names(G)),
    ("PutRolePolicy", On.ROLE, inline_policies.put(R)),
    ("GetRolePolicy", On.ROLE, inline_policies.get(R)),
    ("DeleteRolePolicy", On.ROLE, inline_policies.delete(R)),
    ("ListRolePolicies", On.ROLE, inline_policies.list_names(R)),
    # customer-managed policies
    ("CreatePolicy", On.NEW_POLICY, managed_policies.create_policy),
    ("GetPolicy", On.POLICY, managed_policies.get_policy),
    ("DeletePolicy", On.POLICY, managed_policies.delete_policy),
    ("ListPolicies", On.POLICIES, managed_policies.list_policies),
    ("CreatePolicyVersion", On.POLICY, managed_policies.create_policy_version),
    ("GetPolicyVersion", On.POLICY, managed_policies.get_policy_version),
    ("ListPolicyVersions", On.POLICY, managed_policies.list_policy_versions),
    ("DeletePolicyVersion", On.POLICY, managed_policies.delete_policy_version),
    ("SetDefaultPolicyVersion", On.POLICY, managed_policies.set_default_policy_version),
    # attachments and boundaries
    ("AttachUserPolicy", On.USER, attachments.attach(U)),
    ("DetachUserPolicy", On.USER, attachments.detach(U)),
    ("ListAttachedUserPolicies", On.USER, attachments.list_attached(U)),
    ("AttachGroupPolicy", On.GROUP, attachments.attach(G)),
    ("DetachGroupPolicy", On.GROUP, attachments.detach(G)),
    ("ListAttachedGroupPolicies", On.GROUP, attachments.list_attached(G)),
    ("AttachRolePolicy", On.ROLE, attachments.attach(R)),
    ("DetachRolePolicy", On.ROLE, attachments.detach(R)),
    ("ListAttachedRolePolicies", On.ROLE, attachments.list_attached(R)),
    ("ListEntitiesForPolicy", On.POLICY, attachments.list_entities_for_policy),
    ("PutUserPermissionsBoundary", On.USER, attachments.put_boundary(U)),
    ("DeleteUserPermissionsBoundary", On.USER, attachments.delete_boundary(U)),
    ("PutRolePermissionsBoundary", On.ROLE, attachments.put_boundary(R)),
    ("DeleteRolePermissionsBoundary", On.ROLE, attachments.delete_boundary(R)),
    # tags
    ("TagUser", On.USER, tagging.tag(U)),
    ("UntagUser", On.USER, tagging.untag(U)),
    ("ListUserTags", On.USER, tagging.list_tags(U)),
    ("TagRole", On.ROLE, tagging.tag(R)),
    ("UntagRole", On.ROLE, tagging.untag(R)),
    ("ListRoleTags", On.ROLE, tagging.list_tags(R)),
    ("TagPolicy", On.POLICY, tagging.tag(P)),
    ("UntagPolicy", On.POLICY, tagging.untag(P)),
    ("ListPolicyTags", On.POLICY, tagging.list_tags(P)),
    # virtual MFA devices
    ("CreateVirtualMFADevice", On.NEW_MFA, mfa_devices.create_virtual_mfa_device),
    ("EnableMFADevice", On.MFA_USER, mfa_devices.enable_mfa_device),
    ("ResyncMFADevice", On.MFA_USER, mfa_devices.resync_mfa_device),
    ("DeactivateMFADevice", On.MFA_USER, mfa_devices.deactivate_mfa_device),
    ("DeleteVirtualMFADevice", On.MFA, mfa_devices.delete_virtual_mfa_device),
    ("ListMFADevices", On.MFA_USER, mfa_devices.list_mfa_devices),
    ("ListVirtualMFADevices", On.ALL, mfa_devices.list_virtual_mfa_devices),
    # the whole account
    ("GetAccountAuthorizationDetails", On.ALL, authorization_details.get_account_authorization_details),
    # "what if": the enforcing engine, asked
    ("SimulatePrincipalPolicy", On.POLICY_SOURCE, simulate.simulate_principal_policy),
    ("SimulateCustomPolicy", On.ALL, simulate.simulate_custom_policy),
)
