"""Reading objects: GetObject, HeadObject, GetObjectAttributes, GetObjectAcl."""

from __future__ import annotations

from ironbucket.api import encryption, lock_writes
from ironbucket.api.common import http_date, int_param, moment, quote_etag
from ironbucket.api.context import Context
from ironbucket.api.ingest import authenticated, open_inline, read_range
from ironbucket.api.needs import bucket_arn
from ironbucket.api.object_headers import checksum_headers, object_headers, version_headers
from ironbucket.authz.grant import Check
from ironbucket.errors import (
    AccessDenied,
    InvalidArgument,
    InvalidPartNumber,
    InvalidRequest,
    MethodNotAllowed,
    NoSuchKey,
    NoSuchVersion,
    NotModified,
    S3Error,
)
from ironbucket.features import versioning
from ironbucket.features.conditional import check_read_conditions
from ironbucket.features.metadata import response_overrides
from ironbucket.features.ranges import content_range, parse_range
from ironbucket.features.sse import Encryption, customer_key
from ironbucket.http.response import Response, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.storage.interfaces import ObjectVersion


async def find_version(ctx: Context, *, with_data: bool = True) -> ObjectVersion:
    """The requested version of the addressed key, or the error AWS would give.

    A missing key is ``NoSuchKey`` only for callers allowed to list the bucket; everyone else
    learns nothing and gets ``AccessDenied``.
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
    """
    version_id = ctx.query.get("versionId")
    if version_id is not None:
        versioning.check_version_id(version_id)
    version = await ctx.services.meta.get_version(ctx.bucket.name, ctx.key, version_id,
                                                  with_data=with_data)
    if version is None:
        if version_id is not None:
            raise NoSuchVersion(Key=ctx.key, VersionId=version_id)
        raise await not_found(ctx)
    if version.is_delete_marker:
        if version_id is not None:
            error: S3Error = _method_not_allowed_on_marker(ctx.request.method)
            error.headers["last-modified"] = http_date(version.last_modified)
        else:
            error = await not_found(ctx)
        # Callers who may not list the bucket get a bare AccessDenied: the marker headers would
        # tell them the key once existed.
        if not isinstance(error, AccessDenied):
            error.headers["x-amz-delete-marker"] = "true"
            error.headers.update(version_headers(version, True))
        raise error
    return version


def describe(version: ObjectVersion) -> str:
    return f"{version.bucket}/{version.key} (version {version.version_id})"


async def not_found(ctx: Context) -> S3Error:
    assert ctx.authorizer is not None
    bucket = ctx.bucket
    may_list = await ctx.authorizer.allowed(
        Check("s3:ListBucket", bucket_arn(bucket.name), bucket.owner_account_id))
    return NoSuchKey(Key=ctx.key) if may_list else AccessDenied()


def _method_not_allowed_on_marker(method: str) -> S3Error:
    return MethodNotAllowed(Method=method, ResourceType="DeleteMarker")


async def get_object(ctx: Context) -> Response:
    return await _read(ctx, head=False)


async def head_object(ctx: Context) -> Response:
    return await _read(ctx, head=True)


async def _read(ctx: Context, *, head: bool) -> Response:
    assert ctx.auth is not None
    overrides = response_overrides(ctx.query)
    if overrides and ctx.auth.principal.is_anonymous:
        raise InvalidRequest("Request specific response headers cannot be used for anonymous GET requests.")
    version = await find_version(ctx, with_data=not head)
    stored = Encryption.from_extra(version.extra)
    if head:
        encryption.check_head(ctx, stored)
        aead = None
    else:
        aead = await encryption.for_read(ctx, stored, customer_key(ctx.headers))
    headers = object_headers(version, versioned_bucket=bool(ctx.bucket.versioning), encryption=stored)
    if lock_writes.has_lock(version):
        headers.update(await lock_writes.read_headers(ctx, version))
    try:
        _check_conditions(ctx, version)
    except NotModified as exc:
        exc.headers.update({k: headers[k] for k in ("etag", "last-modified")})
        raise
    size = version.size
    start, end, status = 0, size - 1, 200
    part_number = ctx.query.get("partNumber")
    wants_checksum = ctx.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED"
    if part_number is not None:
        if "range" in ctx.headers:
            raise InvalidRequest("Cannot specify both Range header and partNumber query parameter")
        number = int_param(ctx, "partNumber", 1, low=1, high=10000)
        start, end = _part_range(version, number)
        status = 206
        headers["content-range"] = content_range(start, end, size)
        if version.parts:
            headers["x-amz-mp-parts-count"] = str(len(version.parts))
            part = version.parts[number - 1]
            if wants_checksum and part.checksum and version.checksum_algorithm:
                headers[f"x-amz-checksum-{version.checksum_algorithm.lower()}"] = part.checksum
        elif wants_checksum:
            headers.update(checksum_headers(version))
    else:
        wanted = parse_range(ctx.headers.get("range"), size)
        if wanted is not None:
            start, end = wanted
            status = 206
            headers["content-range"] = content_range(start, end, size)
        elif wants_checksum:
            headers.update(checksum_headers(version))
    if overrides:
        headers.update((name.lower(), value) for name, value in overrides.items())
    length = max(0, end - start + 1)
    if head:
        return Response(status=status, headers=headers, body=b"", content_length=length)
    if length == 0:
        return Response(status=status, headers=headers, body=b"")
    if version.data is not None:  # inline: opened whole, sent as one piece (Response's fields
        # positionally: status, headers, body; see http/asgi.build_request)
        plaintext = open_inline(version.data, aead, lambda: describe(version))
        return Response(status, headers, plaintext[start:end + 1])
    body = await authenticated(read_range(ctx.services, version.segments, version.data, start, end, aead),
                               describe(version))
    return Response(status=status, headers=headers, body=body, content_length=length)


_CONDITIONAL_HEADERS = frozenset(("if-match", "if-none-match", "if-modified-since", "if-unmodified-since"))


def _check_conditions(ctx: Context, version: ObjectVersion) -> None:
    if not _CONDITIONAL_HEADERS.isdisjoint(ctx.headers):
        check_read_conditions(ctx.headers, version.etag, moment(version.last_modified),
                              now=moment(ctx.now))


def _part_range(version: ObjectVersion, number: int) -> tuple[int, int]:
    if not version.parts:
        if number != 1:
            raise InvalidPartNumber(PartNumberRequested=str(number), ActualPartCount="1")
        return 0, version.size - 1
    if number > len(version.parts):
        raise InvalidPartNumber(PartNumberRequested=str(number), ActualPartCount=str(len(version.parts)))
    start = sum(p.size for p in version.parts[: number - 1])
    return start, start + version.parts[number - 1].size - 1


_ATTRIBUTES = {"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}


async def get_object_attributes(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html"""
    wanted = {a.strip() for a in ctx.headers.get("x-amz-object-attributes", "").split(",") if a.strip()}
    if not wanted or not wanted <= _ATTRIBUTES:
        raise InvalidArgument("Invalid attribute name specified.", ArgumentName="x-amz-object-attributes")
    version = await find_version(ctx, with_data=False)
    encryption.check_head(ctx, Encryption.from_extra(version.extra))
    _check_conditions(ctx, version)
    writer = XmlWriter("GetObjectAttributesResponse")
    if "ETag" in wanted:
        writer.element("ETag", version.etag)
    if "Checksum" in wanted and version.checksum_algorithm and version.checksum_value:
        # S3 gives a COMPOSITE value here without the "-N" part count that HeadObject shows.
        writer.start("Checksum").element(f"Checksum{version.checksum_algorithm}",
                                         version.checksum_value.partition("-")[0])
        writer.element("ChecksumType", version.checksum_type).end()
    if "ObjectParts" in wanted and version.parts:
        max_parts = min(_header_int(ctx, "x-amz-max-parts", 1000), 1000)
        marker = _header_int(ctx, "x-amz-part-number-marker", 0)
        remaining = [p for p in version.parts if p.part_number > marker]
        page = remaining[:max_parts]
        writer.start("ObjectParts").element("PartsCount", len(version.parts))
        writer.element("PartNumberMarker", marker)
        writer.element("NextPartNumberMarker", page[-1].part_number if page else marker)
        writer.element("MaxParts", max_parts).element("IsTruncated", len(remaining) > len(page))
        for part in page:
            writer.start("Part").element("PartNumber", part.part_number).element("Size", part.size)
            if part.checksum and version.checksum_algorithm:
                writer.element(f"Checksum{version.checksum_algorithm}", part.checksum)
            writer.end()
        writer.end()
    if "StorageClass" in wanted:
        writer.element("StorageClass", version.storage_class)
    if "ObjectSize" in wanted:
        writer.element("ObjectSize", version.size)
    headers = {"last-modified": http_date(version.last_modified), "etag": quote_etag(version.etag)}
    headers.update(version_headers(version, bool(ctx.bucket.versioning)))
    return xml_response(writer.render(), headers=headers)


def _header_int(ctx: Context, name: str, default: int) -> int:
    raw = ctx.headers.get(name)
    if raw is None:
        return default
    if not raw.isdigit():
        raise InvalidArgument(f"Invalid {name}", ArgumentName=name, ArgumentValue=raw)
    return int(raw)
