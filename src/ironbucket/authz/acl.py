"""ACLs as a source of resource-based grants, following "How Amazon S3 authorizes a request":
https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html

* When the bucket's Object Ownership is BucketOwnerEnforced, ACLs are ignored: ``verdict``
  returns None and the bucket owner owns every object (the engine decides as before).
* Bucket context (bucket actions, and the object actions a bucket ACL governs — writing and
  deleting objects): the bucket owner's resource, its bucket ACL.
* Object context (reading an existing object or its ACL, ...): the *object owner's* resource.
  An object owned by another account than the bucket's can be granted only by its own ACL: the
  bucket policy may still deny it, but its Allows do not reach it.
An ACL grant to an account's canonical id works like a resource policy naming that account (its
IAM users still need their own policies); AllUsers works like ``"*"``; AuthenticatedUsers like
``"*"`` for signed requests only. An explicit Deny in any policy still wins (see engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ironbucket.auth.principal import Principal
from ironbucket.authz.grant import Check
from ironbucket.authz.public_access import in_force
from ironbucket.features import ownership
from ironbucket.features.acl import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    CANONICAL_USER,
    FULL_CONTROL,
    GROUP,
    READ,
    READ_ACP,
    WRITE,
    WRITE_ACP,
    Grant,
    Grants,
    acl_is_public,
    load,
)
from ironbucket.policy import PrincipalMatch
from ironbucket.storage.interfaces import MetadataStore, ObjectVersion

BUCKET_ACL = "acl"  # bucket configuration documents
OWNERSHIP = "ownership"

# Which ACL permission grants which action (AWS's "Mapping of ACL permissions and access policy
# permissions"). Object WRITE means nothing: writing is the bucket's WRITE.
_BUCKET_PERMISSION = {
    "s3:listbucket": READ, "s3:listbucketversions": READ, "s3:listbucketmultipartuploads": READ,
    "s3:putobject": WRITE, "s3:deleteobject": WRITE, "s3:deleteobjectversion": WRITE,
    "s3:getbucketacl": READ_ACP, "s3:putbucketacl": WRITE_ACP,
}
_OBJECT_PERMISSION = {
    "s3:getobject": READ, "s3:getobjectversion": READ, "s3:getobjecttorrent": READ,
    "s3:getobjectversiontorrent": READ,
    "s3:getobjectacl": READ_ACP, "s3:getobjectversionacl": READ_ACP,
    "s3:putobjectacl": WRITE_ACP, "s3:putobjectversionacl": WRITE_ACP,
}
# Object actions that stay in the bucket context: the bucket owner may delete, overwrite or
# abort uploads of any object, whoever owns it.
_BUCKET_CONTEXT = frozenset({"s3:putobject", "s3:deleteobject", "s3:deleteobjectversion",
                             "s3:abortmultipartupload", "s3:listmultipartuploadparts",
                             "s3:restoreobject", "s3:bypassgovernanceretention"})


@dataclass(frozen=True, slots=True)
class AclVerdict:
    owner: str  # the account owning the resource in the context that decides
    match: PrincipalMatch  # how an ACL grant matched the caller (NONE: no grant)
    bucket_policy_grants: bool  # False in the context of an object another account owns
    label: str  # which ACL, for the decision trace


def grantee_match(grants: Iterable[Grant], permission: str | None, principal: Principal) -> PrincipalMatch:
    if permission is None:
        return PrincipalMatch.NONE
    best = PrincipalMatch.NONE
    for g in grants:
        if g.permission not in (permission, FULL_CONTROL):
            continue
        if g.kind == GROUP and (g.grantee == ALL_USERS or (
                g.grantee == AUTHENTICATED_USERS and not principal.is_anonymous)):
            return PrincipalMatch.ANYONE
        if g.kind == CANONICAL_USER and not principal.is_anonymous and g.grantee == principal.canonical_id:
            best = PrincipalMatch.ACCOUNT
    return best


async def acls_enabled(meta: MetadataStore, bucket: str) -> bool:
    return ownership.acls_enabled(ownership.effective(await meta.get_bucket_config(bucket, OWNERSHIP)))


async def bucket_grants(meta: MetadataStore, bucket: str) -> Grants | None:
    """The stored bucket ACL (None: never set, i.e. the owner's FULL_CONTROL only)."""
    text = await meta.get_bucket_config(bucket, BUCKET_ACL)
    return load(text) if text else None


def object_grants(version: ObjectVersion) -> Grants | None:
    """The object's stored ACL (None: never set, i.e. its owner's FULL_CONTROL only)."""
    text = version.extra.get("acl")
    return load(text) if text else None


async def verdict(meta: MetadataStore, check: Check, principal: Principal,
                  version_id: Callable[[], str | None], *, creating: bool = False) -> AclVerdict | None:
    """What the ACLs say about one check; None when ACLs do not take part. ``version_id`` gives
    the version the request names (asked only when an object's ACL is needed). ``creating``: the
    request writes this object, so the ACL it sets is the new object's (the bucket's WRITE)."""
    if not check.resource.startswith("arn:aws:s3:::"):
        return None
    bucket, _, key = check.resource[len("arn:aws:s3:::"):].partition("/")
    if not bucket or not await acls_enabled(meta, bucket):
        return None
    record = await meta.get_bucket(bucket)
    if record is None:
        return None
    # Block Public Access's IgnorePublicAcls: grants to everyone count for nothing.
    ignore_public = (await in_force(meta, bucket, record.owner_account_id)).ignore_public_acls
    action = check.action.lower()
    if creating and action == "s3:putobjectacl":
        action = "s3:putobject"
    if key and action not in _BUCKET_CONTEXT:
        version = await meta.get_version(bucket, key, version_id(), with_data=False)
        if version is not None and not version.is_delete_marker:
            grants = _kept(object_grants(version) or (), ignore_public)
            owner = version.owner_account_id
            return AclVerdict(owner, grantee_match(grants, _OBJECT_PERMISSION.get(action), principal),
                              owner == record.owner_account_id, f"ACL of {bucket}/{key}")
    grants = _kept(await bucket_grants(meta, bucket) or (), ignore_public)
    permission = _BUCKET_PERMISSION.get(action) if not key or action in _BUCKET_CONTEXT else None
    return AclVerdict(record.owner_account_id, grantee_match(grants, permission, principal), True,
                      f"ACL of bucket {bucket}")


def _kept(grants: Grants, ignore_public: bool) -> Grants:
    return tuple(g for g in grants if not acl_is_public((g,))) if ignore_public else grants
