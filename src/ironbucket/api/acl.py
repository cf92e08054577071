"""ACLs: Get/PutBucketAcl, Get/PutObjectAcl, and the ACL (and owner) of a new object or bucket.

Whether ACLs count at all is the bucket's Object Ownership (``api/ownership.py``). While they are
disabled (BucketOwnerEnforced) the only ACL a request may ask for is one that grants nothing
beyond the bucket owner; the bucket owner owns every object and GetAcl shows just that.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ironbucket.api.acl_xml import parse_policy, render_policy
from ironbucket.api.common import account, read_document
from ironbucket.api.context import Context
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_read import find_version
from ironbucket.authz.acl import BUCKET_ACL, OWNERSHIP, bucket_grants, object_grants
from ironbucket.authz.public_access import account_settings, in_force
from ironbucket.errors import (
    AccessControlListNotSupported,
    AccessDenied,
    InvalidArgument,
    InvalidBucketAclWithBlockPublicAccessError,
    InvalidBucketAclWithObjectOwnership,
    InvalidRequest,
    MalformedACLError,
    UnresolvableGrantByEmailAddress,
)
from ironbucket.features import acl as acls
from ironbucket.features import ownership
from ironbucket.features.acl import Grants, RequestedAcl
from ironbucket.features.public_access import effective
from ironbucket.http.response import Response, empty, xml_response

MAX_ACL_DOCUMENT = 64 * 1024


async def mode_of(ctx: Context, bucket: str) -> str:
    return ownership.effective(await ctx.services.meta.get_bucket_config(bucket, OWNERSHIP))


async def shown_owner(ctx: Context) -> Callable[[str], str]:
    """Maps an object's stored owner to the one S3 shows: the bucket owner while ACLs are off."""
    if ownership.acls_enabled(await mode_of(ctx, ctx.bucket.name)):
        return lambda owner: owner
    bucket_owner = ctx.bucket.owner_account_id
    return lambda _owner: bucket_owner


async def _names(ctx: Context) -> dict[str, str]:
    """Display names by canonical id (few accounts; only ACL requests ask)."""
    return {a.canonical_id: a.name for a in await ctx.services.meta.list_accounts()}


async def _resolve(ctx: Context, requested: RequestedAcl, owner: str, bucket_owner: str, *,
                   for_bucket: bool) -> Grants:
    """The grants a request asks for, every grantee checked to exist. Owners are canonical ids."""
    if requested.canned is not None:
        return acls.canned(requested.canned, owner, bucket_owner, for_bucket=for_bucket)
    names = await _names(ctx)
    for g in requested.grants:
        if g.kind == acls.EMAIL:  # accounts here have no e-mail address to match
            raise UnresolvableGrantByEmailAddress(EmailAddress=g.grantee)
        if g.kind == acls.CANONICAL_USER and g.grantee not in names:
            raise InvalidArgument("Invalid id", ArgumentName="CanonicalUser/ID", ArgumentValue=g.grantee)
    return requested.grants


async def _refuse_public(ctx: Context, grants: Grants, *, new_bucket_of: str | None = None) -> None:
    """Block Public Access's BlockPublicAcls: a public ACL is refused when it is written. A new
    bucket starts with every setting on, so only its account's settings could be laxer."""
    if not acls.acl_is_public(grants):
        return
    meta = ctx.services.meta
    if new_bucket_of is not None:
        raise InvalidBucketAclWithBlockPublicAccessError()
    settings = await in_force(meta, ctx.bucket.name, ctx.bucket.owner_account_id)
    point = ctx.authorizer.access_point if ctx.authorizer is not None else None
    if point is not None:
        settings = effective(settings, point.public_access_block,
                             await account_settings(meta, point.account_id))
    if settings.block_public_acls:
        raise AccessDenied("Block Public Access (BlockPublicAcls) forbids a public ACL.")


async def _canonical(ctx: Context, account_id: str) -> str:
    return (await account(ctx, account_id)).canonical_id


def _writer_account(ctx: Context) -> str:
    assert ctx.auth is not None
    return ctx.auth.principal.account_id


# --- new objects and buckets -------------------------------------------------------------------
async def new_object_acl(ctx: Context, headers: Mapping[str, str] | None = None
                         ) -> tuple[str, dict[str, Any]]:
    """(owning account, ``extra`` entries) of an object this request creates, from its ACL
    headers (or a POST form's fields) and the bucket's Object Ownership."""
    requested = acls.from_headers(ctx.headers if headers is None else headers)
    bucket = ctx.bucket
    mode = await mode_of(ctx, bucket.name)
    bucket_owner = await _canonical(ctx, bucket.owner_account_id)
    writer = _writer_account(ctx) or bucket.owner_account_id  # anonymous writes: the bucket's
    owner = ownership.new_object_owner(mode, bucket.owner_account_id, writer, requested.canned)
    if not ownership.acls_enabled(mode):
        if requested.given:
            grants = await _resolve(ctx, requested, bucket_owner, bucket_owner, for_bucket=False)
            if not acls.only_owner(grants, bucket_owner):
                raise AccessControlListNotSupported()
        return owner, {}
    if not requested.given:
        return owner, {}  # private: the owner's FULL_CONTROL, nothing to store
    owner_canonical = await _canonical(ctx, owner)
    grants = await _resolve(ctx, requested, owner_canonical, bucket_owner, for_bucket=False)
    await _refuse_public(ctx, grants)
    return owner, {"acl": acls.dump(grants)}


async def create_bucket_acl(ctx: Context, owner_account: str, mode: str) -> str | None:
    """The bucket ACL document to store for CreateBucket (None: the default, private)."""
    requested = acls.from_headers(ctx.headers)
    if not requested.given:
        return None
    owner = await _canonical(ctx, owner_account)
    grants = await _resolve(ctx, requested, owner, owner, for_bucket=True)
    if not ownership.acls_enabled(mode) and not acls.only_owner(grants, owner):
        raise InvalidBucketAclWithObjectOwnership()
    await _refuse_public(ctx, grants, new_bucket_of=owner_account)
    return acls.dump(grants)


# --- bucket ACL --------------------------------------------------------------------------------
async def get_bucket_acl(ctx: Context) -> Response:
    bucket = ctx.bucket
    owner = await _canonical(ctx, bucket.owner_account_id)
    grants = await bucket_grants(ctx.services.meta, bucket.name)
    if grants is None or not ownership.acls_enabled(await mode_of(ctx, bucket.name)):
        grants = acls.owner_full_control(owner)
    return xml_response(render_policy(owner, await _names(ctx), grants))


async def _requested_from_body_or_headers(ctx: Context) -> RequestedAcl:
    body = await read_document(ctx, MAX_ACL_DOCUMENT)
    from_headers = acls.from_headers(ctx.headers)
    if body.strip():
        if from_headers.given:
            raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
        return RequestedAcl(grants=parse_policy(body).grants)
    if not from_headers.given:
        raise MalformedACLError()
    return from_headers


async def put_bucket_acl(ctx: Context) -> Response:
    bucket = ctx.bucket
    requested = await _requested_from_body_or_headers(ctx)
    owner = await _canonical(ctx, bucket.owner_account_id)
    grants = await _resolve(ctx, requested, owner, owner, for_bucket=True)
    if not ownership.acls_enabled(await mode_of(ctx, bucket.name)) and not acls.only_owner(grants, owner):
        raise AccessControlListNotSupported()
    await _refuse_public(ctx, grants)
    await ctx.services.meta.put_bucket_config(bucket.name, BUCKET_ACL, acls.dump(grants))
    return empty(200)


# --- object ACL --------------------------------------------------------------------------------
async def get_object_acl(ctx: Context) -> Response:
    version = await find_version(ctx, with_data=False)
    enabled = ownership.acls_enabled(await mode_of(ctx, ctx.bucket.name))
    owner = await _canonical(ctx, version.owner_account_id if enabled else ctx.bucket.owner_account_id)
    stored = object_grants(version) if enabled else None
    grants = stored if stored is not None else acls.owner_full_control(owner)
    return xml_response(render_policy(owner, await _names(ctx), grants),
                        headers=version_headers(version, bool(ctx.bucket.versioning)))


async def put_object_acl(ctx: Context) -> Response:
    version = await find_version(ctx, with_data=False)
    requested = await _requested_from_body_or_headers(ctx)
    bucket_owner = await _canonical(ctx, ctx.bucket.owner_account_id)
    if not ownership.acls_enabled(await mode_of(ctx, ctx.bucket.name)):
        grants = await _resolve(ctx, requested, bucket_owner, bucket_owner, for_bucket=False)
        if not acls.only_owner(grants, bucket_owner):
            raise AccessControlListNotSupported()
        return empty(200, version_headers(version, bool(ctx.bucket.versioning)))  # already so
    owner = await _canonical(ctx, version.owner_account_id)
    grants = await _resolve(ctx, requested, owner, bucket_owner, for_bucket=False)
    await _refuse_public(ctx, grants)
    extra = {**version.extra, "acl": acls.dump(grants)}
    await ctx.services.meta.update_version(dataclasses.replace(version, extra=extra))
    return empty(200, version_headers(version, bool(ctx.bucket.versioning)))
