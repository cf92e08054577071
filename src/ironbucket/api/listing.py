"""ListObjects (V1), ListObjectsV2 and ListObjectVersions.

A page costs O(page): the store is asked for index range scans only, and a delimiter's common
prefix is skipped with one seek past it rather than by reading every key beneath it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from urllib.parse import quote

from ironbucket.api.acl import shown_owner
from ironbucket.api.common import int_param, quote_etag, write_owner
from ironbucket.api.context import Context
from ironbucket.errors import InvalidArgument
from ironbucket.features import versioning
from ironbucket.http.response import Response, xml_response
from ironbucket.http.xml import XmlWriter, iso8601
from ironbucket.storage.interfaces import MetadataStore, ObjectVersion

MAX_KEYS = 1000


@dataclass(frozen=True, slots=True)
class Position:
    """Where a listing resumes: after ``key`` (or from it, if ``inclusive``)."""

    key: str
    inclusive: bool = False


@dataclass(slots=True)
class Page:
    entries: list[ObjectVersion | str]  # objects and common prefixes, in key order
    truncated: bool
    resume: Position | None  # where the next page starts, when truncated


def after_prefix(prefix: str) -> str:
    """The smallest string greater than every string that starts with ``prefix``."""
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            following = last + 1 if last + 1 != 0xD800 else 0xE000  # skip UTF-16 surrogates
            return prefix[:-1] + chr(following)
        prefix = prefix[:-1]
    return "\U0010ffff" * 256  # everything is below this


def common_prefix(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    index = key.find(delimiter, len(prefix))
    return key[: index + len(delimiter)] if index >= 0 else None


def start_position(marker: str, prefix: str, delimiter: str) -> Position:
    """A marker that is itself a rolled-up common prefix resumes after everything below it."""
    rolled = common_prefix(marker, prefix, delimiter) if marker.startswith(prefix) else None
    if marker and rolled == marker:
        return Position(after_prefix(marker), inclusive=True)
    if marker < prefix:
        return Position(prefix, inclusive=True)
    return Position(marker)


async def collect(meta: MetadataStore, bucket: str, prefix: str, delimiter: str, start: Position,
                  limit: int) -> Page:
    entries: list[ObjectVersion | str] = []
    position = start
    if limit == 0:
        return Page(entries, False, None)
    while True:
        want = limit - len(entries) + 1  # one extra tells us whether the page is truncated
        batch = await meta.list_current(bucket, prefix, position.key, position.inclusive, want)
        for version in batch:
            if len(entries) == limit:
                return Page(entries, True, _resume_after(entries[-1]))
            rolled = common_prefix(version.key, prefix, delimiter)
            if rolled is not None:
                entries.append(rolled)
                position = Position(after_prefix(rolled), inclusive=True)
                break  # seek past everything under this prefix
            entries.append(version)
            position = Position(version.key)
        else:
            if len(batch) < want:
                return Page(entries, False, None)


def _resume_after(entry: ObjectVersion | str) -> Position:
    if isinstance(entry, str):
        return Position(after_prefix(entry), inclusive=True)
    return Position(entry.key)


class _Encoder:
    def __init__(self, encoding_type: str | None) -> None:
        if encoding_type not in (None, "url"):
            raise InvalidArgument("Invalid Encoding Method specified in Request",
                                  ArgumentName="encoding-type", ArgumentValue=encoding_type or "")
        self.url = encoding_type == "url"

    def __call__(self, value: str) -> str:
        return quote(value, safe="/") if self.url else value


def _listing_params(ctx: Context) -> tuple[str, str, int, _Encoder]:
    prefix = ctx.query.get("prefix", "")
    delimiter = ctx.query.get("delimiter", "")
    max_keys = int_param(ctx, "max-keys", MAX_KEYS, low=0, high=MAX_KEYS)
    return prefix, delimiter, max_keys, _Encoder(ctx.query.get("encoding-type"))


async def _write_entries(ctx: Context, writer: XmlWriter, page: Page, encode: _Encoder,
                         *, owner: bool) -> None:
    prefixes: list[str] = []
    shown = await shown_owner(ctx) if owner else None
    for entry in page.entries:
        if isinstance(entry, str):
            prefixes.append(entry)
            continue
        writer.start("Contents").element("Key", encode(entry.key))
        writer.element("LastModified", iso8601(entry.last_modified))
        writer.element("ETag", quote_etag(entry.etag))
        if entry.checksum_algorithm:
            writer.element("ChecksumAlgorithm", entry.checksum_algorithm)
            writer.element("ChecksumType", entry.checksum_type)
        writer.element("Size", entry.size).element("StorageClass", entry.storage_class)
        if shown is not None:
            await write_owner(ctx, writer, shown(entry.owner_account_id))
        writer.end()
    for rolled in prefixes:
        writer.start("CommonPrefixes").element("Prefix", encode(rolled)).end()


async def list_objects(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html"""
    prefix, delimiter, max_keys, encode = _listing_params(ctx)
    marker = ctx.query.get("marker", "")
    page = await collect(ctx.services.meta, ctx.bucket.name, prefix, delimiter,
                         start_position(marker, prefix, delimiter), max_keys)
    writer = XmlWriter("ListBucketResult").element("Name", ctx.bucket.name)
    writer.element("Prefix", encode(prefix)).element("Marker", encode(marker))
    writer.element("MaxKeys", max_keys)
    if delimiter:
        writer.element("Delimiter", encode(delimiter))
    if encode.url:
        writer.element("EncodingType", "url")
    writer.element("IsTruncated", page.truncated)
    if page.truncated and delimiter:
        last = page.entries[-1]
        writer.element("NextMarker", encode(last if isinstance(last, str) else last.key))
    await _write_entries(ctx, writer, page, encode, owner=True)
    return xml_response(writer.render())


def _encode_token(position: Position) -> str:
    raw = ("i" if position.inclusive else "e") + position.key
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_token(token: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidArgument("The continuation token provided is incorrect",
                              ArgumentName="continuation-token") from exc
    if not raw or raw[0] not in "ie":
        raise InvalidArgument("The continuation token provided is incorrect",
                              ArgumentName="continuation-token")
    return Position(raw[1:], inclusive=raw[0] == "i")


async def list_objects_v2(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html"""
    prefix, delimiter, max_keys, encode = _listing_params(ctx)
    token = ctx.query.get("continuation-token")
    start_after = ctx.query.get("start-after", "")
    if token is not None:
        if token == "":
            raise InvalidArgument("The continuation token provided is incorrect",
                                  ArgumentName="continuation-token")
        start = _decode_token(token)
    else:
        start = start_position(start_after, prefix, delimiter)
    page = await collect(ctx.services.meta, ctx.bucket.name, prefix, delimiter, start, max_keys)
    writer = XmlWriter("ListBucketResult").element("Name", ctx.bucket.name)
    writer.element("Prefix", encode(prefix))
    if delimiter:
        writer.element("Delimiter", encode(delimiter))
    writer.element("MaxKeys", max_keys)
    if encode.url:
        writer.element("EncodingType", "url")
    writer.element("KeyCount", len(page.entries)).element("IsTruncated", page.truncated)
    if token is not None:
        writer.element("ContinuationToken", token)
    if page.truncated and page.resume is not None:
        writer.element("NextContinuationToken", _encode_token(page.resume))
    if start_after:
        writer.element("StartAfter", encode(start_after))
    fetch_owner = ctx.query.get("fetch-owner", "").lower() == "true"
    await _write_entries(ctx, writer, page, encode, owner=fetch_owner)
    return xml_response(writer.render())


async def list_object_versions(ctx: Context) -> Response:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html"""
    prefix, delimiter, max_keys, encode = _listing_params(ctx)
    key_marker = ctx.query.get("key-marker", "")
    version_marker = ctx.query.get("version-id-marker", "")
    if version_marker and not key_marker:
        raise InvalidArgument("A version-id marker cannot be specified without a key marker.",
                              ArgumentName="version-id-marker", ArgumentValue=version_marker)
    if version_marker:
        versioning.check_version_id(version_marker, "version-id-marker")
    entries, truncated = await _collect_versions(ctx, prefix, delimiter, key_marker, version_marker,
                                                 max_keys)
    writer = XmlWriter("ListVersionsResult").element("Name", ctx.bucket.name)
    writer.element("Prefix", encode(prefix)).element("KeyMarker", encode(key_marker))
    writer.element("VersionIdMarker", version_marker)
    if truncated and entries:
        last = entries[-1]
        if isinstance(last, str):
            writer.element("NextKeyMarker", encode(last))
        else:
            writer.element("NextKeyMarker", encode(last.key))
            writer.element("NextVersionIdMarker", last.version_id)
    writer.element("MaxKeys", max_keys)
    if delimiter:
        writer.element("Delimiter", encode(delimiter))
    if encode.url:
        writer.element("EncodingType", "url")
    writer.element("IsTruncated", truncated)
    prefixes: list[str] = []
    shown = await shown_owner(ctx)
    for entry in entries:
        if isinstance(entry, str):
            prefixes.append(entry)
            continue
        writer.start("DeleteMarker" if entry.is_delete_marker else "Version")
        writer.element("Key", encode(entry.key)).element("VersionId", entry.version_id)
        writer.element("IsLatest", entry.is_latest)
        writer.element("LastModified", iso8601(entry.last_modified))
        if not entry.is_delete_marker:
            writer.element("ETag", quote_etag(entry.etag)).element("Size", entry.size)
            writer.element("StorageClass", entry.storage_class)
            if entry.checksum_algorithm:
                writer.element("ChecksumAlgorithm", entry.checksum_algorithm)
                writer.element("ChecksumType", entry.checksum_type)
        await write_owner(ctx, writer, shown(entry.owner_account_id))
        writer.end()
    for rolled in prefixes:
        writer.start("CommonPrefixes").element("Prefix", encode(rolled)).end()
    return xml_response(writer.render())


def _beyond(rolled: str) -> str:
    """An exclusive marker greater than every key under ``rolled`` and smaller than every key
    after them: keys are at most 1024 UTF-8 bytes, and U+10FFFF is the largest code point."""
    return rolled + "\U0010ffff" * 256


async def _collect_versions(ctx: Context, prefix: str, delimiter: str, key_marker: str,
                            version_marker: str, limit: int) -> tuple[list[ObjectVersion | str], bool]:
    meta = ctx.services.meta
    entries: list[ObjectVersion | str] = []
    key, version = key_marker, version_marker
    if key and delimiter and common_prefix(key, prefix, delimiter) == key:
        key, version = _beyond(key), ""  # resume after a rolled-up prefix
    if limit == 0:
        return entries, False
    while True:
        want = limit - len(entries) + 1
        batch = await meta.list_versions(ctx.bucket.name, prefix, key, version, want)
        for item in batch:
            if len(entries) == limit:
                return entries, True
            rolled = common_prefix(item.key, prefix, delimiter)
            if rolled is not None:
                entries.append(rolled)
                key, version = _beyond(rolled), ""
                break
            entries.append(item)
            key, version = item.key, item.version_id
        else:
            if len(batch) < want:
                return entries, False
