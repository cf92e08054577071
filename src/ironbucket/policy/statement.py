"""One statement, validated and compiled for evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ironbucket.policy.actions import ActionSet, compile_actions, validate_action
from ironbucket.policy.conditions import Condition, parse_conditions
from ironbucket.policy.model import PolicyKind, StatementResult
from ironbucket.policy.principals import Principals, parse_principals
from ironbucket.policy.resources import ResourceSet, compile_resources, validate_resource
from ironbucket.policy.validation import check_statement, string_list


@dataclass(frozen=True, slots=True, eq=False)
class Statement:
    """A compiled statement. Exactly one of each positive/negative pair is set (or neither,
    for the Principal of identity policies and the Resource of trust policies)."""

    index: int
    sid: str | None
    effect: str
    principal: Principals | None
    not_principal: Principals | None
    action: ActionSet | None
    not_action: ActionSet | None
    resource: ResourceSet | None
    not_resource: ResourceSet | None
    conditions: tuple[Condition, ...]
    unmatched: StatementResult
    """The trace entry for a request whose action this statement does not cover."""
    resource_prefixes: tuple[str, ...] = ("",)
    """A resource this statement applies to starts with one of these (a cheap pre-check)."""
    results: dict[str, StatementResult] = field(default_factory=dict, repr=False)

    @property
    def allow(self) -> bool:
        return self.effect == "Allow"

    def covers_action(self, action: str) -> bool:
        """``action`` must already be lower-cased."""
        if self.action is not None:
            return self.action.match(action)
        assert self.not_action is not None
        return not self.not_action.match(action)

    def result(self, matched: bool, reason: str) -> StatementResult:
        """The trace entry for this statement (memoised: reasons come from a small fixed set)."""
        key = reason if not matched else ""
        found = self.results.get(key)
        if found is None:
            found = self.results[key] = StatementResult(self.index, self.sid, self.effect, matched, reason)
        return found


def compile_statement(
    raw: dict[str, Any], index: int, kind: PolicyKind, variables: bool, seen: dict[str, bool]
) -> Statement:
    sid, effect, action_field, principal_field, resource_field = check_statement(raw, kind)
    actions = compile_actions(
        [
            validate_action(action, kind, seen)
            for action in string_list(raw[action_field], action_field, "Policy has invalid action")
        ]
    )
    principals = parse_principals(raw[principal_field]) if principal_field else None
    resources = None
    prefixes: tuple[str, ...] = ("",)
    if resource_field is not None:
        values = [
            validate_resource(value)
            for value in string_list(raw[resource_field], resource_field, "Policy has invalid resource")
        ]
        resources = compile_resources(values, variables)
        if resource_field == "Resource":
            prefixes = resources.prefixes
    conditions = parse_conditions(raw["Condition"], variables) if "Condition" in raw else ()
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        principal=principals if principal_field == "Principal" else None,
        not_principal=principals if principal_field == "NotPrincipal" else None,
        action=actions if action_field == "Action" else None,
        not_action=actions if action_field == "NotAction" else None,
        resource=resources if resource_field == "Resource" else None,
        not_resource=resources if resource_field == "NotResource" else None,
        conditions=conditions,
        unmatched=StatementResult(index, sid, effect, False, "action not matched"),
        resource_prefixes=prefixes,
    )
