"""S3 MFA Delete: once a bucket's versioning configuration has it enabled, permanently deleting
a version and changing the versioning configuration need ``x-amz-mfa: <serial> <code>`` with a
fresh code from an MFA device of the bucket owner's root user. Deleting without a version id
(which only adds a delete marker) needs nothing more.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html

The flag is stored with the bucket's configuration (``mfa-delete``: ``Enabled`` / ``Disabled``,
absent if never set). A header that is sent is always checked, needed or not, as S3 does for
DeleteObjects ("an invalid token fails the entire request").
"""

from __future__ import annotations

from ironbucket.api.context import Context
from ironbucket.auth.stored_credentials import StoredCredentials
from ironbucket.authz.context import client_facts
from ironbucket.errors import AccessDenied, InvalidRequest
from ironbucket.features.versioning import MFA_HEADER
from ironbucket.mfa.verify import accept_code

CONFIG = "mfa-delete"
INSECURE_MFA = "Requests that include x-amz-mfa must be made over a secure connection (HTTPS)."
ENABLED, DISABLED = "Enabled", "Disabled"


async def status(ctx: Context) -> str | None:
    """``Enabled`` / ``Disabled`` as GetBucketVersioning reports it; None if never configured."""
    return await ctx.services.meta.get_bucket_config(ctx.bucket.name, CONFIG)


async def enabled(ctx: Context) -> bool:
    return await status(ctx) == ENABLED


async def check(ctx: Context, *, needed: bool) -> None:
    """Refuse the request unless it carries a valid ``x-amz-mfa`` of the bucket owner's root user,
    when ``needed`` or whenever the header is present."""
    header = ctx.headers.get(MFA_HEADER)
    if header is None:
        if needed:
            raise AccessDenied("Mfa Authentication must be used for this request")
        return
    # "Requests that include x-amz-mfa must use HTTPS" (a trusted proxy's X-Forwarded-Proto counts).
    if not client_facts(ctx.request, ctx.services.settings.trusted_proxies)[1]:
        raise InvalidRequest(INSECURE_MFA)
    assert ctx.auth is not None
    principal = ctx.auth.principal
    # Only the owner's root user has MFA Delete devices; S3 answers IAM users this way.
    if not principal.is_root or principal.account_id != ctx.bucket.owner_account_id:
        raise InvalidRequest("DevPay and Mfa are mutually exclusive authorization methods.")
    serial, _, code = header.strip().partition(" ")
    credentials = ctx.services.credentials
    if (not code or not isinstance(credentials, StoredCredentials) or not await accept_code(
            ctx.services.meta, credentials.master_key, serial, code.strip(), ctx.services.clock(),
            account_id=principal.account_id, user_id=principal.account_id)):
        raise AccessDenied("Mfa Authentication must be used for this request")


async def put(ctx: Context, requested: str | None) -> None:
    """PutBucketVersioning's ``MfaDelete``: any change of the versioning configuration of an
    MFA-Delete bucket, and turning MFA Delete on or off, need the header."""
    await check(ctx, needed=ENABLED in (await status(ctx), requested))


async def store(ctx: Context, requested: str | None) -> None:
    if requested is not None and requested != await status(ctx):
        await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG, requested)
