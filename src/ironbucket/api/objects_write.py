"""PutObject, and the steps every object write shares: ingest, verify, commit, free."""

from __future__ import annotations

from typing import Any

from ironbucket.api import encryption, integrity, lock_writes
from ironbucket.api.acl import new_object_acl
from ironbucket.api.common import quote_etag, verified_body
from ironbucket.api.context import Context
from ironbucket.api.ingest import MAX_OBJECT_SIZE, Ingested, discard, ingest
from ironbucket.api.object_headers import version_headers
from ironbucket.api.write_options import WriteOptions, parse_write_options
from ironbucket.errors import EntityTooLarge, MissingContentLength
from ironbucket.features import versioning
from ironbucket.features.checksums import ChecksumAlgorithm
from ironbucket.features.conditional import write_precondition
from ironbucket.features.naming import validate_object_key
from ironbucket.http.response import Response, empty
from ironbucket.storage.interfaces import ObjectVersion, WritePrecondition


def check_declared_size(ctx: Context, limit: int = MAX_OBJECT_SIZE) -> None:
    """Refuse oversized or length-less uploads before reading a byte of them."""
    headers = ctx.headers
    chunked = "chunked" in headers.get("transfer-encoding", "")
    if "content-length" not in headers and not chunked:
        raise MissingContentLength()
    for name in ("x-amz-decoded-content-length", "content-length"):
        raw = headers.get(name)
        if raw is not None and raw.isdigit():
            if int(raw) > limit:
                raise EntityTooLarge(MaxSizeAllowed=str(limit), ProposedSize=raw)
            break


def new_version(ctx: Context, options: WriteOptions, stored: Ingested,
                algorithm: ChecksumAlgorithm, owner: tuple[str, dict[str, Any]]) -> ObjectVersion:
    """``owner``: the owning account and the ACL entries, from ``new_object_acl``."""
    assert ctx.auth is not None
    return ObjectVersion(
        bucket=ctx.bucket.name,
        key=ctx.key,
        version_id=versioning.write_version_id(ctx.bucket.versioning),
        last_modified=ctx.services.clock(),
        owner_account_id=owner[0],
        size=stored.size,
        etag=stored.md5_hex,
        storage_class=options.storage_class,
        system_metadata=options.system_metadata,
        user_metadata=options.user_metadata,
        tags=options.tags,
        checksum_algorithm=algorithm.value,
        checksum_value=integrity.stored_value(stored, algorithm),
        checksum_type="FULL_OBJECT",
        data=stored.data,
        segments=(stored.segment,) if stored.segment else (),
        extra=owner[1],
    )


def storage_precondition(headers: dict[str, str]) -> WritePrecondition | None:
    parsed = write_precondition(headers)
    if not parsed.if_none_match_star and parsed.if_match_etag is None:
        return None
    return WritePrecondition(parsed.if_none_match_star, parsed.if_match_etag)


async def commit(ctx: Context, version: ObjectVersion, stored: Ingested,
                 precondition: WritePrecondition | None) -> None:
    """Make ``version`` visible; on failure the ingested blob is dropped, on success the
    blobs it replaced are. A locked version it would replace in place refuses the write."""
    try:
        guard = await lock_writes.guard_for(ctx, version.key)
        freed = await ctx.services.meta.put_version(version, precondition, guard=guard)
    except BaseException:
        await discard(ctx.services, stored)
        raise
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)


async def put_object(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html"""
    validate_object_key(ctx.key)
    bucket = ctx.bucket
    owner = await new_object_acl(ctx)
    options = parse_write_options(ctx.headers)
    lock = await lock_writes.lock_extra(ctx, ctx.services.clock())
    lock_writes.require_integrity(ctx)
    checksum = integrity.from_headers(ctx.headers)
    precondition = storage_precondition(ctx.headers)
    check_declared_size(ctx)
    cipher = await encryption.for_new_object(ctx, bucket.name, ctx.key)
    owner = (owner[0], {**owner[1], **lock, "sse": cipher.record.to_extra()})
    body = verified_body(ctx)
    stored = await ingest(ctx.services, body.chunks(), checksums=checksum.algorithms, inline=True,
                          aead=cipher.aead)
    try:
        integrity.verify(checksum, stored, body.trailers)
    except BaseException:
        await discard(ctx.services, stored)
        raise
    # The stored checksum is the client's algorithm if it chose one, else S3's default.
    algorithm = checksum.algorithms[0]
    version = new_version(ctx, options, stored, algorithm, owner)
    await commit(ctx, version, stored, precondition)
    headers = {"etag": quote_etag(version.etag), **cipher.write_headers()}
    if checksum.requested is not None:
        headers[algorithm.header] = version.checksum_value or ""
        headers["x-amz-checksum-type"] = "FULL_OBJECT"
    headers.update(version_headers(version, bool(bucket.versioning)))
    return empty(headers=headers)
