"""S3 access control lists: the grant model, canned ACLs, the ``x-amz-grant-*`` headers, and the
stored form. Pure (no I/O); the XML document lives in ``acl_xml.py``, evaluation in ``authz/acl.py``.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ironbucket.errors import InvalidArgument, InvalidRequest

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})

CANONICAL_USER, GROUP, EMAIL = "CanonicalUser", "Group", "AmazonCustomerByEmail"
FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP = "FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"
PERMISSIONS = (FULL_CONTROL, READ, WRITE, READ_ACP, WRITE_ACP)
MAX_GRANTS = 100  # S3's limit per ACL

GRANT_HEADERS: Mapping[str, str] = {
    "x-amz-grant-full-control": FULL_CONTROL,
    "x-amz-grant-read": READ,
    "x-amz-grant-write": WRITE,
    "x-amz-grant-read-acp": READ_ACP,
    "x-amz-grant-write-acp": WRITE_ACP,
}
CANNED = ("private", "public-read", "public-read-write", "authenticated-read", "bucket-owner-read",
          "bucket-owner-full-control", "log-delivery-write", "aws-exec-read")


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # CANONICAL_USER | GROUP | EMAIL (emails are resolved to canonical ids before storing)
    grantee: str  # canonical id (lower-case hex), group URI, or e-mail address
    permission: str


Grants = tuple[Grant, ...]


def owner_full_control(owner_canonical: str) -> Grants:
    return (Grant(CANONICAL_USER, owner_canonical, FULL_CONTROL),)


def canned(name: str, owner: str, bucket_owner: str, *, for_bucket: bool) -> Grants:
    """The grants a canned ACL stands for. ``owner``/``bucket_owner``: canonical ids. On a bucket,
    the ``bucket-owner-*`` ACLs are accepted and mean ``private`` (the owner is the bucket owner)."""
    base = owner_full_control(owner)
    match name:
        case "private":
            return base
        case "public-read":
            return (*base, Grant(GROUP, ALL_USERS, READ))
        case "public-read-write":
            return (*base, Grant(GROUP, ALL_USERS, READ), Grant(GROUP, ALL_USERS, WRITE))
        case "authenticated-read":
            return (*base, Grant(GROUP, AUTHENTICATED_USERS, READ))
        case "bucket-owner-read":
            return base if for_bucket or bucket_owner == owner else (
                *base, Grant(CANONICAL_USER, bucket_owner, READ))
        case "bucket-owner-full-control":
            return base if for_bucket or bucket_owner == owner else (
                *base, Grant(CANONICAL_USER, bucket_owner, FULL_CONTROL))
        case "log-delivery-write":
            return (*base, Grant(GROUP, LOG_DELIVERY, WRITE), Grant(GROUP, LOG_DELIVERY, READ_ACP))
        case "aws-exec-read":
            return base  # EC2's read access has no counterpart here
    raise InvalidArgument(None, ArgumentName="x-amz-acl", ArgumentValue=name)


# One grantee in a header: id="...", uri="...", emailAddress="..." (quotes optional).
_GRANTEE = re.compile(r'\s*(id|uri|emailaddress)\s*=\s*(?:"([^"]*)"|([^,\s]+))\s*(?:,|$)', re.IGNORECASE)
_KINDS = {"id": CANONICAL_USER, "uri": GROUP, "emailaddress": EMAIL}


def parse_grant_header(header: str, value: str) -> list[Grant]:
    permission = GRANT_HEADERS[header]
    grants: list[Grant] = []
    position = 0
    text = value.strip()
    while position < len(text):
        found = _GRANTEE.match(text, position)
        if found is None or found.end() == position:
            raise InvalidArgument("Invalid grant header value", ArgumentName=header, ArgumentValue=value)
        raw = found.group(2) if found.group(2) is not None else found.group(3)
        grants.append(grant(_KINDS[found.group(1).lower()], raw, permission))
        position = found.end()
    if not grants:
        raise InvalidArgument("Invalid grant header value", ArgumentName=header, ArgumentValue=value)
    return grants


def grant(kind: str, grantee: str, permission: str) -> Grant:
    """One validated grant (InvalidArgument as S3 answers for a bad id or group)."""
    grantee = grantee.strip()
    if permission not in PERMISSIONS:
        raise InvalidArgument("Invalid permission", ArgumentName="Permission", ArgumentValue=permission)
    if kind == GROUP and grantee not in GROUPS:
        raise InvalidArgument("Invalid group uri", ArgumentName="uri", ArgumentValue=grantee)
    if kind == CANONICAL_USER:
        grantee = grantee.lower()
        if not re.fullmatch(r"[0-9a-f]{64}", grantee):
            raise InvalidArgument("Invalid id", ArgumentName="CanonicalUser/ID", ArgumentValue=grantee)
    if kind == EMAIL and "@" not in grantee:
        raise InvalidArgument("Invalid e-mail address", ArgumentName="emailAddress", ArgumentValue=grantee)
    return Grant(kind, grantee, permission)


@dataclass(frozen=True, slots=True)
class RequestedAcl:
    """What a request said about the ACL: a canned name, explicit grants, or nothing."""

    canned: str | None = None
    grants: Grants = ()

    @property
    def given(self) -> bool:
        return self.canned is not None or bool(self.grants)


def from_headers(headers: Mapping[str, str]) -> RequestedAcl:
    """``x-amz-acl`` or ``x-amz-grant-*`` (never both: InvalidRequest, as S3 says)."""
    name = headers.get("x-amz-acl")
    explicit = [g for h in GRANT_HEADERS if h in headers for g in parse_grant_header(h, headers[h])]
    if name is not None and explicit:
        raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if name is not None:
        name = name.strip()
        if name not in CANNED:
            raise InvalidArgument(None, ArgumentName="x-amz-acl", ArgumentValue=name)
        return RequestedAcl(canned=name)
    if len(explicit) > MAX_GRANTS:
        raise InvalidArgument("Too many grants", ArgumentName="x-amz-grant-*")
    return RequestedAcl(grants=tuple(explicit))


def acl_is_public(grants: Iterable[Grant]) -> bool:
    """S3's "public" for ACLs (Block Public Access): any grant to AllUsers or AuthenticatedUsers."""
    return any(g.kind == GROUP and g.grantee in (ALL_USERS, AUTHENTICATED_USERS) for g in grants)


def only_owner(grants: Iterable[Grant], owner_canonical: str) -> bool:
    """Does the ACL grant nothing to anyone but ``owner`` (what an ACL-disabled bucket allows)?"""
    return all(g.kind == CANONICAL_USER and g.grantee == owner_canonical for g in grants)


# --- stored form: a small versioned JSON document ------------------------------------------------
_FORMAT = 1


def dump(grants: Grants) -> str:
    return json.dumps({"v": _FORMAT, "grants": [[g.kind, g.grantee, g.permission] for g in grants]},
                      separators=(",", ":"))


def load(text: str) -> Grants:
    doc = json.loads(text)
    if doc.get("v", 1) > _FORMAT:
        raise RuntimeError("stored ACL has a newer format than this server reads")
    return tuple(Grant(kind, grantee, permission) for kind, grantee, permission in doc["grants"])
