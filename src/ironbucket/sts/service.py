"""STS on the same port (Query protocol): GetCallerIdentity, AssumeRole, GetSessionToken.
https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html

Temporary credentials are stored as sessions (their secret and token sealed under the master
key) and authenticate like any key, with ``X-Amz-Security-Token``; they expire, after which
requests fail with ``ExpiredToken``. A session keeps a snapshot of its session policies.
"""

from __future__ import annotations

import secrets
import string

from ironbucket.auth.principal import PrincipalType
from ironbucket.auth.stored_credentials import SESSION_KEY_PREFIX, StoredCredentials
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import add_tags, request_keys
from ironbucket.authz.endpoints import endpoint_policy
from ironbucket.authz.engine import Labelled
from ironbucket.authz.grant import Check
from ironbucket.errors import AccessDenied, InvalidRequest, S3Error
from ironbucket.http.query_protocol import (
    QueryContext,
    iso8601,
    member_structs,
    result_response,
    result_writer,
)
from ironbucket.http.response import Response
from ironbucket.http.xml import XmlWriter
from ironbucket.iam.errors import MalformedPolicyDocument, ValidationError
from ironbucket.iam.params import ARN, Params, Shape
from ironbucket.mfa.verify import accept_code
from ironbucket.policy import PolicyError, PolicyKind, parse_policy
from ironbucket.storage.interfaces import IamRole, StsSession

SESSION_NAME = Shape(2, 64, r"[\w+=,.@-]*")
EXTERNAL_ID = Shape(2, 1224, r"[\w+=,.@:\/-]*")
SOURCE_IDENTITY = Shape(2, 64, r"[\w+=,.@-]*")
MFA_SERIAL = Shape(9, 256, r"[\w+=/:,.@-]*")
TOKEN_CODE = Shape(6, 6, r"[\d]*")
MAX_SESSION_POLICY = 2048
MAX_POLICY_ARNS = 10
_KEY_ALPHABET = string.ascii_uppercase + "234567"


class MissingAuthenticationToken(S3Error):
    status = 403
    default_message = "Request is missing Authentication Token"


class PackedPolicyTooLarge(S3Error):
    status = 400
    default_message = "Packed policy consumes more than the allowed size."


async def handle(ctx: QueryContext) -> Response:
    if ctx.auth.principal.is_anonymous:
        raise MissingAuthenticationToken()
    action = ctx.action
    if action == "GetCallerIdentity":
        # Needs no permission at all, as on AWS: a Deny cannot hide who you are from yourself.
        writer = result_writer(action)
        principal = ctx.auth.principal
        writer.element("UserId", principal.user_id).element("Account", principal.account_id)
        writer.element("Arn", principal.arn)
        return result_response("sts", action, writer, ctx.request.request_id)
    if action == "AssumeRole":
        return await _assume_role(ctx)
    if action == "GetSessionToken":
        return await _get_session_token(ctx)
    raise InvalidRequest(f"The STS action {action} is not implemented by this server.")


def _credentials() -> tuple[str, str, str]:
    key_id = SESSION_KEY_PREFIX + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    secret = secrets.token_urlsafe(30)[:40]
    token = "IQoJb3Jp" + secrets.token_urlsafe(180)
    return key_id, secret, token


def _duration(params: Params, ctx: QueryContext, *, default: int, maximum: int) -> int:
    low = min(ctx.services.settings.min_session_duration, 900)
    duration = params.integer("DurationSeconds", low, maximum)
    return default if duration is None else duration


def _write_credentials(writer: XmlWriter, key_id: str, secret: str, token: str, expires: float) -> None:
    writer.start("Credentials").element("AccessKeyId", key_id).element("SecretAccessKey", secret)
    writer.element("SessionToken", token).element("Expiration", iso8601(expires)).end()


async def _assume_role(ctx: QueryContext) -> Response:
    params = Params(ctx.params)
    principal = ctx.auth.principal
    role_arn = params.required("RoleArn", ARN)
    session_name = params.required("RoleSessionName", SESSION_NAME)
    external_id = params.optional("ExternalId", EXTERNAL_ID)
    source_identity = params.optional("SourceIdentity", SOURCE_IDENTITY)
    tags = params.tags()
    inline = params.optional("Policy", Shape(1, MAX_SESSION_POLICY * 4))
    policy_arns = [item.get("arn", "") for item in member_structs(ctx.params, "PolicyArns")]
    if len(policy_arns) > MAX_POLICY_ARNS:
        raise ValidationError(f"Value at 'policyArns' failed to satisfy constraint: Member must have "
                              f"length less than or equal to {MAX_POLICY_ARNS}")
    if principal.is_root:
        raise AccessDenied("Roles may not be assumed by root accounts.")
    role = await _role(ctx, role_arn)
    maximum = role.max_session_duration if role else 43200
    if principal.type is PrincipalType.ASSUMED_ROLE:
        # Role chaining: a role session may only ever yield sessions of an hour at most.
        requested = params.integer("DurationSeconds", 0, 1 << 31)
        if requested is not None and requested > 3600:
            raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit "
                                  "for roles assumed by role chaining.")
        maximum = min(maximum, 3600)
    duration = _duration(params, ctx, default=3600, maximum=maximum)

    keys = request_keys(ctx.request, ctx.auth, now=ctx.now,
                        trusted_proxies=ctx.services.settings.trusted_proxies,
                        resource_account=role.account_id if role else None)
    keys["sts:rolesessionname"] = (session_name,)
    if external_id is not None:
        keys["sts:externalid"] = (external_id,)
    if source_identity is not None:
        keys["sts:sourceidentity"] = (source_identity,)
    if tags:
        add_tags(keys, "aws:requesttag", "aws:tagkeys", list(tags.items()))
    # A code sent with AssumeRole proves MFA to the trust policy and to the new session; without
    # one, a caller's own MFA session passes its MFA on.
    mfa_at = await _mfa(ctx, params.optional("SerialNumber", MFA_SERIAL),
                        params.optional("TokenCode", TOKEN_CODE))
    if mfa_at is not None:
        keys["aws:multifactorauthpresent"] = ("true",)
        keys["aws:multifactorauthage"] = ("0",)
    elif principal.session is not None:
        mfa_at = principal.session.mfa_authenticated_at
    authorizer = Authorizer(ctx.services.meta, principal, keys, ctx.record.decisions,
                            endpoint=endpoint_policy(ctx.request.endpoint))
    denied = AccessDenied(f"User: {principal.arn} is not authorized to perform: sts:AssumeRole on "
                          f"resource: {role_arn}")
    if role is None:
        raise denied  # a role that does not exist looks exactly like one you may not assume
    authorizer.resource_policies[role.arn] = Labelled.of(f"trust policy of {role.arn}",
                                                          parse_policy(role.trust_policy, PolicyKind.TRUST))
    checks = [Check("sts:AssumeRole", role.arn, role.account_id)]
    if tags:
        checks.append(Check("sts:TagSession", role.arn, role.account_id))
    if source_identity is not None:
        checks.append(Check("sts:SetSourceIdentity", role.arn, role.account_id))
    for check in checks:
        if not await authorizer.allowed(check):
            raise denied

    session_policies = await _session_policies(ctx, inline, policy_arns)
    key_id, secret, token = _credentials()
    credentials = _stored(ctx)
    sealed_secret, sealed_token = credentials.seal_session(key_id, secret, token)
    expires = ctx.now + duration
    await ctx.services.meta.sts_purge_expired(ctx.now - 86400)
    await ctx.services.meta.sts_create_session(StsSession(
        access_key_id=key_id, account_id=role.account_id, kind="role", issued_at=ctx.now,
        expires_at=expires, sealed_secret=sealed_secret, sealed_token=sealed_token, role_arn=role.arn,
        role_id=role.role_id, session_name=session_name, policies=session_policies,
        tags={**role.tags, **tags}, source_identity=source_identity, mfa_authenticated_at=mfa_at))
    writer = result_writer("AssumeRole")
    _write_credentials(writer, key_id, secret, token, expires)
    writer.start("AssumedRoleUser").element("AssumedRoleId", f"{role.role_id}:{session_name}")
    writer.element("Arn", f"arn:aws:sts::{role.account_id}:assumed-role/{role.name}/{session_name}").end()
    packed = sum(len(text) for _, text in session_policies) + 40 * len(tags)
    writer.element("PackedPolicySize", min(100, packed * 100 // (MAX_SESSION_POLICY * 2)))
    writer.element("SourceIdentity", source_identity)
    return result_response("sts", "AssumeRole", writer, ctx.request.request_id)


async def _role(ctx: QueryContext, role_arn: str) -> IamRole | None:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise ValidationError(f"{role_arn} is invalid")
    name = parts[5].rsplit("/", 1)[-1]
    role = await ctx.services.meta.iam_get_role(parts[4], name)
    return role if role is not None and role.arn == role_arn else None


async def _session_policies(ctx: QueryContext, inline: str | None,
                            arns: list[str]) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    if inline is not None:
        if len(inline) > MAX_SESSION_POLICY:
            raise PackedPolicyTooLarge()
        try:
            parse_policy(inline, PolicyKind.IDENTITY)
        except PolicyError as exc:
            raise MalformedPolicyDocument(str(exc)) from None
        found.append(("session policy (inline)", inline))
    for arn in arns:
        parts = arn.split(":", 5)
        policy = None
        if len(parts) == 6 and parts[5].startswith("policy/"):
            policy = await ctx.services.meta.iam_get_policy(parts[4], parts[5].rsplit("/", 1)[-1])
        if policy is None:
            raise ValidationError(f"Policy {arn} does not exist or is not attachable.")
        version = await ctx.services.meta.iam_get_policy_version(policy.policy_id, policy.default_version)
        if version is None:
            raise ValidationError(f"Policy {arn} does not exist or is not attachable.")
        found.append((f"session policy {arn}", version.document))
    return tuple(found)


async def _mfa(ctx: QueryContext, serial: str | None, code: str | None) -> float | None:
    """When the request proves MFA with a fresh code of the caller's own device: now; else None."""
    if serial is None and code is None:
        return None
    principal = ctx.auth.principal
    # The caller's own device: the root user's (owner id = account id) or the IAM user's.
    own = principal.type in (PrincipalType.ACCOUNT, PrincipalType.USER) and not principal.external
    if serial is None or code is None or not own or not await accept_code(
            ctx.services.meta, _stored(ctx).master_key, serial, code, ctx.now,
            account_id=principal.account_id, user_id=principal.user_id):
        raise AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    return ctx.now


def _stored(ctx: QueryContext) -> StoredCredentials:
    credentials = ctx.services.credentials
    if not isinstance(credentials, StoredCredentials):
        raise InvalidRequest("This server's credential store cannot issue temporary credentials.")
    return credentials


async def _get_session_token(ctx: QueryContext) -> Response:
    params = Params(ctx.params)
    principal = ctx.auth.principal
    if principal.session is not None:
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    serial = params.optional("SerialNumber", MFA_SERIAL)
    code = params.optional("TokenCode", TOKEN_CODE)
    mfa_at = await _mfa(ctx, serial, code)
    root = principal.is_root
    duration = _duration(params, ctx, default=3600 if root else 43200, maximum=3600 if root else 129600)
    key_id, secret, token = _credentials()
    sealed_secret, sealed_token = _stored(ctx).seal_session(key_id, secret, token)
    expires = ctx.now + duration
    await ctx.services.meta.sts_create_session(StsSession(
        access_key_id=key_id, account_id=principal.account_id, kind="root" if root else "user",
        issued_at=ctx.now, expires_at=expires, sealed_secret=sealed_secret, sealed_token=sealed_token,
        user_name=principal.username, user_arn=principal.arn, user_id=principal.user_id,
        tags=principal.tags, mfa_authenticated_at=mfa_at))
    writer = result_writer("GetSessionToken")
    _write_credentials(writer, key_id, secret, token, expires)
    return result_response("sts", "GetSessionToken", writer, ctx.request.request_id)
