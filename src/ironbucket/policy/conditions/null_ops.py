"""The Null condition operator: does the key exist? (no IfExists form, no variables)."""

from __future__ import annotations

from ironbucket.policy.conditions.base import Condition, Keys, Operator, invalid_value


class NullCondition(Condition):
    """``Null``: ``true`` -> the key is absent; ``false`` -> it is present (values ORed)."""

    __slots__ = ("when_absent", "when_present")

    def __init__(self, operator: str, key: str, values: list[str]) -> None:
        self.when_absent = False
        self.when_present = False
        for value in values:
            lowered = value.lower()
            if lowered == "true":
                self.when_absent = True
            elif lowered == "false":
                self.when_present = True
            else:
                raise invalid_value(operator, key, value)
        super().__init__(operator, key, _NoOperator(), negated=False, qualifier=None, if_exists=False)

    def holds(self, keys: Keys) -> bool:
        return self.when_present if keys.get(self.key) else self.when_absent


class _NoOperator(Operator):
    __slots__ = ()

    def __init__(self) -> None:
        pass

    def match(self, value: str, keys: Keys) -> bool:
        return False
