"""The Bool condition operator: ``true`` / ``false`` (case-insensitive); variables allowed."""

from __future__ import annotations

from ironbucket.policy.conditions.base import Keys, Operator, invalid_value
from ironbucket.policy.variables import PatternToken, has_variable, resolve_text, tokenize

_BOOLS = ("true", "false")


class Bool(Operator):
    __slots__ = ("dynamic", "exact")
    supports_variables = True

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        exact: set[str] = set()
        dynamic: list[list[PatternToken]] = []
        for value in values:
            tokens = tokenize(value, wildcards=False, variables=variables)
            if has_variable(tokens):
                dynamic.append(tokens)
            elif value.lower() in _BOOLS:
                exact.add(value.lower())
            else:
                raise invalid_value(operator, key, value)
        self.exact = frozenset(exact)
        self.dynamic = tuple(dynamic)

    def match(self, value: str, keys: Keys) -> bool:
        value = value.lower()
        if value in self.exact:
            return True
        for tokens in self.dynamic:
            resolved = resolve_text(tokens, keys)
            if resolved is not None and resolved.lower() == value and value in _BOOLS:
                return True
        return False


REGISTRY: dict[str, tuple[type[Operator], bool]] = {"Bool": (Bool, False)}
