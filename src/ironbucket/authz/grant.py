"""AccessGrant: proof that authorization allowed a request. Only ``authz`` can mint one."""

from __future__ import annotations

from dataclasses import dataclass

from ironbucket.auth.principal import Principal
from ironbucket.values import value_class

_MINT = object()


@value_class  # frozen to mypy; see ironbucket/values.py
class Check:
    """One (action, resource) pair the request needs, e.g. ("s3:GetObject", "arn:aws:s3:::b/k")."""

    action: str
    resource: str
    owner: str | None  # account owning the resource; None for account-level actions


@dataclass(frozen=True, slots=True)
class AccessGrant:
    principal: Principal
    checks: tuple[Check, ...]
    token: object

    def __post_init__(self) -> None:
        if self.token is not _MINT:
            raise TypeError("AccessGrant can only be created by ironbucket.authz")


def mint(principal: Principal, checks: tuple[Check, ...]) -> AccessGrant:
    return AccessGrant(principal, checks, _MINT)
