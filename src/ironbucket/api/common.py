"""Small pieces every handler family uses: verified request documents, owners, ETags, dates."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email.utils import formatdate
from functools import lru_cache
from xml.etree.ElementTree import Element

from ironbucket.api.context import Context
from ironbucket.auth.payload import VerifiedBody, open_body
from ironbucket.authz.grant import Check
from ironbucket.errors import (
    AccessDenied,
    InternalError,
    InvalidArgument,
)
from ironbucket.features import checksums
from ironbucket.http import xml
from ironbucket.http.xml import XmlWriter
from ironbucket.storage.interfaces import Account

# Request documents (tagging, delete lists, completion lists) are small; refuse anything larger.
MAX_DOCUMENT = 2 * 1024 * 1024
_ACCOUNT_CACHE: dict[str, Account] = {}  # canonical ids and names never change


def verified_body(ctx: Context) -> VerifiedBody:
    """The request payload, decoded (aws-chunked) and checked against what the signature covers."""
    if ctx.auth is None:
        raise InternalError()
    return open_body(ctx.request.body, ctx.auth.payload)


async def body_chunks(ctx: Context) -> AsyncIterator[bytes]:
    async for chunk in verified_body(ctx).chunks():
        yield chunk


async def read_document(ctx: Context, limit: int = MAX_DOCUMENT, *, checksum_required: bool = False) -> bytes:
    """A small request document, checked against Content-MD5 / x-amz-checksum-* when sent
    (and required when the operation's model says ``requestChecksumRequired``)."""
    request = checksums.parse_checksum_request(ctx.headers)
    if checksum_required:
        checksums.require_integrity_header(ctx.headers, request)
    body = verified_body(ctx)
    document = await body.read_all(limit)
    md5_header = ctx.headers.get("content-md5")
    if md5_header is not None:
        checksums.verify_content_md5(checksums.parse_content_md5(md5_header),
                                     hashlib.md5(document, usedforsecurity=False).digest())
    if request.algorithm is not None:
        expected = request.value or body.trailers.get(request.algorithm.header)
        if expected is None:
            raise checksums.checksum_mismatch(request.algorithm)
        hasher = checksums.ChecksumHasher(request.algorithm)
        hasher.update(document)
        checksums.verify(expected, hasher)
    return document


async def read_xml(ctx: Context, root: str, limit: int = MAX_DOCUMENT, *,
                   checksum_required: bool = False) -> Element:
    document = await read_document(ctx, limit, checksum_required=checksum_required)
    return xml.expect_root(xml.parse(document), root)


async def account(ctx: Context, account_id: str) -> Account:
    cached = _ACCOUNT_CACHE.get(account_id)
    if cached is None:
        cached = await ctx.services.meta.get_account(account_id)
        if cached is None:
            raise InternalError()
        _ACCOUNT_CACHE[account_id] = cached
    return cached


async def write_owner(ctx: Context, writer: XmlWriter, account_id: str, element: str = "Owner") -> None:
    owner = await account(ctx, account_id)
    writer.start(element).element("ID", owner.canonical_id).element("DisplayName", owner.name).end()


def quote_etag(etag: str) -> str:
    return f'"{etag}"'


def moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@lru_cache(maxsize=4096)
def http_date(epoch: float) -> str:
    return formatdate(epoch, usegmt=True)


async def require_allowed(ctx: Context, action: str, resource: str, owner: str | None) -> None:
    """Authorize one more (action, resource) inside a handler (per-key operations)."""
    if ctx.authorizer is None or not await ctx.authorizer.allowed(Check(action, resource, owner)):
        raise AccessDenied()


def int_param(ctx: Context, name: str, default: int, *, low: int, high: int) -> int:
    raw = ctx.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidArgument(f"Provided {name} not an integer or within integer range",
                              ArgumentName=name, ArgumentValue=raw) from exc
    if value < low:
        raise InvalidArgument(f"Argument {name} must be an integer between {low} and {high}",
                              ArgumentName=name, ArgumentValue=raw)
    return min(value, high)
