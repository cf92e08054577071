"""What every condition operator shares: value conversion, the qualifier/IfExists logic.

An operator family class parses its policy values once (at parse time) and answers one
question per request value: does it match any of the policy values (the values of one key
are ORed)? :class:`Condition` turns those answers into the condition's truth value:

* key absent (or an empty set of values): ``...IfExists`` -> true; ``ForAllValues:`` -> true;
  ``ForAnyValue:`` -> false; otherwise positive operators -> false and negated operators
  (``StringNotEquals``, ``NotIpAddress``...) -> true.
* no qualifier: positive -> some request value matches; negated -> no request value matches.
* ``ForAnyValue:`` -> some request value passes the (possibly negated) test.
* ``ForAllValues:`` -> every request value passes the (possibly negated) test.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from ironbucket.policy.errors import PolicyError

Keys = Mapping[str, tuple[str, ...]]


class Qualifier(enum.Enum):
    ALL = "ForAllValues"
    ANY = "ForAnyValue"


class Operator:
    """One condition operator family, compiled with the values of one key."""

    __slots__ = ()
    #: Whether policy variables are substituted in this family's values (2012-10-17 only).
    supports_variables = False

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        raise NotImplementedError

    def match(self, value: str, keys: Keys) -> bool:
        """Does the request value ``value`` match at least one of the policy values?"""
        raise NotImplementedError


def invalid_value(operator: str, key: str, value: object) -> PolicyError:
    return PolicyError(f'Invalid Condition value for {operator} {key} : "{value}"')


def condition_strings(operator: str, key: str, raw: object) -> list[str]:
    """A condition value list as strings: JSON strings, numbers and booleans are accepted."""
    items = raw if isinstance(raw, list) else [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str):
            out.append(str(item))
        else:
            raise invalid_value(operator, key, "null" if item is None else item)
    return out


class Condition:
    """One (operator, key) pair of a statement's Condition element."""

    __slots__ = ("if_exists", "key", "negated", "op", "operator", "qualifier", "reason", "values")

    def __init__(
        self,
        operator: str,
        key: str,
        op: Operator,
        *,
        negated: bool,
        qualifier: Qualifier | None,
        if_exists: bool,
    ) -> None:
        self.operator = operator
        self.key = key.lower()
        self.op = op
        self.negated = negated
        self.qualifier = qualifier
        self.if_exists = if_exists
        self.reason = f"condition {operator} {key} failed"
        self.values: tuple[str, ...] = ()
        """The policy values as written (for is_public)."""

    def holds(self, keys: Keys) -> bool:
        values = keys.get(self.key)
        if not values:
            if self.if_exists or self.qualifier is Qualifier.ALL:
                return True
            if self.qualifier is Qualifier.ANY:
                return False
            return self.negated
        match = self.op.match
        negated = self.negated
        if self.qualifier is None:
            for value in values:
                if match(value, keys):
                    return not negated
            return negated
        if self.qualifier is Qualifier.ANY:
            return any(match(value, keys) != negated for value in values)
        return all(match(value, keys) != negated for value in values)
