"""Managed policies attached to users, groups and roles, and permissions boundaries:
Attach/Detach{User,Group,Role}Policy, ListAttached{User,Group,Role}Policies, ListEntitiesForPolicy,
Put/Delete{User,Role}PermissionsBoundary."""

from __future__ import annotations

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import render
from ironbucket.iam.call import Handler, IamCall, find_entity, find_policy
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import ARN, PATH, POLICY_PATH
from ironbucket.storage.interfaces import (
    IAM_GROUP,
    IAM_ROLE,
    IAM_USER,
    PERMISSIONS_BOUNDARY,
    PERMISSIONS_POLICY,
    PolicyEntity,
)

# Managed policies per user, group or role (AWS's default quota, adjustable there up to 20):
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
ATTACHED_PER_ENTITY = 10
_ENTITY_FILTER = {"User": IAM_USER, "Group": IAM_GROUP, "Role": IAM_ROLE}
_SECTIONS = (("PolicyGroups", IAM_GROUP, "Group"), ("PolicyUsers", IAM_USER, "User"),
             ("PolicyRoles", IAM_ROLE, "Role"))


def attach(kind: str) -> Handler:
    async def attach_policy(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        policy = await find_policy(call, call.params.required("PolicyArn", ARN), attaching=True)
        await call.meta.iam_attach_policy(kind, entity.entity_id, policy.policy_id, ATTACHED_PER_ENTITY)
    return attach_policy


def detach(kind: str) -> Handler:
    async def detach_policy(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        policy = await find_policy(call, call.params.required("PolicyArn", ARN))
        await call.meta.iam_detach_policy(kind, entity.entity_id, policy.policy_id)
    return detach_policy


def list_attached(kind: str) -> Handler:
    async def list_attached_policies(call: IamCall) -> XmlWriter:
        entity = await find_entity(call, kind)
        prefix = call.params.optional("PathPrefix", POLICY_PATH) or "/"
        paged = paging(call.params)
        after = (paged.after_text() or "").lower()
        policies = [p for p in await call.meta.iam_attached_policies(entity.entity_id)
                    if p.path.startswith(prefix) and p.name.lower() > after]
        items, truncated = page(policies, paged.max_items)
        w = call.result()
        render.attached(w, items)
        write_truncation(w, truncated, encode_marker(items[-1].name) if items else None)
        return w
    return list_attached_policies


def put_boundary(kind: str) -> Handler:
    async def put_permissions_boundary(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        policy = await find_policy(call, call.params.required("PermissionsBoundary", ARN), attaching=True)
        await call.meta.iam_set_boundary(kind, entity.entity_id, policy.policy_id)
    return put_permissions_boundary


def delete_boundary(kind: str) -> Handler:
    async def delete_permissions_boundary(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        await call.meta.iam_set_boundary(kind, entity.entity_id, None)
    return delete_permissions_boundary


async def list_entities_for_policy(call: IamCall) -> XmlWriter:
    p = call.params
    policy = await find_policy(call, p.required("PolicyArn", ARN))
    entity_filter = p.choice("EntityFilter", ("User", "Role", "Group", "LocalManagedPolicy",
                                              "AWSManagedPolicy"))
    usage = p.choice("PolicyUsageFilter", (PERMISSIONS_POLICY, PERMISSIONS_BOUNDARY))
    prefix = p.optional("PathPrefix", PATH) or "/"
    paged = paging(p)
    found: list[PolicyEntity] = []
    if entity_filter is None or entity_filter in _ENTITY_FILTER:
        kind = _ENTITY_FILTER.get(entity_filter or "")
        found = await call.meta.iam_list_policy_entities(policy.policy_id, usage, kind, prefix,
                                                         paged.after_pair(), paged.max_items + 1)
    items, truncated = page(found, paged.max_items)
    w = call.result()
    for element, kind, title in _SECTIONS:
        w.start(element)
        for entity in items:
            if entity.kind == kind:
                w.start("member").element(f"{title}Name", entity.name).element(f"{title}Id", entity.entity_id)
                w.end()
        w.end()
    last = items[-1] if items else None
    write_truncation(w, truncated, encode_marker(last.kind, last.name) if last else None)
    return w
