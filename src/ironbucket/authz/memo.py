"""Remembered decisions for policies that read nothing from the request.

A decision depends on the principal, the check and the policies — and on the request's condition
keys only through Condition blocks and policy variables. When none of the policies in play has
either (``Policy.context_free``), the same principal making the same check against the very same
compiled policies must get the same outcome, so it is taken from here instead of evaluated
again. Policies are compared by identity: the caller's identity set and a resource policy are
cached objects that every configuration change replaces (a new policy, key policy, boundary,
group membership...), so a stale entry can never match. Only plain sets are remembered: no ACL
verdict, Block Public Access restriction or endpoint policy. Per worker process, bounded.
"""

from __future__ import annotations

from ironbucket.auth.principal import Principal
from ironbucket.authz.engine import Labelled, Outcome, PolicySet
from ironbucket.authz.grant import Check

_LIMIT = 8192
_Key = tuple[object, ...]
_memo: dict[_Key, tuple[PolicySet, Labelled | None, Outcome]] = {}


def _key(principal: Principal, check: Check) -> _Key:
    # Everything of the principal that decide() reads besides condition keys.
    return (principal.arn, principal.type, principal.account_id, principal.user_id, principal.external,
            principal.source_arn, principal.source_account, check.action, check.resource, check.owner)


def recall(principal: Principal, check: Check, identity: PolicySet, resource: Labelled | None
           ) -> Outcome | None:
    """``identity``: the caller's set as ``identity_side`` gives it (the same object while
    unchanged); ``resource``: the resource policy, if any."""
    found = _memo.get(_key(principal, check))
    if found is None or found[0] is not identity or found[1] is not resource:
        return None
    return found[2]


def remember(principal: Principal, check: Check, identity: PolicySet, resource: Labelled | None,
             outcome: Outcome) -> None:
    parts = (*identity.identity, identity.boundary, *identity.session, resource)
    if any(p is not None and not p.policy.context_free for p in parts):
        return
    if len(_memo) >= _LIMIT:
        _memo.clear()
    _memo[_key(principal, check)] = (identity, resource, outcome)
