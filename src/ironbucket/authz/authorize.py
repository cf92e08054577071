"""The authorize stage: may this principal perform these checks on this resource owner's data?

Until IAM and the policy engine exist, the rule is AWS's default with no policies attached:
an account's root user may do anything to what its account owns; nobody else may do anything.
Any exception raised while deciding is a deny (fail closed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ironbucket.auth.principal import Principal
from ironbucket.authz.grant import AccessGrant, Check, mint
from ironbucket.errors import AccessDenied

log = logging.getLogger(__name__)


def authorize(principal: Principal, checks: Sequence[Check]) -> AccessGrant:
    try:
        allowed = all(_decide(principal, check) for check in checks)
    except Exception:  # fail closed: an error while deciding is a deny
        log.exception("authorization failed; denying")
        allowed = False
    if not allowed:
        raise AccessDenied()
    return mint(principal, tuple(checks))


def is_allowed(principal: Principal, check: Check) -> bool:
    """For handlers that authorize per item (DeleteObjects): a yes/no without raising."""
    try:
        return _decide(principal, check)
    except Exception:
        log.exception("authorization failed; denying")
        return False


def _decide(principal: Principal, check: Check) -> bool:
    if principal.is_anonymous:
        return False
    if check.owner is None:  # account-level actions (ListAllMyBuckets, CreateBucket)
        return True
    return principal.account_id == check.owner
