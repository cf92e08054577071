"""Multipart uploads. Parts are stored once, as blobs; completing an upload writes a manifest
(the ordered part blobs) into the new version — no byte is copied.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from ironbucket.api import encryption, integrity, lock_writes
from ironbucket.api.acl import new_object_acl
from ironbucket.api.common import (
    account,
    int_param,
    quote_etag,
    read_xml,
    verified_body,
)
from ironbucket.api.context import Context
from ironbucket.api.ingest import discard, ingest
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_copy import load_copy_source, source_bytes
from ironbucket.api.objects_write import check_declared_size, storage_precondition
from ironbucket.api.write_options import parse_write_options
from ironbucket.errors import (
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    InvalidRequest,
    MalformedXML,
    NoSuchUpload,
)
from ironbucket.features import checksums, sse, versioning
from ironbucket.features.checksums import ChecksumAlgorithm, ChecksumType, MultipartChecksum
from ironbucket.features.naming import validate_object_key
from ironbucket.features.ranges import parse_copy_range
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter, iso8601
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion, Part, PartSummary, Upload

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000
MAX_PARTS_LISTED = 1000


async def create_multipart_upload(ctx: Context) -> Response:
    validate_object_key(ctx.key)
    bucket = ctx.bucket
    owner, acl_extra = await new_object_acl(ctx)
    options = parse_write_options(ctx.headers)
    # The lock is fixed now (retain-until checked against this moment) and given to the
    # version at completion.
    lock = await lock_writes.lock_extra(ctx, ctx.services.clock())
    checksum = checksums.multipart_checksum(ctx.headers)
    assert ctx.auth is not None
    # Parts are sealed as they arrive, under one data key chosen now.
    cipher = await encryption.for_new_object(ctx, bucket.name, ctx.key)
    upload = Upload(
        # Letters and digits only: an id starting with "-" reads as an option to CLI tools.
        upload_id=os.urandom(24).hex(),
        bucket=bucket.name, key=ctx.key, initiated_at=ctx.services.clock(),
        owner_account_id=owner, initiator_arn=ctx.auth.principal.arn,
        storage_class=options.storage_class, system_metadata=options.system_metadata,
        user_metadata=options.user_metadata, tags=options.tags,
        # None: created without an algorithm (S3 still keeps a FULL_OBJECT CRC64NVME).
        checksum_algorithm=checksum.algorithm.value if checksum.explicit else None,
        checksum_type=checksum.type.value if checksum.explicit else None,
        extra={"initiator_account": ctx.auth.principal.account_id, **acl_extra, **lock,
               "sse": cipher.record.to_extra()},
    )
    await ctx.services.meta.create_upload(upload)
    writer = XmlWriter("InitiateMultipartUploadResult").element("Bucket", bucket.name)
    writer.element("Key", ctx.key).element("UploadId", upload.upload_id)
    headers = cipher.write_headers()
    if checksum.explicit:
        headers["x-amz-checksum-algorithm"] = checksum.algorithm.value
        headers["x-amz-checksum-type"] = checksum.type.value
    return xml_response(writer.render(), headers=headers)


async def _upload(ctx: Context) -> Upload:
    upload_id = ctx.query.get("uploadId", "")
    upload = await ctx.services.meta.get_upload(upload_id) if upload_id else None
    if upload is None or upload.bucket != ctx.bucket.name or upload.key != ctx.key:
        raise NoSuchUpload(UploadId=upload_id)
    return upload


def _part_number(ctx: Context) -> int:
    raw = ctx.query.get("partNumber", "")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PART_NUMBER:
        raise InvalidArgument("Part number must be an integer between 1 and 10000, inclusive",
                              ArgumentName="partNumber", ArgumentValue=raw)
    return int(raw)


def _upload_checksum(upload: Upload) -> MultipartChecksum:
    if upload.checksum_algorithm is None:
        return MultipartChecksum(integrity.DEFAULT_ALGORITHM, ChecksumType.FULL_OBJECT, explicit=False)
    return MultipartChecksum(ChecksumAlgorithm(upload.checksum_algorithm),
                             ChecksumType(upload.checksum_type or "COMPOSITE"), explicit=True)


async def upload_part(ctx: Context) -> Response:
    number = _part_number(ctx)
    upload = await _upload(ctx)
    check_declared_size(ctx)
    lock_writes.require_integrity(ctx)
    upload_checksum = _upload_checksum(upload)
    checksum = integrity.from_headers(ctx.headers, keep=upload_checksum.algorithm)
    checksums.part_checksum_algorithm(upload_checksum, checksum.request)
    aead = await encryption.for_stored(ctx, upload.extra, upload=True)
    body = verified_body(ctx)
    stored = await ingest(ctx.services, body.chunks(), checksums=checksum.algorithms, inline=False,
                          aead=aead)
    try:
        integrity.verify(checksum, stored, body.trailers)
        part = Part(upload_id=upload.upload_id, part_number=number, size=stored.size,
                    etag=stored.md5_hex, last_modified=ctx.services.clock(), segment=stored.segment,
                    checksum=integrity.stored_value(stored, upload_checksum.algorithm))
        freed = await ctx.services.meta.put_part(part)
    except BaseException:
        await discard(ctx.services, stored)
        raise
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    headers = {"etag": quote_etag(part.etag), **_sse_headers(upload)}
    if checksum.requested is not None:
        headers[checksum.requested.header] = integrity.stored_value(stored, checksum.requested)
    return empty(headers=headers)


async def upload_part_copy(ctx: Context) -> Response:
    number = _part_number(ctx)
    upload = await _upload(ctx)
    _, source = await load_copy_source(ctx)
    start, end = 0, source.size - 1
    wanted = ctx.headers.get("x-amz-copy-source-range")
    if wanted is not None:
        start, end = parse_copy_range(wanted, source.size)
    algorithm = _upload_checksum(upload).algorithm
    body = await source_bytes(ctx, source, start, end)
    aead = await encryption.for_stored(ctx, upload.extra, upload=True)
    stored = await ingest(ctx.services, body, checksums=(algorithm,), inline=False, aead=aead)
    value = integrity.stored_value(stored, algorithm)
    part = Part(upload_id=upload.upload_id, part_number=number, size=stored.size, etag=stored.md5_hex,
                last_modified=ctx.services.clock(), segment=stored.segment, checksum=value)
    try:
        freed = await ctx.services.meta.put_part(part)
    except BaseException:
        await discard(ctx.services, stored)
        raise
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    writer = XmlWriter("CopyPartResult").element("ETag", quote_etag(part.etag))
    writer.element("LastModified", iso8601(part.last_modified))
    if upload.checksum_algorithm:
        writer.element(f"Checksum{upload.checksum_algorithm}", value)
    headers = _sse_headers(upload)
    if source.version_id != NULL_VERSION:
        headers["x-amz-copy-source-version-id"] = source.version_id
    return xml_response(writer.render(), headers=headers)


@dataclass(frozen=True, slots=True)
class _Requested:
    number: int
    etag: str
    checksums: dict[ChecksumAlgorithm, str]


async def _requested_parts(ctx: Context) -> list[_Requested]:
    root = await read_xml(ctx, "CompleteMultipartUpload")
    requested: list[_Requested] = []
    for element in xml.children(root, "Part"):
        number = xml.child_text(element, "PartNumber")
        etag = xml.child_text(element, "ETag")
        if number is None or not number.strip().isdigit() or etag is None:
            raise MalformedXML()
        sent = {alg: value for alg in ChecksumAlgorithm
                if (value := xml.child_text(element, f"Checksum{alg.value}")) is not None}
        requested.append(_Requested(int(number), etag.strip().strip('"'), sent))
    if not requested:
        raise MalformedXML()
    numbers = [r.number for r in requested]
    if numbers != sorted(numbers) or len(set(numbers)) != len(numbers):
        raise InvalidPartOrder()
    return requested


async def complete_multipart_upload(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html"""
    upload = await _upload(ctx)
    precondition = storage_precondition(ctx.headers)
    requested = await _requested_parts(ctx)
    stored: dict[int, Part] = {}
    after = 0
    while True:
        page = await ctx.services.meta.list_parts(upload.upload_id, after, MAX_PARTS_LISTED)
        stored.update((p.part_number, p) for p in page)
        if len(page) < MAX_PARTS_LISTED:
            break
        after = page[-1].part_number
    parts: list[Part] = []
    for index, want in enumerate(requested):
        part = stored.get(want.number)
        if part is None or part.etag != want.etag:
            raise InvalidPart(PartNumber=str(want.number), ETag=want.etag, UploadId=upload.upload_id)
        if index < len(requested) - 1 and part.size < MIN_PART_SIZE:
            raise EntityTooSmall(ProposedSize=str(part.size), MinSizeAllowed=str(MIN_PART_SIZE),
                                 PartNumber=str(part.part_number), ETag=part.etag)
        parts.append(part)
    size = sum(p.size for p in parts)
    expected_size = ctx.headers.get("x-amz-mp-object-size")
    if expected_size is not None and expected_size != str(size):
        raise InvalidRequest(f"The provided 'x-amz-mp-object-size' header value {expected_size} "
                             f"does not match what was computed: {size}")
    md5s = b"".join(bytes.fromhex(p.etag) for p in parts)
    etag = f"{hashlib.md5(md5s, usedforsecurity=False).hexdigest()}-{len(parts)}"
    upload_checksum = _upload_checksum(upload)
    checksum_value = checksums.complete_checksum(
        upload_checksum,
        [checksums.CompletedPart(r.number, r.checksums) for r in requested],
        [checksums.StoredPart(p.part_number, p.size,
                              checksums.decode_checksum(upload_checksum.algorithm, p.checksum or ""))
         for p in parts],
        ctx.headers)
    algorithm, checksum_type = upload_checksum.algorithm, upload_checksum.type.value
    version = ObjectVersion(
        bucket=upload.bucket, key=upload.key, version_id=versioning.write_version_id(ctx.bucket.versioning),
        last_modified=ctx.services.clock(), owner_account_id=upload.owner_account_id, size=size,
        etag=etag, storage_class=upload.storage_class, system_metadata=upload.system_metadata,
        user_metadata=upload.user_metadata, tags=upload.tags, checksum_algorithm=algorithm.value,
        checksum_value=checksum_value, checksum_type=checksum_type,
        parts=tuple(PartSummary(p.part_number, p.size, p.etag, p.checksum) for p in parts),
        segments=tuple(p.segment for p in parts if p.segment is not None),
        extra={k: upload.extra[k] for k in ("acl", lock_writes.LOCK_KEY, "sse") if k in upload.extra},
    )
    freed = await ctx.services.meta.complete_upload(upload, version, [p.part_number for p in parts],
                                                    precondition,
                                                    guard=await lock_writes.guard_for(ctx, upload.key))
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    writer = XmlWriter("CompleteMultipartUploadResult")
    writer.element("Location", f"/{upload.bucket}/{upload.key}")
    writer.element("Bucket", upload.bucket).element("Key", upload.key).element("ETag", quote_etag(etag))
    writer.element(f"Checksum{algorithm.value}", checksum_value)
    writer.element("ChecksumType", checksum_type)
    return xml_response(writer.render(), headers={**version_headers(version, bool(ctx.bucket.versioning)),
                                                  **_sse_headers(upload)})


def _sse_headers(upload: Upload) -> dict[str, str]:
    return sse.response_headers(sse.Encryption.from_extra(upload.extra))


async def abort_multipart_upload(ctx: Context) -> Response:
    upload = await _upload(ctx)
    freed = await ctx.services.meta.abort_upload(upload.upload_id)
    if freed:
        await ctx.services.run(ctx.services.blobs.delete, freed)
    return empty(204)


async def list_parts(ctx: Context) -> Response:
    upload = await _upload(ctx)
    max_parts = int_param(ctx, "max-parts", MAX_PARTS_LISTED, low=0, high=MAX_PARTS_LISTED)
    marker = int_param(ctx, "part-number-marker", 0, low=0, high=MAX_PART_NUMBER)
    found = await ctx.services.meta.list_parts(upload.upload_id, marker, max_parts + 1)
    page, truncated = found[:max_parts], len(found) > max_parts
    writer = XmlWriter("ListPartsResult").element("Bucket", upload.bucket).element("Key", upload.key)
    writer.element("UploadId", upload.upload_id)
    await _write_parties(ctx, writer, upload)
    writer.element("StorageClass", upload.storage_class)
    writer.element("PartNumberMarker", marker)
    if page:
        writer.element("NextPartNumberMarker", page[-1].part_number)
    writer.element("MaxParts", max_parts).element("IsTruncated", truncated)
    for part in page:
        writer.start("Part").element("PartNumber", part.part_number)
        writer.element("LastModified", iso8601(part.last_modified))
        writer.element("ETag", quote_etag(part.etag)).element("Size", part.size)
        if upload.checksum_algorithm and part.checksum:
            writer.element(f"Checksum{upload.checksum_algorithm}", part.checksum)
        writer.end()
    if upload.checksum_algorithm:
        writer.element("ChecksumAlgorithm", upload.checksum_algorithm)
        writer.element("ChecksumType", upload.checksum_type)
    return xml_response(writer.render())


async def _write_parties(ctx: Context, writer: XmlWriter, upload: Upload) -> None:
    initiator_account = await account(ctx, str(upload.extra.get("initiator_account",
                                                                upload.owner_account_id)))
    writer.start("Initiator").element("ID", upload.initiator_arn)
    writer.element("DisplayName", initiator_account.name).end()
    owner = await account(ctx, upload.owner_account_id)
    writer.start("Owner").element("ID", owner.canonical_id).element("DisplayName", owner.name).end()


async def list_multipart_uploads(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html"""
    from ironbucket.api.listing import _Encoder, common_prefix

    bucket = ctx.bucket
    prefix = ctx.query.get("prefix", "")
    delimiter = ctx.query.get("delimiter", "")
    key_marker = ctx.query.get("key-marker", "")
    upload_marker = ctx.query.get("upload-id-marker", "") if key_marker else ""
    max_uploads = int_param(ctx, "max-uploads", 1000, low=0, high=1000)
    encode = _Encoder(ctx.query.get("encoding-type"))
    entries: list[Upload | str] = []
    seen_prefixes: set[str] = set()
    truncated = False
    key, upload_id = key_marker, upload_marker
    while not truncated:
        batch = await ctx.services.meta.list_uploads(bucket.name, prefix, key, upload_id,
                                                     max_uploads + 1)
        for upload in batch:
            rolled = common_prefix(upload.key, prefix, delimiter)
            if rolled is not None and rolled in seen_prefixes:
                key, upload_id = upload.key, upload.upload_id
                continue
            if len(entries) == max_uploads:
                truncated = True
                break
            if rolled is not None:
                seen_prefixes.add(rolled)
                entries.append(rolled)
            else:
                entries.append(upload)
            key, upload_id = upload.key, upload.upload_id
        if len(batch) < max_uploads + 1:
            break
    writer = XmlWriter("ListMultipartUploadsResult").element("Bucket", bucket.name)
    writer.element("KeyMarker", encode(key_marker)).element("UploadIdMarker", upload_marker)
    last = entries[-1] if entries else None
    if truncated and last is not None:
        writer.element("NextKeyMarker", encode(last if isinstance(last, str) else last.key))
        writer.element("NextUploadIdMarker", "" if isinstance(last, str) else last.upload_id)
    if prefix:
        writer.element("Prefix", encode(prefix))
    if delimiter:
        writer.element("Delimiter", encode(delimiter))
    if encode.url:
        writer.element("EncodingType", "url")
    writer.element("MaxUploads", max_uploads).element("IsTruncated", truncated)
    for entry in entries:
        if isinstance(entry, str):
            continue
        writer.start("Upload").element("Key", encode(entry.key)).element("UploadId", entry.upload_id)
        await _write_parties(ctx, writer, entry)
        writer.element("StorageClass", entry.storage_class)
        writer.element("Initiated", iso8601(entry.initiated_at))
        if entry.checksum_algorithm:
            writer.element("ChecksumAlgorithm", entry.checksum_algorithm)
            writer.element("ChecksumType", entry.checksum_type)
        writer.end()
    for entry in entries:
        if isinstance(entry, str):
            writer.start("CommonPrefixes").element("Prefix", encode(entry)).end()
    return xml_response(writer.render())
