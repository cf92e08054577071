"""PutBucketVersioning and GetBucketVersioning."""

from __future__ import annotations

import dataclasses

from ironbucket.api import mfa_delete
from ironbucket.api.common import read_xml
from ironbucket.api.context import Context
from ironbucket.features import versioning
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter


async def put_bucket_versioning(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html"""
    root = await read_xml(ctx, "VersioningConfiguration", checksum_required=True)
    request = versioning.validate_request(xml.child_text(root, "Status"),
                                          xml.child_text(root, "MfaDelete"))
    state = versioning.next_state(ctx.bucket, request)
    await mfa_delete.put(ctx, request.mfa_delete)
    await mfa_delete.store(ctx, request.mfa_delete)
    if state != ctx.bucket.versioning:
        # update_bucket invalidates every worker's cached bucket: the next write anywhere sees it.
        await ctx.services.meta.update_bucket(dataclasses.replace(ctx.bucket, versioning=state))
    return empty(200)


async def get_bucket_versioning(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html"""
    writer = XmlWriter("VersioningConfiguration")
    if ctx.bucket.versioning:
        writer.element("Status", ctx.bucket.versioning)
    writer.element("MfaDelete", await mfa_delete.status(ctx))
    return xml_response(writer.render())
