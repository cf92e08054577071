"""IAM users: CreateUser, GetUser, UpdateUser, DeleteUser, ListUsers."""

from __future__ import annotations

from ironbucket.http.query_protocol import iso8601
from ironbucket.http.xml import XmlWriter
from ironbucket.iam import ids, render
from ironbucket.iam.call import IamCall, caller_user_name, find_policy, find_user
from ironbucket.iam.errors import DeleteConflict, NoSuchEntity
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import ARN, EXISTING_USER_NAME, PATH, PATH_PREFIX, USER_NAME
from ironbucket.mfa import devices
from ironbucket.storage.interfaces import IamUser


async def boundary_arn(call: IamCall) -> str | None:
    """The ``PermissionsBoundary`` parameter of CreateUser / CreateRole, checked to exist."""
    arn = call.params.optional("PermissionsBoundary", ARN)
    if arn is None:
        return None
    try:
        await find_policy(call, arn)
    except NoSuchEntity:
        raise NoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.") from None
    return arn


async def create_user(call: IamCall) -> XmlWriter:
    p = call.params
    name = p.required("UserName", USER_NAME)
    path = p.optional("Path", PATH) or "/"
    user = IamUser(account_id=call.account_id, name=name, user_id=ids.new_id(ids.USER), path=path,
                   created_at=call.now, permissions_boundary=await boundary_arn(call), tags=p.tags())
    await call.meta.iam_create_user(user)
    w = call.result()
    render.user(w, user)
    return w


async def get_user(call: IamCall) -> XmlWriter:
    name = caller_user_name(call.principal, call.params.optional("UserName", EXISTING_USER_NAME))
    w = call.result()
    if name is None:
        # The root user, as AWS answers it: the account id as UserId, the root ARN, no name or path.
        account = await call.meta.get_account(call.account_id)
        w.start("User").element("UserId", call.account_id).element("Arn", call.principal.arn)
        w.element("CreateDate", iso8601(account.created_at if account else call.now)).end()
        return w
    render.user(w, await find_user(call, name))
    return w


async def update_user(call: IamCall) -> None:
    p = call.params
    user = await find_user(call, p.required("UserName", EXISTING_USER_NAME))
    new_name = p.optional("NewUserName", USER_NAME)
    new_path = p.optional("NewPath", PATH)
    await call.meta.iam_update_user(user.user_id, new_name, new_path)


async def delete_user(call: IamCall) -> None:
    user = await find_user(call, call.params.required("UserName", EXISTING_USER_NAME))
    if any(d.user_id == user.user_id for d in await devices.in_account(call.meta, call.account_id)):
        raise DeleteConflict("Cannot delete entity, must remove MFA device first.")
    await call.meta.iam_delete_user(user.user_id)


async def list_users(call: IamCall) -> XmlWriter:
    prefix = call.params.optional("PathPrefix", PATH_PREFIX) or "/"
    paged = paging(call.params)
    found = await call.meta.iam_list_users(call.account_id, prefix, paged.after_pair(), paged.max_items + 1)
    items, truncated = page(found, paged.max_items)
    w = call.result()
    render.users(w, items)
    last = items[-1] if items else None
    write_truncation(w, truncated, encode_marker(last.path, last.name) if last else None)
    return w
