"""Object Ownership: Get/Put/DeleteBucketOwnershipControls.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketOwnershipControls.html
"""

from __future__ import annotations

from ironbucket.api.acl import mode_of
from ironbucket.api.common import account, read_xml
from ironbucket.api.context import Context
from ironbucket.authz.acl import OWNERSHIP, bucket_grants
from ironbucket.errors import (
    InvalidBucketAclWithObjectOwnership,
    MalformedXML,
    OwnershipControlsNotFoundError,
)
from ironbucket.features import acl as acls
from ironbucket.features import ownership
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter


async def get_bucket_ownership_controls(ctx: Context) -> Response:
    stored = await ctx.services.meta.get_bucket_config(ctx.bucket.name, OWNERSHIP)
    if stored == ownership.DELETED:
        raise OwnershipControlsNotFoundError(BucketName=ctx.bucket.name)
    writer = XmlWriter("OwnershipControls").start("Rule")
    writer.element("ObjectOwnership", ownership.effective(stored))
    return xml_response(writer.render())


async def put_bucket_ownership_controls(ctx: Context) -> Response:
    root = await read_xml(ctx, "OwnershipControls", checksum_required=True)
    rules = list(xml.children(root, "Rule"))
    if len(rules) != 1:
        raise MalformedXML()
    mode = ownership.validate((xml.required_text(rules[0], "ObjectOwnership")).strip())
    bucket = ctx.bucket
    if not ownership.acls_enabled(mode) and ownership.acls_enabled(await mode_of(ctx, bucket.name)):
        # Disabling ACLs while the bucket ACL grants someone else would silently revoke it.
        grants = await bucket_grants(ctx.services.meta, bucket.name)
        owner = (await account(ctx, bucket.owner_account_id)).canonical_id
        if grants is not None and not acls.only_owner(grants, owner):
            raise InvalidBucketAclWithObjectOwnership()
    await ctx.services.meta.put_bucket_config(bucket.name, OWNERSHIP, mode)
    return empty(200)


async def delete_bucket_ownership_controls(ctx: Context) -> Response:
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, OWNERSHIP, ownership.DELETED)
    return empty(204)
