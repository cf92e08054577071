"""Date condition operators (no wildcards, no policy variables).

Values are W3C ISO 8601 profiles (``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY-MM-DDThh:mm[:ss[.s]]``,
with ``Z`` or ``±hh:mm``; a missing zone means UTC) or epoch (UNIX) seconds. A value made of
digits only is read as epoch seconds (so ``"2020"`` is 1970-01-01T00:33:40Z, not a year).
"""

from __future__ import annotations

import operator as _op
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from ironbucket.policy.conditions.base import Keys, Operator, invalid_value

_EPOCH = re.compile(r"-?\d{1,12}(\.\d{1,9})?")
_ISO = re.compile(
    r"(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?"
    r"(Z|z|[+-]\d{2}:?\d{2})?)?)?"
)


@lru_cache(maxsize=512)
def parse_date(text: str) -> float | None:
    """Seconds since the epoch, or None when ``text`` is not a date IAM accepts."""
    text = text.strip()
    if len(text) > 64:
        return None
    if _EPOCH.fullmatch(text):
        return float(text)
    found = _ISO.fullmatch(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    tz: timezone = UTC
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None
    return moment.timestamp() + (float(fraction) if fraction else 0.0)


class _Date(Operator):
    __slots__ = ("values",)
    compare: Callable[[float, float], bool] = staticmethod(_op.eq)

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        parsed: list[float] = []
        for value in values:
            moment = parse_date(value)
            if moment is None:
                raise invalid_value(operator, key, value)
            parsed.append(moment)
        self.values = tuple(parsed)

    def match(self, value: str, keys: Keys) -> bool:
        moment = parse_date(value)
        if moment is None:
            return False
        compare = self.compare
        return any(compare(moment, limit) for limit in self.values)


class DateEquals(_Date):
    __slots__ = ()


class DateLessThan(_Date):
    __slots__ = ()
    compare = staticmethod(_op.lt)


class DateLessThanEquals(_Date):
    __slots__ = ()
    compare = staticmethod(_op.le)


class DateGreaterThan(_Date):
    __slots__ = ()
    compare = staticmethod(_op.gt)


class DateGreaterThanEquals(_Date):
    __slots__ = ()
    compare = staticmethod(_op.ge)


REGISTRY: dict[str, tuple[type[Operator], bool]] = {
    "DateEquals": (DateEquals, False),
    "DateNotEquals": (DateEquals, True),
    "DateLessThan": (DateLessThan, False),
    "DateLessThanEquals": (DateLessThanEquals, False),
    "DateGreaterThan": (DateGreaterThan, False),
    "DateGreaterThanEquals": (DateGreaterThanEquals, False),
}
