"""IAM groups and membership: CreateGroup, GetGroup (with its users), UpdateGroup, DeleteGroup,
AddUserToGroup, RemoveUserFromGroup, ListGroups, ListGroupsForUser."""

from __future__ import annotations

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import ids, render
from ironbucket.iam.call import IamCall, find_group, find_user
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import EXISTING_USER_NAME, GROUP_NAME, PATH, PATH_PREFIX
from ironbucket.storage.interfaces import IamGroup

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
GROUPS_PER_USER = 10


async def create_group(call: IamCall) -> XmlWriter:
    p = call.params
    group = IamGroup(account_id=call.account_id, name=p.required("GroupName", GROUP_NAME),
                     group_id=ids.new_id(ids.GROUP), path=p.optional("Path", PATH) or "/",
                     created_at=call.now)
    await call.meta.iam_create_group(group)
    w = call.result()
    render.group(w, group)
    return w


async def get_group(call: IamCall) -> XmlWriter:
    group = await find_group(call, call.params.required("GroupName", GROUP_NAME))
    paged = paging(call.params)
    found = await call.meta.iam_list_group_members(group.group_id, paged.after_text(), paged.max_items + 1)
    members, truncated = page(found, paged.max_items)
    w = call.result()
    render.group(w, group)
    render.users(w, members)
    write_truncation(w, truncated, encode_marker(members[-1].name) if members else None)
    return w


async def update_group(call: IamCall) -> None:
    p = call.params
    group = await find_group(call, p.required("GroupName", GROUP_NAME))
    await call.meta.iam_update_group(group.group_id, p.optional("NewGroupName", GROUP_NAME),
                                     p.optional("NewPath", PATH))


async def delete_group(call: IamCall) -> None:
    group = await find_group(call, call.params.required("GroupName", GROUP_NAME))
    await call.meta.iam_delete_group(group.group_id)


async def add_user_to_group(call: IamCall) -> None:
    p = call.params
    group = await find_group(call, p.required("GroupName", GROUP_NAME))
    user = await find_user(call, p.required("UserName", EXISTING_USER_NAME))
    await call.meta.iam_add_group_member(group.group_id, user.user_id, GROUPS_PER_USER)


async def remove_user_from_group(call: IamCall) -> None:
    p = call.params
    group = await find_group(call, p.required("GroupName", GROUP_NAME))
    user = await find_user(call, p.required("UserName", EXISTING_USER_NAME))
    await call.meta.iam_remove_group_member(group.group_id, user.user_id)


async def list_groups(call: IamCall) -> XmlWriter:
    prefix = call.params.optional("PathPrefix", PATH_PREFIX) or "/"
    paged = paging(call.params)
    found = await call.meta.iam_list_groups(call.account_id, prefix, paged.after_pair(), paged.max_items + 1)
    items, truncated = page(found, paged.max_items)
    w = call.result()
    render.groups(w, items)
    last = items[-1] if items else None
    write_truncation(w, truncated, encode_marker(last.path, last.name) if last else None)
    return w


async def list_groups_for_user(call: IamCall) -> XmlWriter:
    user = await find_user(call, call.params.required("UserName", EXISTING_USER_NAME))
    paged = paging(call.params)
    found = await call.meta.iam_list_user_groups(user.user_id, paged.after_text(), paged.max_items + 1)
    items, truncated = page(found, paged.max_items)
    w = call.result()
    render.groups(w, items)
    write_truncation(w, truncated, encode_marker(items[-1].name) if items else None)
    return w
