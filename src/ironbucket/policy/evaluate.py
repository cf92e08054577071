"""evaluate(): one policy, one request -> Allow / Deny / NotApplicable, with the trace.

AWS's logic inside one policy: a statement applies when its action, principal, resource and
every condition match; an explicit Deny from any applicable statement wins; otherwise an
applicable Allow allows; otherwise the policy does not apply. NotAction / NotResource apply to
everything they do not list. NotPrincipal applies to every caller it does not name; with Deny,
a caller is exempt only when every level of its identity (account, role, session...) is
named, and with Allow a caller named at any level is excluded (both fail closed).

Statements are pre-filtered by action (memoised per action string on the Policy), so a
decision costs a dict lookup plus the principal/resource/condition checks of the few
statements that cover the action. Failure reasons are only turned into trace entries when
the decision is NotApplicable.
"""

from __future__ import annotations

from ironbucket.policy.arn import split_head
from ironbucket.policy.document import Policy
from ironbucket.policy.model import Decision, Evaluation, PrincipalMatch, RequestContext, StatementResult
from ironbucket.policy.statement import Statement

_RANK = {
    PrincipalMatch.NONE: 0,
    PrincipalMatch.ANYONE: 1,
    PrincipalMatch.ACCOUNT: 2,
    PrincipalMatch.SPECIFIC: 3,
}
_PRINCIPAL = "principal not matched"
_RESOURCE = "resource not matched"
_MATCHED = "matched"


_LAST_SPLIT: tuple[str, tuple[str, str] | None] = ("", None)


def _set_last_split(resource: str, split: tuple[str, str] | None) -> None:
    global _LAST_SPLIT
    _LAST_SPLIT = (resource, split)  # one tuple: readers never see a resource with another's split


def _index(result: StatementResult) -> int:
    return result.index


def evaluate(policy: Policy, request: RequestContext) -> Evaluation:
    """Evaluate ``request`` against ``policy`` (pure; no I/O, no clock)."""
    entry = policy.for_action(request.action)
    if not entry.candidates:
        return Evaluation(Decision.NOT_APPLICABLE, PrincipalMatch.NONE, entry.unmatched)
    keys = request.keys
    who = request.principal
    resource = request.resource
    last = _LAST_SPLIT  # one request is evaluated against several policies in a row
    if last[0] == resource:
        split = last[1]
    else:
        split = split_head(resource)
        _set_last_split(resource, split)
    matched: list[tuple[Statement, PrincipalMatch]] = []
    failed: list[tuple[Statement, str]] = []
    denied = False
    for statement in entry.candidates:
        if not resource.startswith(statement.resource_prefixes):
            failed.append((statement, _RESOURCE))
            continue
        how = PrincipalMatch.NONE
        if statement.principal is not None:
            found = statement.principal.match(who)
            if found is None:
                failed.append((statement, _PRINCIPAL))
                continue
            how = found
        elif statement.not_principal is not None:
            named = (
                statement.not_principal.names_any(who)
                if statement.effect == "Allow"
                else statement.not_principal.names_all(who)
            )
            if named:
                failed.append((statement, _PRINCIPAL))
                continue
            how = PrincipalMatch.ANYONE
        if statement.resource is not None:
            if not statement.resource.match(resource, split, keys):
                failed.append((statement, _RESOURCE))
                continue
        elif statement.not_resource is not None and statement.not_resource.match(resource, split, keys):
            failed.append((statement, _RESOURCE))
            continue
        reason = None
        for condition in statement.conditions:
            if not condition.holds(keys):
                reason = condition.reason
                break
        if reason is not None:
            failed.append((statement, reason))
            continue
        matched.append((statement, how))
        if statement.effect == "Deny":
            denied = True
    if matched:
        trace = tuple(statement.result(True, _MATCHED) for statement, _ in matched)
        if denied:
            return Evaluation(Decision.DENY, PrincipalMatch.NONE, trace)
        best = max((how for _, how in matched), key=_RANK.__getitem__)
        return Evaluation(Decision.ALLOW, best, trace)
    unmatched = entry.unmatched

    def explain() -> tuple[StatementResult, ...]:
        results = [statement.result(False, reason) for statement, reason in failed]
        results.extend(unmatched)
        results.sort(key=_index)
        return tuple(results)

    return Evaluation(Decision.NOT_APPLICABLE, PrincipalMatch.NONE, explain=explain)
