"""Credentials for principals that are not users of an account: AWS service principals acting
for a resource (CloudFront origin access control: ``Principal: {"Service":
"cloudfront.amazonaws.com"}`` with ``aws:SourceArn``) and legacy CloudFront origin access
identities (``arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <ID>``).

On AWS these requests come from the service itself; here an administrator issues keys that
the CDN (or a test) signs with, and the server attaches the service's identity to them.
https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass, field

from ironbucket.auth.stored_credentials import OAI_ARN_PREFIX, OAI_KIND, OAI_SETTING, SERVICE_KIND
from ironbucket.crypto.master_key import MasterKey
from ironbucket.iam.accounts import new_access_key_id, new_secret_access_key
from ironbucket.storage.interfaces import AccessKey, MetadataStore

_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]{0,126}\.amazonaws\.com")
_SOURCE_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:\S+")
_ACCOUNT = re.compile(r"\d{12}")
_OAI_ALPHABET = string.ascii_uppercase + string.digits


class ServicePrincipalError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class IssuedKeys:
    access_key_id: str
    secret_access_key: str = field(repr=False)


async def create_service_principal(meta: MetadataStore, master: MasterKey, service: str, source_arn: str,
                                   source_account: str | None, now: float) -> IssuedKeys:
    """Keys for ``service`` acting for ``source_arn``, whose account (from the ARN or given)
    must exist on this server."""
    if not _SERVICE.fullmatch(service):
        raise ServicePrincipalError(
            f"not a service principal name: {service!r} (e.g. cloudfront.amazonaws.com)")
    match = _SOURCE_ARN.fullmatch(source_arn)
    if match is None:
        raise ServicePrincipalError(f"not an ARN: {source_arn!r}")
    in_arn = match.group(1)
    if source_account is not None and in_arn and source_account != in_arn:
        raise ServicePrincipalError(f"--source-account {source_account} differs from the ARN's {in_arn}")
    account_id = source_account or in_arn
    if not account_id or not _ACCOUNT.fullmatch(account_id):
        raise ServicePrincipalError("the source ARN names no account: give --source-account")
    if await meta.get_account(account_id) is None:
        raise ServicePrincipalError(f"no account {account_id} on this server")
    return await _issue(meta, master, account_id, SERVICE_KIND, service, now, source_arn=source_arn)


@dataclass(frozen=True, slots=True)
class OriginAccessIdentity:
    id: str
    canonical_id: str
    keys: IssuedKeys

    @property
    def arn(self) -> str:
        return OAI_ARN_PREFIX + self.id


async def create_origin_access_identity(meta: MetadataStore, master: MasterKey, account_id: str,
                                        now: float) -> OriginAccessIdentity:
    if await meta.get_account(account_id) is None:
        raise ServicePrincipalError(f"no account {account_id} on this server")
    oai_id = "E" + "".join(secrets.choice(_OAI_ALPHABET) for _ in range(13))
    canonical_id = secrets.token_hex(32)  # like an account's canonical user id: 64 hex digits
    keys = await _issue(meta, master, account_id, OAI_KIND, oai_id, now)
    await meta.put_setting(OAI_SETTING + oai_id, json.dumps(
        {"canonical_id": canonical_id, "account_id": account_id, "access_key_id": keys.access_key_id}))
    return OriginAccessIdentity(oai_id, canonical_id, keys)


async def _issue(meta: MetadataStore, master: MasterKey, account_id: str, kind: str, name: str, now: float,
                 *, source_arn: str | None = None) -> IssuedKeys:
    key_id, secret = new_access_key_id(), new_secret_access_key()
    await meta.put_access_key(AccessKey(
        access_key_id=key_id, account_id=account_id, owner_kind=kind, owner_name=name,
        sealed_secret=master.seal(secret.encode(), key_id.encode()), active=True, created_at=now,
        source_arn=source_arn))
    return IssuedKeys(key_id, secret)
