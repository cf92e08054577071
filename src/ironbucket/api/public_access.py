"""Bucket-level Block Public Access: Get/Put/DeletePublicAccessBlock, and the document format
the S3 Control API's account-level calls share.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
"""

from __future__ import annotations

from ironbucket.api.common import read_xml
from ironbucket.api.context import Context
from ironbucket.authz.public_access import bucket_settings
from ironbucket.errors import MalformedXML, NoSuchPublicAccessBlockConfiguration
from ironbucket.features.public_access import CONFIG, FLAGS, PublicAccessBlock
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import Element, XmlWriter

ROOT = "PublicAccessBlockConfiguration"


def parse(root: Element) -> PublicAccessBlock:
    """A PublicAccessBlockConfiguration document; absent flags are off, as on AWS."""
    values = dict.fromkeys(FLAGS, False)
    for element in root:
        name = xml.local_name(element)
        text = (element.text or "").strip()
        if name not in values or text not in ("true", "false"):
            raise MalformedXML()
        values[name] = text == "true"
    return PublicAccessBlock(*(values[name] for name in FLAGS))


def render(settings: PublicAccessBlock, namespace: str | None = xml.S3_NS) -> bytes:
    writer = XmlWriter(ROOT, namespace)
    for name, value in zip(FLAGS, settings.flags(), strict=True):
        writer.element(name, value)
    return writer.render()


async def get_public_access_block(ctx: Context) -> Response:
    settings = await bucket_settings(ctx.services.meta, ctx.bucket.name)
    if settings is None:
        raise NoSuchPublicAccessBlockConfiguration(BucketName=ctx.bucket.name)
    return xml_response(render(settings))


async def put_public_access_block(ctx: Context) -> Response:
    settings = parse(await read_xml(ctx, ROOT, checksum_required=True))
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG, settings.dumps())
    return empty(200)


async def delete_public_access_block(ctx: Context) -> Response:
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG, None)
    return empty(204)
