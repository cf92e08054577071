"""Who is asking: the authenticated identity that authorization reasons about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class PrincipalType(StrEnum):
    """Values of the ``aws:PrincipalType`` condition key."""

    ACCOUNT = "Account"  # an account's root user
    USER = "User"
    ASSUMED_ROLE = "AssumedRole"
    FEDERATED_USER = "FederatedUser"
    SERVICE = "Service"
    ANONYMOUS = "Anonymous"


@dataclass(frozen=True, slots=True)
class Session:
    """Facts about temporary credentials (STS), used by condition keys."""

    issued_at: float
    expires_at: float
    mfa_authenticated: bool = False
    mfa_authenticated_at: float | None = None
    source_identity: str | None = None
    role_arn: str | None = None
    # The session policies that cap this session, as (label, document), snapshotted by STS.
    policies: tuple[tuple[str, str], ...] = ()


_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Principal:
    type: PrincipalType
    account_id: str  # "" for anonymous
    arn: str  # arn:aws:iam::<acct>:root | user/<path><name> | arn:aws:sts::<acct>:assumed-role/<r>/<s>
    user_id: str  # aws:userid
    canonical_id: str  # the account's canonical user id (ACLs, Owner/ID in listings)
    display_name: str = ""
    username: str | None = None  # aws:username (IAM users only)
    access_key_id: str | None = None
    session: Session | None = None
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    # Service principals act for a resource of an account: aws:SourceArn / aws:SourceAccount.
    source_arn: str | None = None
    source_account: str | None = None
    # An identity that lives outside this server's accounts (a CloudFront origin access
    # identity): no identity policies of its own here, resource policies alone decide.
    external: bool = False

    @property
    def is_anonymous(self) -> bool:
        return self.type is PrincipalType.ANONYMOUS

    @property
    def is_root(self) -> bool:
        return self.type is PrincipalType.ACCOUNT


ANONYMOUS = Principal(
    type=PrincipalType.ANONYMOUS,
    account_id="",
    arn="*",
    user_id="anonymous",
    canonical_id="65a011a29cdf8ec533ec3d1ccaae921c",  # the id S3 shows for anonymous requesters
    display_name="anonymous",
)
