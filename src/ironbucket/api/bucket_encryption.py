"""Bucket default encryption: Put/Get/DeleteBucketEncryption, and the lookup object writes make.

The configuration is a bucket configuration document (``encryption``) read through the metadata
store's configuration cache, which every worker invalidates on a change: a new default is used
by the next write on any worker, and a write on a warm cache pays no database query. The
document's rules are in ``features/default_encryption.py``.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
"""

from __future__ import annotations

from functools import lru_cache

from ironbucket.api.common import read_document
from ironbucket.api.context import Context, Services
from ironbucket.errors import InternalError
from ironbucket.features.default_encryption import (
    CONFIG_NAME,
    NEW_BUCKET_DEFAULT,
    SSE_S3_DEFAULT,
    DefaultEncryption,
    from_stored,
    parse_encryption_config,
    render_encryption_config,
    to_stored,
)
from ironbucket.http.response import Response, empty, xml_response

_MAX_DOCUMENT = 16 * 1024  # one rule; a KMS key ARN is at most 2 KiB

# Stored documents are decoded once per distinct text: the cache hands back the same string
# while the configuration is unchanged, and DefaultEncryption is immutable, so sharing is safe.
_decoded = lru_cache(maxsize=4096)(from_stored)


async def default_encryption(services: Services, bucket: str) -> DefaultEncryption:
    """The encryption a new object in ``bucket`` gets when its request names none: the stored
    configuration, or SSE-S3 (S3's default for every bucket since January 2023; buckets created
    here store theirs, which also blocks SSE-C)."""
    text = await services.meta.get_bucket_config(bucket, CONFIG_NAME)
    if text is None:
        return SSE_S3_DEFAULT
    try:
        return _decoded(text)
    except ValueError as exc:  # unreadable: fail the write rather than fall back to a default
        raise InternalError() from exc


async def get_bucket_encryption(ctx: Context) -> Response:
    return xml_response(render_encryption_config(await default_encryption(ctx.services, ctx.bucket.name)))


async def put_bucket_encryption(ctx: Context) -> Response:
    config = parse_encryption_config(await read_document(ctx, _MAX_DOCUMENT, checksum_required=True))
    # The default needs no document: storing none keeps one meaning for "not configured".
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG_NAME,
                                              None if config == SSE_S3_DEFAULT else to_stored(config))
    return empty(200)


async def delete_bucket_encryption(ctx: Context) -> Response:
    """Resets the bucket to S3's default for a bucket (SSE-S3, SSE-C writes blocked); repeating
    it is no error."""
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG_NAME, to_stored(NEW_BUCKET_DEFAULT))
    return empty(204)
