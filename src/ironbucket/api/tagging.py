"""Bucket and object tagging: Get/Put/Delete{Bucket,Object}Tagging."""

from __future__ import annotations

import dataclasses
import json

from ironbucket.api.common import read_xml
from ironbucket.api.context import Context
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_read import find_version
from ironbucket.errors import MalformedXML, NoSuchTagSet
from ironbucket.features.tagging import TagTarget, validate_tag_set
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter

_CONFIG = "tagging"


async def _parse_tag_set(ctx: Context) -> list[tuple[str, str]]:
    root = await read_xml(ctx, "Tagging", checksum_required=True)
    tag_set = xml.child(root, "TagSet")
    if tag_set is None:
        raise MalformedXML()
    pairs: list[tuple[str, str]] = []
    for tag in xml.children(tag_set, "Tag"):
        key = xml.child_text(tag, "Key")
        value = xml.child_text(tag, "Value")
        if key is None or value is None:
            raise MalformedXML()
        pairs.append((key, value))
    return pairs


def _render(tags: dict[str, str]) -> bytes:
    writer = XmlWriter("Tagging").start("TagSet")
    for key, value in tags.items():
        writer.start("Tag").element("Key", key).element("Value", value).end()
    return writer.render()


async def get_bucket_tagging(ctx: Context) -> Response:
    stored = await ctx.services.meta.get_bucket_config(ctx.bucket.name, _CONFIG)
    if stored is None:
        raise NoSuchTagSet(BucketName=ctx.bucket.name)
    return xml_response(_render(json.loads(stored)))


async def put_bucket_tagging(ctx: Context) -> Response:
    tags = dict(validate_tag_set(await _parse_tag_set(ctx), TagTarget.BUCKET))
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, _CONFIG, json.dumps(tags))
    return empty(204)


async def delete_bucket_tagging(ctx: Context) -> Response:
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, _CONFIG, None)
    return empty(204)


async def get_object_tagging(ctx: Context) -> Response:
    version = await find_version(ctx, with_data=False)
    return xml_response(_render(dict(version.tags)),
                        headers=version_headers(version, bool(ctx.bucket.versioning)))


async def put_object_tagging(ctx: Context) -> Response:
    tags = dict(validate_tag_set(await _parse_tag_set(ctx), TagTarget.OBJECT))
    version = await find_version(ctx, with_data=False)
    await ctx.services.meta.update_version(dataclasses.replace(version, tags=tags))
    return empty(200, version_headers(version, bool(ctx.bucket.versioning)))


async def delete_object_tagging(ctx: Context) -> Response:
    version = await find_version(ctx, with_data=False)
    await ctx.services.meta.update_version(dataclasses.replace(version, tags={}))
    return empty(204, version_headers(version, bool(ctx.bucket.versioning)))
