"""Object Lock in the object write, delete and read paths: the lock a new version gets, the
guard that the store runs inside its transaction before a version goes or is replaced, and the
lock headers of GET/HEAD."""

from __future__ import annotations

from typing import Any

from ironbucket.api.context import Context
from ironbucket.api.needs import object_arn
from ironbucket.authz.grant import Check
from ironbucket.errors import AccessDenied, InvalidRequest
from ironbucket.features import object_lock as ol
from ironbucket.features.checksums import parse_checksum_request
from ironbucket.features.versioning import VersionGuard
from ironbucket.http.xml import iso8601
from ironbucket.storage.interfaces import ObjectVersion

BYPASS_ACTION = "s3:BypassGovernanceRetention"
LOCK_KEY = ol.EXTRA_KEY


async def default_retention(ctx: Context) -> ol.DefaultRetention | None:
    if not ctx.bucket.object_lock:
        return None
    text = await ctx.services.meta.get_bucket_config(ctx.bucket.name, ol.CONFIG)
    return ol.DefaultRetention.loads(text) if text else None


def require_integrity(ctx: Context) -> None:
    """Writes into a lock-enabled bucket must prove their bytes (Content-MD5 or a checksum)."""
    if not ctx.bucket.object_lock or "content-md5" in ctx.headers:
        return
    if parse_checksum_request(ctx.headers).algorithm is None \
            and "x-amz-sdk-checksum-algorithm" not in ctx.headers:
        raise InvalidRequest("Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object "
                             "requests with Object Lock parameters")


async def lock_extra(ctx: Context, now: float) -> dict[str, Any]:
    """The ``extra`` entry of a version (or upload) written now with the request's lock headers
    and the bucket's default retention; empty when the version is not locked."""
    requested = ol.lock_from_headers(ctx.headers, now)
    if requested is not None:
        ol.require_lock_bucket(ctx.bucket.object_lock)
    lock = ol.effective_lock(requested, await default_retention(ctx), now)
    return {} if lock.empty else {ol.EXTRA_KEY: lock.to_extra()}


async def bypass_allowed(ctx: Context, key: str) -> bool:
    """Both halves of a governance bypass: the header, and s3:BypassGovernanceRetention (through
    the normal authorizer, so an explicit Deny wins)."""
    if not ol.parse_bypass(ctx.headers):
        return False
    assert ctx.authorizer is not None
    check = Check(BYPASS_ACTION, object_arn(ctx.bucket.name, key), ctx.bucket.owner_account_id)
    return await ctx.authorizer.allowed(check)


def removal_guard(now: float, bypass: bool) -> VersionGuard:
    """Refuses (403) removing or replacing a locked version; delete markers carry no lock."""
    def guard(version: ObjectVersion) -> None:
        if version.is_delete_marker:
            return
        if ol.deletion_refusal(ol.read_lock(version.extra), now, bypass) is not None:
            raise AccessDenied(ol.LOCKED_MESSAGE)
    return guard


async def guard_for(ctx: Context, key: str) -> VersionGuard | None:
    """The guard of a delete or overwrite of ``key`` (None for buckets without Object Lock,
    which can hold no locked version)."""
    if not ctx.bucket.object_lock:
        return None
    return removal_guard(ctx.services.clock(), await bypass_allowed(ctx, key))


def has_lock(version: ObjectVersion) -> bool:
    """Whether the version carries Object Lock settings (``read_headers`` has any to give)."""
    return ol.EXTRA_KEY in version.extra


async def read_headers(ctx: Context, version: ObjectVersion) -> dict[str, str]:
    """The lock headers of GET/HEAD, each only for callers allowed to read it, as on AWS."""
    if not has_lock(version):
        return {}
    lock = ol.read_lock(version.extra)
    assert ctx.authorizer is not None
    arn, owner = object_arn(ctx.bucket.name, ctx.key), ctx.bucket.owner_account_id
    headers: dict[str, str] = {}
    if lock.mode is not None and lock.until is not None \
            and await ctx.authorizer.allowed(Check("s3:GetObjectRetention", arn, owner)):
        headers[ol.MODE_HEADER] = lock.mode
        headers[ol.UNTIL_HEADER] = iso8601(lock.until)
    if await ctx.authorizer.allowed(Check("s3:GetObjectLegalHold", arn, owner)):
        headers[ol.HOLD_HEADER] = "ON" if lock.legal_hold else "OFF"
    return headers
