"""CredentialStore over the metadata store: access keys whose secrets are sealed at rest.

A key belongs to an account's root user or to one of its IAM users; a user's key authenticates as
that user (ARN with path, AIDA... id, tags for ``aws:PrincipalTag``); a service principal's or
an origin access identity's key authenticates as that service or identity. Key and user records come
from the store's configuration cache, so a key deactivated or deleted, or a user deleted, on
any worker is refused on the next request.
"""

from __future__ import annotations

import asyncio
import json
import logging

from ironbucket.auth.credentials import Credential
from ironbucket.auth.principal import Principal, PrincipalType, Session
from ironbucket.crypto.master_key import MasterKey
from ironbucket.storage.interfaces import AccessKey, Account, IamUser, KeyUse, MetadataStore, StsSession

log = logging.getLogger(__name__)


def root_principal(account: Account, access_key_id: str | None = None) -> Principal:
    return Principal(
        type=PrincipalType.ACCOUNT,
        account_id=account.account_id,
        arn=f"arn:aws:iam::{account.account_id}:root",
        user_id=account.account_id,
        canonical_id=account.canonical_id,
        display_name=account.name,
        access_key_id=access_key_id,
    )


def user_principal(account: Account, user: IamUser, access_key_id: str | None = None) -> Principal:
    return Principal(
        type=PrincipalType.USER,
        account_id=account.account_id,
        arn=user.arn,
        user_id=user.user_id,
        canonical_id=account.canonical_id,
        display_name=account.name,
        username=user.name,
        access_key_id=access_key_id,
        tags=user.tags,
    )


SESSION_KEY_PREFIX = "ASIA"  # temporary (STS) access key ids, as on AWS
SERVICE_KIND = "service"  # AccessKey.owner_kind of a service principal's key
OAI_KIND = "oai"  # ... of a CloudFront origin access identity's key (owner_name: its id)
OAI_SETTING = "origin-access-identity/"  # + id -> {"canonical_id", "account_id", "access_key_id"}
OAI_ARN_PREFIX = "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity "


def service_principal(key: AccessKey) -> Principal:
    """A service acting for ``key.source_arn``: no account of its own (aws:PrincipalAccount is
    absent), so only resource policies naming the service can let it in."""
    return Principal(type=PrincipalType.SERVICE, account_id="", arn=key.owner_name,
                     user_id=key.owner_name, canonical_id="", display_name=key.owner_name,
                     username=key.owner_name, access_key_id=key.access_key_id,
                     source_arn=key.source_arn, source_account=key.account_id)


def oai_principal(key: AccessKey, canonical_id: str) -> Principal:
    """A legacy CloudFront origin access identity: an IAM user of CloudFront's, outside every
    account here; bucket policies name it by ARN or by its canonical user id."""
    return Principal(type=PrincipalType.USER, account_id="", arn=OAI_ARN_PREFIX + key.owner_name,
                     user_id=key.owner_name, canonical_id=canonical_id, display_name=key.owner_name,
                     access_key_id=key.access_key_id, external=True)


def session_principal(account: Account, session: StsSession) -> Principal:
    facts = Session(issued_at=session.issued_at, expires_at=session.expires_at,
                    mfa_authenticated=session.mfa_authenticated_at is not None,
                    mfa_authenticated_at=session.mfa_authenticated_at,
                    source_identity=session.source_identity, role_arn=session.role_arn,
                    policies=session.policies)
    acct = account.account_id
    if session.kind == "role":
        role_name = (session.role_arn or "").rsplit("/", 1)[-1]
        kind = PrincipalType.ASSUMED_ROLE
        arn = f"arn:aws:sts::{acct}:assumed-role/{role_name}/{session.session_name}"
        user_id, username = f"{session.role_id}:{session.session_name}", None
    elif session.kind == "user":
        kind, arn = PrincipalType.USER, session.user_arn or ""
        user_id, username = session.user_id or "", session.user_name
    else:
        kind, arn, user_id, username = PrincipalType.ACCOUNT, f"arn:aws:iam::{acct}:root", acct, None
    return Principal(type=kind, account_id=acct, arn=arn, user_id=user_id, canonical_id=account.canonical_id,
                     display_name=account.name, username=username, access_key_id=session.access_key_id,
                     session=facts, tags=session.tags)


class KeyUseRecorder:
    """Remembers when keys authenticate, cheaply: at most one record per key per ``interval`` (per
    worker), and the records of a moment go to the store in one write, off the request's path.
    A use noted in the second before the worker stops may be lost; it is bookkeeping only."""

    def __init__(self, meta: MetadataStore, interval: float = 60.0, delay: float = 1.0) -> None:
        self._meta = meta
        self._interval = interval
        self._delay = delay
        self._last: dict[str, float] = {}
        self._pending: dict[str, KeyUse] = {}
        self._task: asyncio.Task[None] | None = None

    def note(self, access_key_id: str, service: str, region: str, now: float) -> None:
        last = self._last.get(access_key_id)
        if last is not None and 0 <= now - last < self._interval:
            return
        if len(self._last) > 10_000:
            self._last.clear()
        self._last[access_key_id] = now
        self._pending[access_key_id] = KeyUse(access_key_id, now, service, region)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            while self._pending:
                await asyncio.sleep(self._delay)
                uses, self._pending = list(self._pending.values()), {}
                await self._meta.iam_record_key_use(uses)
        except Exception:  # the store is closing, or the disk is full: skip this bookkeeping
            log.debug("could not record access key use", exc_info=True)
        finally:
            self._task = None


class StoredCredentials:
    def __init__(self, meta: MetadataStore, master_key: MasterKey) -> None:
        self._meta = meta
        self._master = master_key
        self._accounts: dict[str, Account] = {}  # accounts are immutable once created
        # Unsealed secrets, reused while the store hands back the very same (cached) records.
        self._unsealed: dict[str, tuple[AccessKey, IamUser | None, Credential]] = {}
        self.usage = KeyUseRecorder(meta)
        self._sessions: dict[str, Credential] = {}

    def seal_secret(self, access_key_id: str, secret: str) -> bytes:
        """A new key's secret as stored: sealed under the master key, bound to the key id."""
        return self._master.seal(secret.encode(), access_key_id.encode())

    @property
    def master_key(self) -> MasterKey:
        """For other secrets sealed at rest under the same key (MFA device seeds)."""
        return self._master

    def note_use(self, access_key_id: str, service: str, region: str, now: float) -> None:
        """Call after a request authenticated with ``access_key_id`` (GetAccessKeyLastUsed)."""
        if not access_key_id.startswith(SESSION_KEY_PREFIX):
            self.usage.note(access_key_id, service, region, now)

    def seal_session(self, access_key_id: str, secret: str, token: str) -> tuple[bytes, bytes]:
        return (self._master.seal(secret.encode(), access_key_id.encode()),
                self._master.seal(token.encode(), access_key_id.encode() + b"/token"))

    async def _session(self, access_key_id: str) -> Credential | None:
        """Temporary credentials: a session never changes once issued, so it is kept as it is."""
        cached = self._sessions.get(access_key_id)
        if cached is not None:
            return cached
        session = await self._meta.sts_get_session(access_key_id)
        if session is None:
            return None
        account = await self._meta.get_account(session.account_id)
        if account is None:
            return None
        credential = Credential(
            access_key_id=access_key_id,
            secret_access_key=self._master.unseal(session.sealed_secret, access_key_id.encode()).decode(),
            principal=session_principal(account, session),
            session_token=self._master.unseal(session.sealed_token,
                                              access_key_id.encode() + b"/token").decode(),
            expires_at=session.expires_at,
        )
        if len(self._sessions) > 10_000:
            self._sessions.clear()
        self._sessions[access_key_id] = credential
        return credential

    async def _outside_principal(self, key: AccessKey) -> Credential | None:
        memo = self._unsealed.get(key.access_key_id)
        if memo is not None and memo[0] is key:
            return memo[2]
        if key.owner_kind == SERVICE_KIND:
            principal = service_principal(key)
        else:
            stored = await self._meta.get_setting(OAI_SETTING + key.owner_name)
            if stored is None:
                return None
            principal = oai_principal(key, str(json.loads(stored)["canonical_id"]))
        secret = self._master.unseal(key.sealed_secret, key.access_key_id.encode()).decode()
        credential = Credential(access_key_id=key.access_key_id, secret_access_key=secret,
                                principal=principal, active=key.active)
        self._unsealed[key.access_key_id] = (key, None, credential)
        return credential

    async def lookup(self, access_key_id: str) -> Credential | None:
        if access_key_id.startswith(SESSION_KEY_PREFIX):
            return await self._session(access_key_id)
        key = await self._meta.get_access_key(access_key_id)
        if key is None:
            return None
        user: IamUser | None = None
        if key.owner_kind == "user":
            user = await self._meta.iam_get_user(key.account_id, key.owner_name)
            if user is None:
                return None  # the user is gone: its keys die with it
        elif key.owner_kind in (SERVICE_KIND, OAI_KIND):
            return await self._outside_principal(key)
        elif key.owner_kind != "root":
            return None
        memo = self._unsealed.get(access_key_id)
        if memo is not None and memo[0] is key and memo[1] is user:
            return memo[2]
        account = self._accounts.get(key.account_id)
        if account is None:
            account = await self._meta.get_account(key.account_id)
            if account is None:
                return None
            self._accounts[key.account_id] = account
        principal = (root_principal(account, access_key_id) if user is None
                     else user_principal(account, user, access_key_id))
        secret = self._master.unseal(key.sealed_secret, access_key_id.encode()).decode()
        credential = Credential(access_key_id=access_key_id, secret_access_key=secret,
                                principal=principal, active=key.active)
        if len(self._unsealed) > 10_000:
            self._unsealed.clear()
        self._unsealed[access_key_id] = (key, user, credential)
        return credential
