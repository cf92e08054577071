"""GetAccountAuthorizationDetails: every user, group, role and customer-managed policy of the
account with the policies that apply to it, in that order, paged across the four lists
(``Filter`` picks which). The marker is (list, path, name) of the last entity returned."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ironbucket.http.query_protocol import iso8601
from ironbucket.http.xml import XmlWriter
from ironbucket.iam import render
from ironbucket.iam.call import IamCall
from ironbucket.iam.documents import encoded
from ironbucket.iam.errors import InvalidInput
from ironbucket.iam.paging import encode_marker, paging, write_truncation
from ironbucket.iam.params import invalid
from ironbucket.storage.interfaces import IamGroup, IamRole, IamUser, ManagedPolicy

_FILTERS = ("User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy")
_LOCAL = ("User", "Group", "Role", "LocalManagedPolicy")  # this server has no AWS-managed policies
Lister = Callable[[IamCall, tuple[str, str] | None, int], Awaitable[Sequence[Any]]]


def _lister(kind: str) -> Lister:
    async def fetch(call: IamCall, after: tuple[str, str] | None, limit: int) -> Sequence[Any]:
        meta, account = call.meta, call.account_id
        if kind == "User":
            return await meta.iam_list_users(account, "/", after, limit)
        if kind == "Group":
            return await meta.iam_list_groups(account, "/", after, limit)
        if kind == "Role":
            return await meta.iam_list_roles(account, "/", after, limit)
        return await meta.iam_list_policies(account, "/", after, limit)
    return fetch


async def _page(call: IamCall, kinds: list[str], start: int, after: tuple[str, str] | None,
                max_items: int) -> tuple[dict[str, list[Any]], str | None]:
    """Up to ``max_items`` entities from list ``start`` on, and the marker if more follow."""
    found: dict[str, list[Any]] = {kind: [] for kind in kinds}
    remaining, last = max_items, None
    for index in range(start, len(kinds)):
        kind = kinds[index]
        if remaining == 0:  # full: is there anything left at all?
            if await _lister(kind)(call, None, 1):
                return found, encode_marker(*last) if last else None
            continue
        items = list(await _lister(kind)(call, after if index == start else None, remaining + 1))
        found[kind] = items[:remaining]
        if found[kind]:
            last = (index, found[kind][-1].path, found[kind][-1].name)
        if len(items) > remaining:
            return found, encode_marker(*last) if last else None
        remaining -= len(items)
    return found, None


async def get_account_authorization_details(call: IamCall) -> XmlWriter:
    wanted = call.params.strings("Filter")
    for value in wanted:
        if value not in _FILTERS:
            raise invalid("Filter", value, f"Member must satisfy enum value set: [{', '.join(_FILTERS)}]")
    kinds = [k for k in _LOCAL if not wanted or k in wanted]
    paged = paging(call.params)
    start, after = 0, None
    if paged.after is not None:
        try:
            start, after = int(paged.after[0]), (str(paged.after[1]), str(paged.after[2]))
        except (IndexError, TypeError, ValueError):
            raise InvalidInput("Invalid Marker.") from None
    found, marker = await _page(call, kinds, start, after, paged.max_items)
    w = call.result()
    w.start("UserDetailList")
    for user in found.get("User", []):
        await _user(call, w, user)
    w.end().start("GroupDetailList")
    for group in found.get("Group", []):
        await _group(call, w, group)
    w.end().start("RoleDetailList")
    for role in found.get("Role", []):
        await _role(call, w, role)
    w.end().start("Policies")
    for policy in found.get("LocalManagedPolicy", []):
        await _policy(call, w, policy)
    w.end()
    write_truncation(w, marker is not None, marker)
    return w


async def _inline(call: IamCall, w: XmlWriter, entity_id: str, element: str) -> None:
    w.start(element)
    for name, document in await call.meta.iam_inline_policies(entity_id):
        w.start("member").element("PolicyName", name).element("PolicyDocument", encoded(document)).end()
    w.end()


def _head(w: XmlWriter, path: str, kind: str, name: str, entity_id: str, arn: str, created: float) -> None:
    w.start("member").element("Path", path).element(f"{kind}Name", name).element(f"{kind}Id", entity_id)
    w.element("Arn", arn).element("CreateDate", iso8601(created))


async def _user(call: IamCall, w: XmlWriter, user: IamUser) -> None:
    _head(w, user.path, "User", user.name, user.user_id, user.arn, user.created_at)
    await _inline(call, w, user.user_id, "UserPolicyList")
    groups = await call.meta.iam_list_user_groups(user.user_id, None, 1000)
    render.names(w, [g.name for g in groups], "GroupList")
    render.attached(w, await call.meta.iam_attached_policies(user.user_id), "AttachedManagedPolicies")
    render.boundary(w, user.permissions_boundary)
    render.tags(w, user.tags)
    w.end()


async def _group(call: IamCall, w: XmlWriter, group: IamGroup) -> None:
    _head(w, group.path, "Group", group.name, group.group_id, group.arn, group.created_at)
    await _inline(call, w, group.group_id, "GroupPolicyList")
    render.attached(w, await call.meta.iam_attached_policies(group.group_id), "AttachedManagedPolicies")
    w.end()


async def _role(call: IamCall, w: XmlWriter, role: IamRole) -> None:
    _head(w, role.path, "Role", role.name, role.role_id, role.arn, role.created_at)
    w.element("AssumeRolePolicyDocument", encoded(role.trust_policy))
    w.start("InstanceProfileList").end()
    await _inline(call, w, role.role_id, "RolePolicyList")
    render.attached(w, await call.meta.iam_attached_policies(role.role_id), "AttachedManagedPolicies")
    render.boundary(w, role.permissions_boundary)
    render.tags(w, role.tags)
    w.start("RoleLastUsed").end()
    w.end()


async def _policy(call: IamCall, w: XmlWriter, policy: ManagedPolicy) -> None:
    w.start("member").element("PolicyName", policy.name).element("PolicyId", policy.policy_id)
    w.element("Arn", policy.arn).element("Path", policy.path)
    w.element("DefaultVersionId", policy.default_version)
    w.element("AttachmentCount", policy.attachment_count)
    w.element("PermissionsBoundaryUsageCount", policy.boundary_usage_count).element("IsAttachable", True)
    if policy.description:
        w.element("Description", policy.description)
    w.element("CreateDate", iso8601(policy.created_at)).element("UpdateDate", iso8601(policy.updated_at))
    w.start("PolicyVersionList")
    for version in await call.meta.iam_list_policy_versions(policy.policy_id):
        render.version(w, version, "member")
    w.end().end()
