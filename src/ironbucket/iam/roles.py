"""IAM roles: CreateRole, GetRole, UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy,
DeleteRole, ListRoles. A role's trust policy is validated as a TRUST document (it must name a
Principal) and counted against the 2,048-character trust policy quota."""

from __future__ import annotations

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import ids, render
from ironbucket.iam.call import IamCall, find_role
from ironbucket.iam.documents import TRUST_POLICY_SIZE, read_document
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import PATH, PATH_PREFIX, ROLE_DESCRIPTION, ROLE_NAME
from ironbucket.iam.users import boundary_arn
from ironbucket.storage.interfaces import IamRole

MIN_SESSION, MAX_SESSION = 3600, 43200


def _trust_policy(call: IamCall, name: str) -> str:
    text, _ = read_document(call.params, name, trust=True, quota=TRUST_POLICY_SIZE,
                            quota_name="ACLSizePerRole")
    return text


async def create_role(call: IamCall) -> XmlWriter:
    p = call.params
    name = p.required("RoleName", ROLE_NAME)
    path = p.optional("Path", PATH) or "/"
    description = p.optional("Description", ROLE_DESCRIPTION)
    max_session = p.integer("MaxSessionDuration", MIN_SESSION, MAX_SESSION) or MIN_SESSION
    tags = p.tags()
    role = IamRole(account_id=call.account_id, name=name, role_id=ids.new_id(ids.ROLE),
                   trust_policy=_trust_policy(call, "AssumeRolePolicyDocument"), path=path,
                   created_at=call.now, description=description, max_session_duration=max_session,
                   permissions_boundary=await boundary_arn(call), tags=tags)
    await call.meta.iam_create_role(role)
    w = call.result()
    render.role(w, role)
    return w


async def get_role(call: IamCall) -> XmlWriter:
    w = call.result()
    render.role(w, await find_role(call, call.params.required("RoleName", ROLE_NAME)))
    return w


async def update_role(call: IamCall) -> XmlWriter:
    p = call.params
    role = await find_role(call, p.required("RoleName", ROLE_NAME))
    await call.meta.iam_update_role(
        role.role_id, description=p.optional("Description", ROLE_DESCRIPTION),
        max_session_duration=p.integer("MaxSessionDuration", MIN_SESSION, MAX_SESSION))
    return call.result()  # UpdateRoleResult is empty


async def update_role_description(call: IamCall) -> XmlWriter:
    p = call.params
    role = await find_role(call, p.required("RoleName", ROLE_NAME))
    await call.meta.iam_update_role(role.role_id, description=p.required("Description", ROLE_DESCRIPTION))
    w = call.result()
    render.role(w, await find_role(call, role.name))
    return w


async def update_assume_role_policy(call: IamCall) -> None:
    role = await find_role(call, call.params.required("RoleName", ROLE_NAME))
    await call.meta.iam_update_role(role.role_id, trust_policy=_trust_policy(call, "PolicyDocument"))


async def delete_role(call: IamCall) -> None:
    role = await find_role(call, call.params.required("RoleName", ROLE_NAME))
    await call.meta.iam_delete_role(role.role_id)


async def list_roles(call: IamCall) -> XmlWriter:
    prefix = call.params.optional("PathPrefix", PATH_PREFIX) or "/"
    paged = paging(call.params)
    found = await call.meta.iam_list_roles(call.account_id, prefix, paged.after_pair(), paged.max_items + 1)
    items, truncated = page(found, paged.max_items)
    w = call.result()
    render.roles(w, items)
    last = items[-1] if items else None
    write_truncation(w, truncated, encode_marker(last.path, last.name) if last else None)
    return w
