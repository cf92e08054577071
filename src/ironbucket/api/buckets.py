"""Bucket lifecycle: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation."""

from __future__ import annotations

import base64
import binascii

from ironbucket.api.acl import create_bucket_acl
from ironbucket.api.common import (
    int_param,
    read_document,
    write_owner,
)
from ironbucket.api.context import Context
from ironbucket.authz.acl import BUCKET_ACL, OWNERSHIP
from ironbucket.errors import (
    BucketAlreadyOwnedByYou,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidLocationConstraint,
)
from ironbucket.features import ownership
from ironbucket.features.default_encryption import CONFIG_NAME as ENCRYPTION
from ironbucket.features.default_encryption import NEW_BUCKET_DEFAULT, to_stored
from ironbucket.features.naming import validate_bucket_name
from ironbucket.features.public_access import ALL_BLOCKED
from ironbucket.features.public_access import CONFIG as PUBLIC_ACCESS_BLOCK
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.storage.interfaces import Bucket


def _principal_account(ctx: Context) -> str:
    assert ctx.auth is not None
    return ctx.auth.principal.account_id


async def list_buckets(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html"""
    limit = int_param(ctx, "max-buckets", 10000, low=1, high=10000)
    prefix = ctx.query.get("prefix", "")
    token = ctx.query.get("continuation-token")
    region_filter = ctx.query.get("bucket-region")
    start_after = ""
    if token:
        try:
            start_after = base64.urlsafe_b64decode(token.encode()).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise InvalidArgument("The continuation token provided is incorrect",
                                  ArgumentName="continuation-token") from exc
    owner = _principal_account(ctx)
    found = await ctx.services.meta.list_buckets(owner, prefix, start_after, limit + 1)
    if region_filter:
        found = [b for b in found if b.region == region_filter]
    page, more = found[:limit], len(found) > limit
    writer = XmlWriter("ListAllMyBucketsResult").start("Buckets")
    for bucket in page:
        writer.start("Bucket").element("Name", bucket.name)
        writer.element("CreationDate", xml.iso8601(bucket.created_at))
        writer.element("BucketRegion", bucket.region).end()
    writer.end()
    await write_owner(ctx, writer, owner)
    if more and page:
        writer.element("ContinuationToken", base64.urlsafe_b64encode(page[-1].name.encode()).decode())
    if "prefix" in ctx.query:
        writer.element("Prefix", prefix)
    return xml_response(writer.render())


async def create_bucket(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html"""
    name = ctx.bucket_name
    validate_bucket_name(name)
    region = ctx.services.settings.region
    body = await read_document(ctx)
    constraint = _location_constraint(body)
    if constraint is None:
        if region != "us-east-1":
            raise IllegalLocationConstraintException(
                "The unspecified location constraint is incompatible for the region specific "
                "endpoint this request was sent to.")
    elif constraint == "us-east-1" and region == "us-east-1":
        raise InvalidLocationConstraint("The specified location-constraint is not valid",
                                        LocationConstraint=constraint)
    elif constraint != region:
        raise IllegalLocationConstraintException(
            f"The {constraint} location constraint is incompatible for the region specific "
            "endpoint this request was sent to.")
    # Object Lock turns versioning on for good (it can never be suspended afterwards).
    locked = ctx.headers.get("x-amz-bucket-object-lock-enabled", "").lower() == "true"
    requested_mode = ctx.headers.get("x-amz-object-ownership")
    mode = ownership.validate_header(requested_mode) if requested_mode is not None else ownership.ENFORCED
    owner = _principal_account(ctx)
    acl_document = await create_bucket_acl(ctx, owner, mode)
    bucket = Bucket(name=name, owner_account_id=owner, region=region, created_at=ctx.now,
                    versioning="Enabled" if locked else "", object_lock=locked)
    try:
        # Every new bucket starts with all four Block Public Access settings on, as on AWS
        # since April 2023, and with SSE-C writes blocked, as on AWS since April 2026.
        await ctx.services.meta.create_bucket(bucket, {PUBLIC_ACCESS_BLOCK: ALL_BLOCKED.dumps(),
                                                       ENCRYPTION: to_stored(NEW_BUCKET_DEFAULT)})
    except BucketAlreadyOwnedByYou:
        # AWS keeps this legacy answer in us-east-1 only: re-creating your own bucket succeeds.
        if region != "us-east-1":
            raise
        return empty(headers={"location": f"/{name}"})  # re-created: its settings stay as they were
    # A bucket without a stored Object Ownership is BucketOwnerEnforced: only others are written.
    if mode != ownership.ENFORCED:
        await ctx.services.meta.put_bucket_config(name, OWNERSHIP, mode)
    if acl_document is not None:
        await ctx.services.meta.put_bucket_config(name, BUCKET_ACL, acl_document)
    return empty(headers={"location": f"/{name}"})


def _location_constraint(body: bytes) -> str | None:
    if not body.strip():
        return None
    root = xml.expect_root(xml.parse(body), "CreateBucketConfiguration")
    constraint = xml.child_text(root, "LocationConstraint")
    return constraint or None


async def head_bucket(ctx: Context) -> Response:
    bucket = ctx.bucket
    return empty(headers={"x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false"})


async def delete_bucket(ctx: Context) -> Response:
    freed = await ctx.services.meta.delete_bucket(ctx.bucket.name)
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    return empty(204)


async def get_bucket_location(ctx: Context) -> Response:
    region = ctx.bucket.region
    # us-east-1 is reported as an empty constraint, as AWS does for historical reasons.
    writer = XmlWriter("LocationConstraint")
    if region != "us-east-1":
        writer.raw(xml.escape(region))
    return xml_response(writer.render())

