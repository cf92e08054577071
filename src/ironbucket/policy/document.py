"""parse_policy and the compiled Policy it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ironbucket.policy.jsondoc import decode, load
from ironbucket.policy.model import PolicyKind, StatementResult
from ironbucket.policy.principals import all_aws_strings
from ironbucket.policy.statement import Statement, compile_statement
from ironbucket.policy.validation import check_top, check_unique_sids

_INDEX_LIMIT = 4096


@dataclass(frozen=True, slots=True)
class ActionIndex:
    """The statements whose Action/NotAction covers one action, and trace entries for the rest."""

    candidates: tuple[Statement, ...]
    unmatched: tuple[StatementResult, ...]


@dataclass(frozen=True, eq=False)
class Policy:
    """A validated, compiled policy document (compared and hashed by identity)."""

    version: str
    id: str | None
    statements: tuple[Statement, ...]
    text: str
    kind: PolicyKind = PolicyKind.IDENTITY
    _index: dict[str, ActionIndex] = field(default_factory=dict, repr=False)

    @cached_property
    def context_free(self) -> bool:
        """No Condition and no policy variable: evaluating reads nothing from the request."""
        return not any(statement.conditions for statement in self.statements) and "${" not in self.text

    @property
    def variables(self) -> bool:
        """Policy variables are substituted only in Version 2012-10-17."""
        return self.version == "2012-10-17"

    def principal_arns(self) -> frozenset[str]:
        """Every ``AWS`` principal string named (Principal and NotPrincipal), except ``*``."""
        return all_aws_strings(
            element
            for statement in self.statements
            for element in (statement.principal, statement.not_principal)
        )

    def for_action(self, action: str) -> ActionIndex:
        """The statements that can apply to ``action`` (memoised per action string)."""
        found = self._index.get(action)
        if found is None:
            lowered = action.lower()
            candidates = tuple(statement for statement in self.statements if statement.covers_action(lowered))
            covered = {statement.index for statement in candidates}
            unmatched = tuple(
                statement.unmatched for statement in self.statements if statement.index not in covered
            )
            found = ActionIndex(candidates, unmatched)
            if len(self._index) < _INDEX_LIMIT:
                self._index[action] = found
        return found


def parse_policy(document: str | bytes, kind: PolicyKind, *, max_size: int | None = None) -> Policy:
    """Validate and compile a policy document once; raises PolicyError.

    ``max_size`` counts the characters of the document as sent, whitespace included.
    """
    text = decode(document, max_size)
    version, policy_id, raw_statements = check_top(load(text, kind))
    variables = version == "2012-10-17"
    seen: dict[str, bool] = {}
    statements = tuple(
        compile_statement(raw, index, kind, variables, seen) for index, raw in enumerate(raw_statements)
    )
    check_unique_sids([statement.sid for statement in statements], kind)
    return Policy(version, policy_id, statements, text, kind)
