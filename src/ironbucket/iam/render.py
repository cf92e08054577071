"""IAM's data types as XML (the shapes ``User``, ``Group``, ``Role``, ``Policy``, ``PolicyVersion``,
``Tag``, ``AttachedPolicy`` of the API model). Lists wrap each item in ``<member>``.

Listing actions return a subset of each entity's attributes (no tags, no boundary), as AWS does:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ironbucket.http.query_protocol import iso8601
from ironbucket.http.xml import XmlWriter
from ironbucket.iam.documents import encoded
from ironbucket.storage.interfaces import IamGroup, IamRole, IamUser, ManagedPolicy, PolicyVersion


def tags(w: XmlWriter, items: Mapping[str, str], element: str = "Tags") -> None:
    w.start(element)
    for key, value in items.items():
        w.start("member").element("Key", key).element("Value", value).end()
    w.end()


def boundary(w: XmlWriter, arn: str | None) -> None:
    if arn is not None:
        w.start("PermissionsBoundary").element("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
        w.element("PermissionsBoundaryArn", arn).end()


def user(w: XmlWriter, u: IamUser, element: str = "User", *, full: bool = True) -> None:
    w.start(element).element("Path", u.path).element("UserName", u.name).element("UserId", u.user_id)
    w.element("Arn", u.arn).element("CreateDate", iso8601(u.created_at))
    if full:
        boundary(w, u.permissions_boundary)
        if u.tags:
            tags(w, u.tags)
    w.end()


def users(w: XmlWriter, items: Iterable[IamUser], element: str = "Users") -> None:
    w.start(element)
    for u in items:
        user(w, u, "member", full=False)
    w.end()


def group(w: XmlWriter, g: IamGroup, element: str = "Group") -> None:
    w.start(element).element("Path", g.path).element("GroupName", g.name).element("GroupId", g.group_id)
    w.element("Arn", g.arn).element("CreateDate", iso8601(g.created_at)).end()


def groups(w: XmlWriter, items: Iterable[IamGroup], element: str = "Groups") -> None:
    w.start(element)
    for g in items:
        group(w, g, "member")
    w.end()


def role(w: XmlWriter, r: IamRole, element: str = "Role", *, full: bool = True) -> None:
    w.start(element).element("Path", r.path).element("RoleName", r.name).element("RoleId", r.role_id)
    w.element("Arn", r.arn).element("CreateDate", iso8601(r.created_at))
    w.element("AssumeRolePolicyDocument", encoded(r.trust_policy))
    if r.description:
        w.element("Description", r.description)
    w.element("MaxSessionDuration", r.max_session_duration)
    if full:
        boundary(w, r.permissions_boundary)
        if r.tags:
            tags(w, r.tags)
        w.start("RoleLastUsed")
        if r.last_used_at is not None:
            w.element("LastUsedDate", iso8601(r.last_used_at)).element("Region", r.last_used_region)
        w.end()
    w.end()


def roles(w: XmlWriter, items: Iterable[IamRole], element: str = "Roles") -> None:
    w.start(element)
    for r in items:
        role(w, r, "member", full=False)
    w.end()


def policy(w: XmlWriter, p: ManagedPolicy, element: str = "Policy", *, full: bool = True) -> None:
    w.start(element).element("PolicyName", p.name).element("PolicyId", p.policy_id).element("Arn", p.arn)
    w.element("Path", p.path).element("DefaultVersionId", p.default_version)
    w.element("AttachmentCount", p.attachment_count)
    w.element("PermissionsBoundaryUsageCount", p.boundary_usage_count).element("IsAttachable", True)
    if full and p.description:
        w.element("Description", p.description)
    w.element("CreateDate", iso8601(p.created_at)).element("UpdateDate", iso8601(p.updated_at))
    if full and p.tags:
        tags(w, p.tags)
    w.end()


def version(w: XmlWriter, v: PolicyVersion, element: str = "PolicyVersion", *, document: bool = True) -> None:
    w.start(element)
    if document:
        w.element("Document", encoded(v.document))
    w.element("VersionId", v.version_id).element("IsDefaultVersion", v.is_default)
    w.element("CreateDate", iso8601(v.created_at)).end()


def attached(w: XmlWriter, items: Iterable[ManagedPolicy], element: str = "AttachedPolicies") -> None:
    w.start(element)
    for p in items:
        w.start("member").element("PolicyName", p.name).element("PolicyArn", p.arn).end()
    w.end()


def names(w: XmlWriter, items: Iterable[str], element: str) -> None:
    w.start(element)
    for name in items:
        w.element("member", name)
    w.end()
