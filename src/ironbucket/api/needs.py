"""Turn a catalog entry's declared needs into concrete (action, ARN, owner) checks."""

from __future__ import annotations

from ironbucket.api.context import Context
from ironbucket.api.copy_source import parse_copy_source
from ironbucket.api.operation import Resource
from ironbucket.authz.grant import Check
from ironbucket.errors import NoSuchBucket


def bucket_arn(bucket: str) -> str:
    return f"arn:aws:s3:::{bucket}"


def object_arn(bucket: str, key: str) -> str:
    return f"arn:aws:s3:::{bucket}/{key}"


async def resolve_checks(ctx: Context) -> list[Check]:
    checks: list[Check] = []
    request = ctx.request
    versioned = "versionId" in request.query
    for need in ctx.operation.needs:
        if need.when_headers and not any(h in request.headers for h in need.when_headers):
            continue
        action = need.version_action if versioned and need.version_action else need.action
        match need.resource:
            case Resource.ALL:
                checks.append(Check(action, "*", None))
            case Resource.BUCKET:
                checks.append(Check(action, bucket_arn(ctx.bucket_name), _owner(ctx)))
            case Resource.OBJECT:
                checks.append(Check(action, object_arn(ctx.bucket_name, ctx.key), _owner(ctx)))
            case Resource.COPY_SOURCE:
                source = parse_copy_source(request.headers.get("x-amz-copy-source", ""))
                source_bucket = await ctx.services.meta.get_bucket(source.bucket)
                if source_bucket is None:
                    raise NoSuchBucket(BucketName=source.bucket)
                action = need.version_action if source.version_id and need.version_action else need.action
                checks.append(Check(action, object_arn(source.bucket, source.key),
                                    source_bucket.owner_account_id))
            case Resource.EACH_KEY:
                pass  # the handler authorizes every key it touches
    return checks


def _owner(ctx: Context) -> str | None:
    if ctx.operation.name == "CreateBucket":
        return None  # creating a bucket is the requester's account-level right; name clashes are 409s
    if ctx.bucket_record is None:
        raise NoSuchBucket(BucketName=ctx.address.bucket or "")
    return ctx.bucket_record.owner_account_id
