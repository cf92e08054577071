"""CopyObject, and reading a copy source (shared with UploadPartCopy)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from ironbucket.api import encryption, integrity, lock_writes
from ironbucket.api.acl import new_object_acl
from ironbucket.api.common import moment, quote_etag
from ironbucket.api.context import Context
from ironbucket.api.copy_source import CopySource, parse_copy_source
from ironbucket.api.ingest import authenticated, ingest, read_range
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_read import describe
from ironbucket.api.objects_write import commit, storage_precondition
from ironbucket.api.write_options import WriteOptions, parse_write_options, reject_unsupported
from ironbucket.errors import AccessDenied, InvalidRequest, NoSuchKey, NoSuchVersion
from ironbucket.features import sse, versioning
from ironbucket.features.checksums import ChecksumAlgorithm
from ironbucket.features.conditional import check_copy_source_conditions
from ironbucket.features.metadata import Directive, metadata_directive, tagging_directive
from ironbucket.features.naming import validate_object_key
from ironbucket.features.tagging import parse_tagging_header
from ironbucket.http.response import Chunk, Response, xml_response
from ironbucket.http.xml import XmlWriter, iso8601
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion


async def load_copy_source(ctx: Context) -> tuple[CopySource, ObjectVersion]:
    """The source version named by ``x-amz-copy-source`` (authorization already covered it),
    after the ``x-amz-copy-source-if-*`` conditions."""
    source = parse_copy_source(ctx.headers["x-amz-copy-source"])
    if source.version_id is not None:
        versioning.check_version_id(source.version_id, "x-amz-copy-source")
    expected_owner = ctx.headers.get("x-amz-source-expected-bucket-owner")
    if expected_owner is not None:
        bucket = await ctx.services.meta.get_bucket(source.bucket)
        if bucket is None or bucket.owner_account_id != expected_owner:
            raise AccessDenied()
    version = await ctx.services.meta.get_version(source.bucket, source.key, source.version_id,
                                                  with_data=True)
    if version is None or version.is_delete_marker:
        if source.version_id is not None:
            raise NoSuchVersion(Key=source.key, VersionId=source.version_id)
        raise NoSuchKey(Key=source.key)
    check_copy_source_conditions(ctx.headers, version.etag, moment(version.last_modified),
                                 now=moment(ctx.now))
    return source, version


async def source_bytes(ctx: Context, version: ObjectVersion, start: int, end: int
                       ) -> AsyncIterator[Chunk]:
    """Bytes [start, end] of a copy source, opened with the data key the request may use
    (the ``x-amz-copy-source-server-side-encryption-customer-*`` key of an SSE-C source; the
    caller's kms:Decrypt for an SSE-KMS one)."""
    aead = await encryption.for_stored(ctx, version.extra, sse.COPY_SOURCE_CUSTOMER)
    if version.size == 0:
        return _nothing()
    return await authenticated(read_range(ctx.services, version.segments, version.data, start, end, aead),
                               describe(version))


async def _nothing() -> AsyncIterator[Chunk]:
    return
    yield b""


async def copy_object(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html"""
    validate_object_key(ctx.key)
    bucket = ctx.bucket
    owner, extra = await new_object_acl(ctx)  # a copy never takes the source's ACL
    reject_unsupported(ctx.headers)
    # The copy's lock comes from this request and the bucket default, never from the source.
    extra = {**extra, **await lock_writes.lock_extra(ctx, ctx.services.clock())}
    source, src = await load_copy_source(ctx)
    metadata = metadata_directive(ctx.headers)
    options = _options(ctx, src, metadata, tagging_directive(ctx.headers))
    # Copying an older version onto its own key is how a version is restored: not in place.
    in_place = source.bucket == bucket.name and source.key == ctx.key and src.is_latest
    if in_place and metadata is Directive.COPY and options.storage_class == src.storage_class \
            and "x-amz-checksum-algorithm" not in ctx.headers and not _changes_encryption(ctx, src):
        raise InvalidRequest(
            "This copy request is illegal because it is trying to copy an object to itself without "
            "changing the object's metadata, storage class, website redirect location or encryption "
            "attributes.")
    algorithm = _checksum_algorithm(ctx, src)
    body = await source_bytes(ctx, src, 0, src.size - 1)
    # The copy is encrypted as this request (or else the destination bucket's default) says,
    # never as the source was: S3 does the same.
    cipher = await encryption.for_new_object(ctx, bucket.name, ctx.key)
    extra = {**extra, "sse": cipher.record.to_extra()}
    stored = await ingest(ctx.services, body, checksums=(algorithm,), inline=True, aead=cipher.aead)
    checksum_value = integrity.stored_value(stored, algorithm)
    version = ObjectVersion(
        bucket=bucket.name, key=ctx.key, version_id=versioning.write_version_id(bucket.versioning),
        last_modified=ctx.services.clock(),
        owner_account_id=owner, size=stored.size, etag=stored.md5_hex,
        storage_class=options.storage_class, system_metadata=options.system_metadata,
        user_metadata=options.user_metadata, tags=options.tags, checksum_algorithm=algorithm.value,
        checksum_value=checksum_value, checksum_type="FULL_OBJECT", data=stored.data,
        segments=(stored.segment,) if stored.segment else (), extra=extra,
    )
    await commit(ctx, version, stored, storage_precondition(ctx.headers))
    writer = XmlWriter("CopyObjectResult").element("ETag", quote_etag(version.etag))
    writer.element("LastModified", iso8601(version.last_modified))
    if src.checksum_algorithm or "x-amz-checksum-algorithm" in ctx.headers:
        writer.element("ChecksumType", "FULL_OBJECT")
        writer.element(f"Checksum{algorithm.value}", checksum_value)
    headers = {**version_headers(version, bool(bucket.versioning)), **cipher.write_headers()}
    if src.version_id != NULL_VERSION:
        headers["x-amz-copy-source-version-id"] = src.version_id
    return xml_response(writer.render(), headers=headers)


def _changes_encryption(ctx: Context, src: ObjectVersion) -> bool:
    """A copy onto itself that names an encryption, or takes an SSE-C object out of SSE-C."""
    if sse.H_ALGORITHM in ctx.headers or (sse.CUSTOMER + "algorithm") in ctx.headers:
        return True
    stored = sse.Encryption.from_extra(src.extra)
    return stored is not None and stored.algorithm == sse.SSE_C


def _options(ctx: Context, src: ObjectVersion, metadata: Directive, tagging: Directive) -> WriteOptions:
    replaced = parse_write_options(ctx.headers)
    if metadata is Directive.REPLACE:
        system, user = replaced.system_metadata, replaced.user_metadata
    else:
        system, user = dict(src.system_metadata), dict(src.user_metadata)
    if tagging is Directive.REPLACE:
        header = ctx.headers.get("x-amz-tagging")
        tags = dict(parse_tagging_header(header)) if header is not None else {}
    else:
        tags = dict(src.tags)
    storage = ctx.headers.get("x-amz-storage-class")
    return WriteOptions(system, user, tags, replaced.storage_class if storage else src.storage_class)


def _checksum_algorithm(ctx: Context, src: ObjectVersion) -> ChecksumAlgorithm:
    requested = ctx.headers.get("x-amz-checksum-algorithm")
    if requested is not None:
        return ChecksumAlgorithm.parse(requested)
    if src.checksum_algorithm:
        return ChecksumAlgorithm.parse(src.checksum_algorithm)
    return integrity.DEFAULT_ALGORITHM
