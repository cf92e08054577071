"""The AccessControlPolicy document: parsed from Put*Acl bodies, rendered for Get*Acl.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_AccessControlPolicy.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.errors import MalformedACLError, MalformedXML
from ironbucket.features.acl import CANONICAL_USER, EMAIL, GROUP, MAX_GRANTS, Grant, Grants, grant
from ironbucket.http import xml
from ironbucket.http.xml import XmlWriter

XSI = "http://www.w3.org/2001/XMLSchema-instance"
_TYPE = f"{{{XSI}}}type"
# Which child names the grantee for each xsi:type.
_GRANTEE_FIELD = {CANONICAL_USER: "ID", GROUP: "URI", EMAIL: "EmailAddress"}


@dataclass(frozen=True, slots=True)
class Policy:
    owner_id: str | None  # the Owner/ID the document claims, if any
    grants: Grants


def parse_policy(body: bytes) -> Policy:
    """MalformedACLError for anything that is XML but not a valid AccessControlPolicy."""
    try:
        root = xml.parse(body)
    except MalformedXML as exc:
        raise MalformedACLError() from exc
    if xml.local_name(root) != "AccessControlPolicy":
        raise MalformedACLError()
    owner = xml.child(root, "Owner")
    owner_id = xml.child_text(owner, "ID") if owner is not None else None
    listed = xml.child(root, "AccessControlList")
    if listed is None:
        raise MalformedACLError()
    grants: list[Grant] = []
    for element in xml.children(listed, "Grant"):
        grantee = xml.child(element, "Grantee")
        permission = xml.child_text(element, "Permission")
        if grantee is None or permission is None:
            raise MalformedACLError()
        kind = grantee.get(_TYPE)
        if kind not in _GRANTEE_FIELD:
            raise MalformedACLError()
        value = xml.child_text(grantee, _GRANTEE_FIELD[kind])
        if not value:
            raise MalformedACLError()
        grants.append(grant(kind, value, permission.strip()))
    if len(grants) > MAX_GRANTS:
        raise MalformedACLError("Too many grants")
    return Policy(owner_id.strip().lower() if owner_id else None, tuple(grants))


def render_policy(owner_id: str, names: Mapping[str, str], grants: Grants) -> bytes:
    """``names``: display names by canonical id (grantees without one are shown by id only)."""
    writer = XmlWriter("AccessControlPolicy")
    writer.start("Owner").element("ID", owner_id).element("DisplayName", names.get(owner_id)).end()
    writer.start("AccessControlList")
    for g in grants:
        writer.raw(f'<Grant><Grantee xmlns:xsi="{XSI}" xsi:type="{g.kind}">')
        if g.kind == CANONICAL_USER:
            writer.element("ID", g.grantee).element("DisplayName", names.get(g.grantee))
        else:
            writer.element(_GRANTEE_FIELD[g.kind], g.grantee)
        writer.raw("</Grantee>").element("Permission", g.permission).raw("</Grant>")
    return writer.render()
