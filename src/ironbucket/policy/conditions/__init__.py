"""The Condition element: operator-name parsing and the name -> operator family table.

``"Condition": {"[ForAllValues:|ForAnyValue:]<Operator>[IfExists]": {"key": value | [values]}}``.
Operators, keys and qualifiers are ANDed; the values of one key are ORed. Operator names
are matched case-insensitively; key names are case-insensitive (stored lower-cased).
"""

from __future__ import annotations

from ironbucket.policy.conditions import (
    arn_ops,
    binary_ops,
    bool_ops,
    date_ops,
    ip_ops,
    numeric_ops,
    string_ops,
)
from ironbucket.policy.conditions.base import Condition, Operator, Qualifier, condition_strings
from ironbucket.policy.conditions.null_ops import NullCondition
from ironbucket.policy.errors import PolicyError

OPERATORS: dict[str, tuple[str, type[Operator], bool]] = {
    name.lower(): (name, family, negated)
    for table in (
        string_ops.REGISTRY,
        numeric_ops.REGISTRY,
        date_ops.REGISTRY,
        bool_ops.REGISTRY,
        binary_ops.REGISTRY,
        ip_ops.REGISTRY,
        arn_ops.REGISTRY,
    )
    for name, (family, negated) in table.items()
}
"""Lower-cased operator name -> (AWS spelling, family class, negated?)."""

_QUALIFIERS = {"forallvalues:": Qualifier.ALL, "foranyvalue:": Qualifier.ANY}
_IF_EXISTS = "ifexists"

__all__ = ["OPERATORS", "Condition", "parse_conditions"]


def _split_operator(name: str) -> tuple[Qualifier | None, str, bool]:
    """(qualifier, base operator name, IfExists?) of a condition type string."""
    lowered = name.lower()
    qualifier = None
    for prefix, found in _QUALIFIERS.items():
        if lowered.startswith(prefix):
            qualifier = found
            lowered = lowered[len(prefix) :]
            break
    if_exists = lowered.endswith(_IF_EXISTS) and lowered != _IF_EXISTS
    if if_exists:
        lowered = lowered[: -len(_IF_EXISTS)]
    return qualifier, lowered, if_exists


def _one(name: str, key: str, raw: object, variables: bool) -> Condition:
    qualifier, base, if_exists = _split_operator(name)
    if base == "null":
        if if_exists:
            raise PolicyError(f"Invalid Condition type : {name}")
        null = NullCondition(name, key, condition_strings(name, key, raw))
        null.values = ()
        return null
    entry = OPERATORS.get(base)
    if entry is None:
        raise PolicyError(f"Invalid Condition type : {name}")
    _, family, negated = entry
    values = condition_strings(name, key, raw)
    op = family(name, key, values, variables and family.supports_variables)
    condition = Condition(name, key, op, negated=negated, qualifier=qualifier, if_exists=if_exists)
    condition.values = tuple(values)
    return condition


def parse_conditions(block: object, variables: bool) -> tuple[Condition, ...]:
    """Validate and compile a Condition element (``variables``: Version 2012-10-17)."""
    if not isinstance(block, dict):
        raise PolicyError("Syntax errors in policy: Condition must be an object")
    conditions: list[Condition] = []
    for name, keys in block.items():
        if not isinstance(keys, dict):
            raise PolicyError(f"Syntax errors in policy: Condition {name} must map keys to values")
        for key, raw in keys.items():
            if not key or not key.strip():
                raise PolicyError(f"Policy has invalid condition key: {name} {key!r}")
            conditions.append(_one(name, key, raw, variables))
    return tuple(conditions)
