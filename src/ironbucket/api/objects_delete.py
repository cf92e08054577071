"""DeleteObject and DeleteObjects."""

from __future__ import annotations

from dataclasses import dataclass

from ironbucket.api.common import read_document
from ironbucket.api.context import Context
from ironbucket.api.needs import object_arn
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_write import storage_precondition
from ironbucket.authz.grant import Check
from ironbucket.errors import MalformedXML, S3Error
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.storage.interfaces import NULL_VERSION

MAX_KEYS_PER_DELETE = 1000


async def delete_object(ctx: Context) -> Response:
    """Unversioned buckets: the key's only (``null``) version goes; deleting a missing key
    succeeds, as S3 answers 204 either way."""
    version_id = ctx.query.get("versionId") or NULL_VERSION
    removed, freed = await ctx.services.meta.delete_version(
        ctx.bucket.name, ctx.key, version_id, storage_precondition(ctx.headers))
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    headers = version_headers(removed, bool(ctx.bucket.versioning)) if removed else {}
    if "versionId" in ctx.query:
        headers["x-amz-version-id"] = version_id
    return empty(204, headers)


@dataclass(frozen=True, slots=True)
class _Target:
    key: str
    version_id: str | None


async def delete_objects(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html"""
    bucket = ctx.bucket
    document = await read_document(ctx, checksum_required=True)
    root = xml.expect_root(xml.parse(document), "Delete")
    quiet = (xml.child_text(root, "Quiet") or "").strip().lower() == "true"
    targets = [_target(element) for element in xml.children(root, "Object")]
    if not targets or len(targets) > MAX_KEYS_PER_DELETE:
        raise MalformedXML()
    assert ctx.authorizer is not None
    writer = XmlWriter("DeleteResult")
    freed: list[str] = []
    for target in targets:
        action = "s3:DeleteObjectVersion" if target.version_id else "s3:DeleteObject"
        check = Check(action, object_arn(bucket.name, target.key), bucket.owner_account_id)
        if not await ctx.authorizer.allowed(check):
            _error(writer, target, "AccessDenied", "Access Denied")
            continue
        try:
            removed, blobs = await ctx.services.meta.delete_version(
                bucket.name, target.key, target.version_id or NULL_VERSION)
        except S3Error as error:
            _error(writer, target, error.code, error.message)
            continue
        freed.extend(blobs)
        if not quiet:
            writer.start("Deleted").element("Key", target.key)
            writer.element("VersionId", target.version_id).end()
        del removed
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    return xml_response(writer.render())


def _target(element: xml.Element) -> _Target:
    key = xml.child_text(element, "Key")
    if not key:
        raise MalformedXML()
    return _Target(key=key, version_id=xml.child_text(element, "VersionId") or None)


def _error(writer: XmlWriter, target: _Target, code: str, message: str) -> None:
    writer.start("Error").element("Key", target.key).element("VersionId", target.version_id)
    writer.element("Code", code).element("Message", message).end()
