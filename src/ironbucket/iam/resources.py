"""The resource ARN an IAM action is authorized against, from the request's parameters.

An entity's ARN holds its path, so an existing entity is looked up (policies may grant on
``user/division_abc/*``); a name not found yet (CreateUser, or a miss that will answer
NoSuchEntity after authorization) takes the request's ``Path``, else ``/``.
"""

from __future__ import annotations

from ironbucket.iam.call import IamCall, caller_user_name, parse_policy_arn
from ironbucket.iam.catalog import IamOperation, On
from ironbucket.iam.mfa_devices import DEVICE_NAME, SERIAL, mfa_owner
from ironbucket.iam.params import (
    ACCESS_KEY_ID,
    ARN,
    EXISTING_USER_NAME,
    GROUP_NAME,
    PATH,
    PATH_PREFIX,
    POLICY_NAME,
    POLICY_PATH,
    ROLE_NAME,
)

_LISTS = {On.USERS: ("user", PATH_PREFIX), On.GROUPS: ("group", PATH_PREFIX),
          On.ROLES: ("role", PATH_PREFIX), On.POLICIES: ("policy", POLICY_PATH)}


async def resource_arns(operation: IamOperation, call: IamCall) -> list[str]:
    """The ARNs an operation is checked against: its resource, and for a rename the target too."""
    arns = [await resource_arn(operation.on, call)]
    if operation.also_on is not None:
        also = await _renamed(operation.also_on, call, arns[0])
        if also is not None and also != arns[0]:
            arns.append(also)
    return arns


async def _renamed(on: On, call: IamCall, current: str) -> str | None:
    p = call.params
    kind, name_param = ("user", "NewUserName") if on is On.RENAMED_USER else ("group", "NewGroupName")
    new_name = p.optional(name_param, GROUP_NAME)
    new_path = p.optional("NewPath", PATH)
    if new_name is None and new_path is None:
        return None
    path, _, name = current.split(":", 5)[5][len(kind):].rpartition("/")
    return f"arn:aws:iam::{call.account_id}:{kind}{new_path or path + '/'}{new_name or name}"


async def resource_arn(on: On, call: IamCall) -> str:
    p, account = call.params, call.account_id
    iam = f"arn:aws:iam::{account}:"
    if on is On.ALL:
        return "*"
    if on is On.POLICY_SOURCE:
        return p.required("PolicySourceArn", ARN)
    if on in _LISTS:
        kind, shape = _LISTS[on]
        return f"{iam}{kind}{p.optional('PathPrefix', shape) or '/'}"
    if on is On.POLICY:
        arn = p.required("PolicyArn", ARN)
        parse_policy_arn(arn)
        return arn
    if on is On.NEW_POLICY:
        name = p.required("PolicyName", POLICY_NAME)
        return f"{iam}policy{p.optional('Path', POLICY_PATH) or '/'}{name}"
    if on is On.KEY_OWNER:
        key = await call.meta.get_access_key(p.required("AccessKeyId", ACCESS_KEY_ID))
        if key is not None and key.account_id == account and key.owner_kind == "user":
            user = await call.meta.iam_get_user(account, key.owner_name)
            if user is not None:
                return user.arn
        return f"{iam}root"
    if on is On.MFA:
        return p.required("SerialNumber", SERIAL)
    if on is On.NEW_MFA:
        return f"{iam}mfa{p.optional('Path', PATH) or '/'}{p.required('VirtualMFADeviceName', DEVICE_NAME)}"
    if on is On.MFA_USER and mfa_owner(call.principal, p.optional("UserName", EXISTING_USER_NAME)) is None:
        return call.principal.arn  # the root user, acting on its own devices
    if on in (On.USER, On.MFA_USER):
        user_name = caller_user_name(call.principal, p.optional("UserName", EXISTING_USER_NAME))
        if user_name is None:
            return call.principal.arn  # the root user, acting on itself
        user = await call.meta.iam_get_user(account, user_name)
        return user.arn if user is not None else f"{iam}user{p.optional('Path', PATH) or '/'}{user_name}"
    if on is On.GROUP:
        name = p.required("GroupName", GROUP_NAME)
        group = await call.meta.iam_get_group(account, name)
        return group.arn if group is not None else f"{iam}group{p.optional('Path', PATH) or '/'}{name}"
    name = p.required("RoleName", ROLE_NAME)
    role = await call.meta.iam_get_role(account, name)
    return role.arn if role is not None else f"{iam}role{p.optional('Path', PATH) or '/'}{name}"
