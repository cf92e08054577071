"""DeleteObject and DeleteObjects."""

from __future__ import annotations

from dataclasses import dataclass

from ironbucket.api import lock_writes, mfa_delete
from ironbucket.api.common import read_document
from ironbucket.api.context import Context
from ironbucket.api.needs import object_arn
from ironbucket.api.objects_write import storage_precondition
from ironbucket.authz.grant import Check
from ironbucket.errors import MalformedXML, NoSuchVersion, S3Error
from ironbucket.features import versioning
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter

MAX_KEYS_PER_DELETE = 1000


async def _check_mfa(ctx: Context, version_ids: list[str | None]) -> None:
    # A permanent deletion (by version id, or in a never-versioned bucket) needs MFA on an
    # MFA-Delete bucket; for DeleteObjects, one such entry makes the whole request need it.
    permanent = any(v is not None for v in version_ids) or ctx.bucket.versioning == versioning.UNVERSIONED
    await mfa_delete.check(ctx, needed=permanent and await mfa_delete.enabled(ctx))


def _requester_account(ctx: Context) -> str:
    """Who owns a delete marker this request creates (the bucket owner for anonymous callers)."""
    assert ctx.auth is not None
    return ctx.auth.principal.account_id or ctx.bucket.owner_account_id


async def delete_object(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    Deleting a missing key or version succeeds: S3 answers 204 either way."""
    version_id = ctx.query.get("versionId")
    if version_id is not None:
        versioning.check_version_id(version_id)
    await _check_mfa(ctx, [version_id])
    deletion = await versioning.delete(
        ctx.services.meta, ctx.bucket, ctx.key, version_id, owner_account_id=_requester_account(ctx),
        now=ctx.services.clock(), precondition=storage_precondition(ctx.headers),
        guard=await lock_writes.guard_for(ctx, ctx.key))
    if deletion.freed:
        await ctx.services.run(ctx.services.blobs.delete, list(deletion.freed))
    headers: dict[str, str] = {}
    if deletion.version_id is not None:
        headers["x-amz-version-id"] = deletion.version_id
    if deletion.delete_marker:
        headers["x-amz-delete-marker"] = "true"
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
    await _check_mfa(ctx, [target.version_id for target in targets])
    assert ctx.authorizer is not None
    writer = XmlWriter("DeleteResult")
    owner = _requester_account(ctx)
    freed: list[str] = []
    for target in targets:
        action = "s3:DeleteObjectVersion" if target.version_id else "s3:DeleteObject"
        check = Check(action, object_arn(bucket.name, target.key), bucket.owner_account_id)
        if not await ctx.authorizer.allowed(check):
            _error(writer, target, "AccessDenied", "Access Denied")
            continue
        if target.version_id is not None and not versioning.is_version_id(target.version_id):
            # Per key, S3 reports an id that cannot exist as one that does not.
            _error(writer, target, NoSuchVersion.__name__, NoSuchVersion.default_message)
            continue
        try:
            deletion = await versioning.delete(
                ctx.services.meta, bucket, target.key, target.version_id,
                owner_account_id=owner, now=ctx.services.clock(),
                guard=await lock_writes.guard_for(ctx, target.key))
        except S3Error as error:
            _error(writer, target, error.code, error.message)
            continue
        freed.extend(deletion.freed)
        if not quiet:
            writer.start("Deleted").element("Key", target.key)
            writer.element("VersionId", target.version_id)
            if deletion.delete_marker:
                writer.element("DeleteMarker", True)
                writer.element("DeleteMarkerVersionId", deletion.version_id)
            writer.end()
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
