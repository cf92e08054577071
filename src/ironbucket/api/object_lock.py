"""Put/GetObjectLockConfiguration, Put/GetObjectRetention, Put/GetObjectLegalHold.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
"""

from __future__ import annotations

import dataclasses

from ironbucket.api.common import read_xml
from ironbucket.api.context import Context
from ironbucket.api.lock_writes import bypass_allowed
from ironbucket.api.needs import object_arn
from ironbucket.authz.grant import Check
from ironbucket.errors import (
    AccessDenied,
    InvalidBucketState,
    InvalidRequest,
    MalformedXML,
    NoSuchKey,
    NoSuchObjectLockConfiguration,
    NoSuchVersion,
    ObjectLockConfigurationNotFoundError,
    OperationAborted,
)
from ironbucket.features import object_lock as ol
from ironbucket.features import versioning
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter, iso8601
from ironbucket.storage.interfaces import ObjectVersion


# --- bucket configuration ----------------------------------------------------------------------
async def put_object_lock_configuration(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html"""
    bucket = ctx.bucket
    root = await read_xml(ctx, "ObjectLockConfiguration", checksum_required=True)
    if xml.child_text(root, "ObjectLockEnabled") != "Enabled":
        raise MalformedXML()
    default: ol.DefaultRetention | None = None
    rule = xml.child(root, "Rule")
    if rule is not None:
        retention = xml.child(rule, "DefaultRetention")
        if retention is None:
            raise MalformedXML()
        default = ol.parse_default_retention(xml.child_text(retention, "Mode"),
                                             xml.child_text(retention, "Days"),
                                             xml.child_text(retention, "Years"))
    if not bucket.object_lock:
        # AWS lets a versioned bucket turn Object Lock on later; never an unversioned one.
        if bucket.versioning != versioning.ENABLED:
            raise InvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object "
                                     "Lock configuration")
        await ctx.services.meta.update_bucket(dataclasses.replace(bucket, object_lock=True))
    await ctx.services.meta.put_bucket_config(bucket.name, ol.CONFIG,
                                              default.dumps() if default is not None else "")
    return empty(200)


async def get_object_lock_configuration(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html"""
    bucket = ctx.bucket
    if not bucket.object_lock:
        raise ObjectLockConfigurationNotFoundError(BucketName=bucket.name)
    text = await ctx.services.meta.get_bucket_config(bucket.name, ol.CONFIG)
    writer = XmlWriter("ObjectLockConfiguration").element("ObjectLockEnabled", "Enabled")
    if text:
        default = ol.DefaultRetention.loads(text)
        writer.start("Rule").start("DefaultRetention").element("Mode", default.mode)
        writer.element("Days", default.days).element("Years", default.years).end().end()
    return xml_response(writer.render())


# --- per version -------------------------------------------------------------------------------
async def _version(ctx: Context) -> ObjectVersion:
    ol.require_lock_bucket(ctx.bucket.object_lock)
    version_id = ctx.query.get("versionId")
    if version_id is not None:
        versioning.check_version_id(version_id)
    version = await ctx.services.meta.get_version(ctx.bucket.name, ctx.key, version_id, with_data=False)
    if version is None or (version.is_delete_marker and version_id is None):
        if version_id is not None:
            raise NoSuchVersion(Key=ctx.key, VersionId=version_id)
        raise NoSuchKey(Key=ctx.key)
    if version.is_delete_marker:
        raise InvalidRequest("Object Lock cannot be applied to a delete marker")
    return version


async def _store(ctx: Context, version: ObjectVersion, old: ol.Lock, lock: ol.Lock) -> None:
    """Replace ``old`` (the lock the rules were checked against) by ``lock``. The store compares
    inside its transaction: if another request changed the lock meanwhile, this one is refused
    rather than undoing that change or skipping the rules."""

    def guard(stored: ObjectVersion) -> None:
        if ol.read_lock(stored.extra) != old:
            raise OperationAborted()

    extra = dict(version.extra)
    extra[ol.EXTRA_KEY] = lock.to_extra()
    await ctx.services.meta.update_version(dataclasses.replace(version, extra=extra), guard=guard)


async def put_object_retention(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html"""
    root = await read_xml(ctx, "Retention", checksum_required=True)
    now = ctx.services.clock()
    mode, until = ol.parse_retention(xml.child_text(root, "Mode"), xml.child_text(root, "RetainUntilDate"),
                                     now)
    # The body's values are condition keys of s3:PutObjectRetention (see the catalog).
    await _authorize(ctx, "s3:PutObjectRetention", ol_keys(mode, until, now))
    version = await _version(ctx)
    bypass = await bypass_allowed(ctx, ctx.key)
    old = ol.read_lock(version.extra)
    if ol.retention_change_refusal(old, mode, until, now, bypass) is not None:
        raise AccessDenied(ol.LOCKED_MESSAGE)
    await _store(ctx, version, old, dataclasses.replace(old, mode=mode, until=until))
    return empty(200, _version_header(version))


def ol_keys(mode: str | None, until: float | None, now: float) -> dict[str, tuple[str, ...]]:
    if mode is None or until is None:
        return {}
    return {"s3:object-lock-mode": (mode,), "s3:object-lock-retain-until-date": (iso8601(until),),
            "s3:object-lock-remaining-retention-days": (str(ol.remaining_days(until, now)),)}


async def get_object_retention(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html"""
    version = await _version(ctx)
    lock = ol.read_lock(version.extra)
    if lock.mode is None or lock.until is None:
        raise NoSuchObjectLockConfiguration()
    writer = XmlWriter("Retention").element("Mode", lock.mode)
    writer.element("RetainUntilDate", iso8601(lock.until))
    return xml_response(writer.render())


async def put_object_legal_hold(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLegalHold.html"""
    root = await read_xml(ctx, "LegalHold", checksum_required=True)
    hold = ol.parse_legal_hold(xml.child_text(root, "Status"))
    await _authorize(ctx, "s3:PutObjectLegalHold", {"s3:object-lock-legal-hold": ("ON" if hold else "OFF",)})
    version = await _version(ctx)
    old = ol.read_lock(version.extra)
    if old.unreadable:
        raise AccessDenied(ol.LOCKED_MESSAGE)
    await _store(ctx, version, old, dataclasses.replace(old, legal_hold=hold))
    return empty(200, _version_header(version))


async def get_object_legal_hold(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLegalHold.html"""
    version = await _version(ctx)
    if ol.EXTRA_KEY not in version.extra:
        raise NoSuchObjectLockConfiguration()
    lock = ol.read_lock(version.extra)
    writer = XmlWriter("LegalHold").element("Status", "ON" if lock.legal_hold else "OFF")
    return xml_response(writer.render())


async def _authorize(ctx: Context, action: str, keys: dict[str, tuple[str, ...]]) -> None:
    assert ctx.authorizer is not None
    ctx.authorizer.keys.update(keys)
    check = Check(action, object_arn(ctx.bucket.name, ctx.key), ctx.bucket.owner_account_id)
    if not await ctx.authorizer.allowed(check):
        raise AccessDenied()


def _version_header(version: ObjectVersion) -> dict[str, str]:
    return {"x-amz-version-id": version.version_id}
