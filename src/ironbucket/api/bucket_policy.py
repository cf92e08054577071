"""Bucket policies: Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
"""

from __future__ import annotations

import fnmatch
import json

from ironbucket.api.common import read_document
from ironbucket.api.context import Context
from ironbucket.api.needs import bucket_arn
from ironbucket.auth.stored_credentials import OAI_ARN_PREFIX, OAI_SETTING
from ironbucket.authz.engine import Labelled, PolicySet, decide
from ironbucket.authz.grant import Check
from ironbucket.authz.policies import BUCKET_POLICY
from ironbucket.authz.public_access import in_force
from ironbucket.errors import AccessDenied, MalformedPolicy, NoSuchBucketPolicy
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.policy import Policy, PolicyError, PolicyKind, is_public, parse_policy
from ironbucket.storage.interfaces import MetadataStore

MAX_POLICY_BYTES = 20 * 1024  # S3's bucket policy size limit


async def get_bucket_policy(ctx: Context) -> Response:
    text = await ctx.services.meta.get_bucket_config(ctx.bucket.name, BUCKET_POLICY)
    if text is None:
        raise NoSuchBucketPolicy(BucketName=ctx.bucket.name)
    return Response(status=200, headers={"content-type": "application/json"}, body=text.encode())


async def put_bucket_policy(ctx: Context) -> Response:
    bucket = ctx.bucket
    document = await read_document(ctx, MAX_POLICY_BYTES + 1)
    if len(document) > MAX_POLICY_BYTES:
        raise MalformedPolicy("Policies must not exceed 20 KB in size")
    try:
        text = document.decode("utf-8")
        policy = parse_policy(text, PolicyKind.RESOURCE, max_size=MAX_POLICY_BYTES)
    except (UnicodeDecodeError, PolicyError) as exc:
        raise MalformedPolicy(str(exc) if isinstance(exc, PolicyError) else "Invalid UTF-8") from exc
    _check_resources(policy, bucket.name)
    await check_principals(ctx.services.meta, policy)
    _check_self_lockout(ctx, policy)
    if is_public(policy) and (await in_force(ctx.services.meta, bucket.name,
                                             bucket.owner_account_id)).block_public_policy:
        raise AccessDenied("Block Public Access (BlockPublicPolicy) forbids a public bucket policy.")
    await ctx.services.meta.put_bucket_config(bucket.name, BUCKET_POLICY, text)
    return empty(204)


async def delete_bucket_policy(ctx: Context) -> Response:
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, BUCKET_POLICY, None)
    return empty(204)


async def get_bucket_policy_status(ctx: Context) -> Response:
    text = await ctx.services.meta.get_bucket_config(ctx.bucket.name, BUCKET_POLICY)
    if text is None:
        raise NoSuchBucketPolicy(BucketName=ctx.bucket.name)
    public = is_public(parse_policy(text, PolicyKind.RESOURCE))
    writer = XmlWriter("PolicyStatus").element("IsPublic", public)
    return xml_response(writer.render())


def _check_resources(policy: Policy, bucket: str) -> None:
    """Every resource a bucket policy names must be this bucket or objects in it."""
    for resource in policy_resources(policy.text):
        if resource == "*":
            continue
        name = resource[len("arn:aws:s3:::"):].partition("/")[0] if resource.startswith("arn:aws:s3:::") \
            else None
        if name is None or not fnmatch.fnmatchcase(bucket, name):
            raise MalformedPolicy("Policy has invalid resource", Resource=resource)


def policy_resources(text: str) -> list[str]:
    statements = json.loads(text).get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for statement in statements:
        for field in ("Resource", "NotResource"):
            value = statement.get(field, [])
            found.extend([value] if isinstance(value, str) else value)
    return found


async def check_principals(meta: MetadataStore, policy: Policy) -> None:
    """A principal that does not exist makes the policy malformed, as on AWS (a deleted user's
    ARN would otherwise silently grant to whoever is created under that name later)."""
    for arn in sorted(policy.principal_arns()):
        if arn.startswith(OAI_ARN_PREFIX):  # a CloudFront origin access identity issued here
            if await meta.get_setting(OAI_SETTING + arn[len(OAI_ARN_PREFIX):]) is None:
                raise MalformedPolicy("Invalid principal in policy", Principal=arn)
            continue
        account, kind, name = _principal_parts(arn)
        exists = await meta.get_account(account) is not None if account else False
        if exists and kind == "user":
            exists = await meta.iam_get_user(account, name) is not None
        elif exists and kind in ("role", "assumed-role"):
            exists = await meta.iam_get_role(account, name) is not None
        if not exists:
            raise MalformedPolicy("Invalid principal in policy", Principal=arn)


def _principal_parts(arn: str) -> tuple[str, str, str]:
    """(account, kind, name) of an AWS principal: "111122223333", "arn:aws:iam::1:root",
    "arn:aws:iam::1:user/path/name", "arn:aws:iam::1:role/name", "arn:aws:sts::1:assumed-role/r/s"."""
    if arn.isdigit():
        return arn, "root", ""
    parts = arn.split(":", 5)
    if len(parts) != 6:
        return "", "", ""
    account, resource = parts[4], parts[5]
    if resource == "root":
        return account, "root", ""
    kind, _, rest = resource.partition("/")
    if kind == "assumed-role":
        return account, kind, rest.split("/", 1)[0]
    return account, kind, rest.rsplit("/", 1)[-1]


def _check_self_lockout(ctx: Context, policy: Policy) -> None:
    """Replacing the policy with one that explicitly denies you PutBucketPolicy needs
    ConfirmRemoveSelfBucketAccess (the owner's root user cannot be locked out at all)."""
    assert ctx.authorizer is not None
    principal = ctx.authorizer.principal
    if ctx.headers.get("x-amz-confirm-remove-self-bucket-access", "").lower() == "true":
        return
    check = Check("s3:PutBucketPolicy", bucket_arn(ctx.bucket.name), ctx.bucket.owner_account_id)
    outcome = decide(principal, check, PolicySet(resource=Labelled.of("new bucket policy", policy)),
                     ctx.authorizer.keys)
    if not outcome.allowed and outcome.reason == "explicit deny" and not principal.is_root:
        raise AccessDenied("The new policy would deny you s3:PutBucketPolicy on this bucket; "
                           "set ConfirmRemoveSelfBucketAccess to confirm.")
