"""Numeric condition operators (integers and decimals; no policy variables)."""

from __future__ import annotations

import operator as _op
import re
from collections.abc import Callable
from decimal import Decimal

from ironbucket.policy.conditions.base import Keys, Operator, invalid_value

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,6})?")


def parse_number(text: str) -> Decimal | None:
    text = text.strip()
    if len(text) > 256 or not _NUMBER.fullmatch(text):
        return None
    return Decimal(text)


class _Numeric(Operator):
    __slots__ = ("values",)
    compare: Callable[[Decimal, Decimal], bool] = staticmethod(_op.eq)

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        parsed: list[Decimal] = []
        for value in values:
            number = parse_number(value)
            if number is None:
                raise invalid_value(operator, key, value)
            parsed.append(number)
        self.values = tuple(parsed)

    def match(self, value: str, keys: Keys) -> bool:
        number = parse_number(value)
        if number is None:
            return False
        compare = self.compare
        return any(compare(number, limit) for limit in self.values)


class NumericEquals(_Numeric):
    __slots__ = ()


class NumericLessThan(_Numeric):
    __slots__ = ()
    compare = staticmethod(_op.lt)


class NumericLessThanEquals(_Numeric):
    __slots__ = ()
    compare = staticmethod(_op.le)


class NumericGreaterThan(_Numeric):
    __slots__ = ()
    compare = staticmethod(_op.gt)


class NumericGreaterThanEquals(_Numeric):
    __slots__ = ()
    compare = staticmethod(_op.ge)


REGISTRY: dict[str, tuple[type[Operator], bool]] = {
    "NumericEquals": (NumericEquals, False),
    "NumericNotEquals": (NumericEquals, True),
    "NumericLessThan": (NumericLessThan, False),
    "NumericLessThanEquals": (NumericLessThanEquals, False),
    "NumericGreaterThan": (NumericGreaterThan, False),
    "NumericGreaterThanEquals": (NumericGreaterThanEquals, False),
}
