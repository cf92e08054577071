"""ARN condition operators: ArnEquals/ArnLike (identical) and ArnNotEquals/ArnNotLike.

Each of the six colon-separated components is matched separately and may contain ``*`` and
``?``; policy variables are allowed (2012-10-17). A value that is not an ARN (five colons)
is rejected at parse time unless it is ``*`` or contains a variable.
"""

from __future__ import annotations

from ironbucket.policy.arn import ArnPattern, DynamicArnPattern, compile_arn
from ironbucket.policy.conditions.base import Keys, Operator, invalid_value
from ironbucket.policy.variables import tokenize


class ArnLike(Operator):
    __slots__ = ("dynamic", "patterns")
    supports_variables = True

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        patterns: list[ArnPattern] = []
        dynamic: list[DynamicArnPattern] = []
        for value in values:
            compiled = compile_arn(tokenize(value, wildcards=True, variables=variables))
            if isinstance(compiled, DynamicArnPattern):
                dynamic.append(compiled)
            elif compiled.valid or compiled.match_all:
                patterns.append(compiled)
            else:
                raise invalid_value(operator, key, value)
        self.patterns = tuple(patterns)
        self.dynamic = tuple(dynamic)

    def match(self, value: str, keys: Keys) -> bool:
        for pattern in self.patterns:
            if pattern.match(value):
                return True
        for pending in self.dynamic:
            bound = pending.bind(keys)
            if bound is not None and bound.match(value):
                return True
        return False


REGISTRY: dict[str, tuple[type[Operator], bool]] = {
    "ArnEquals": (ArnLike, False),
    "ArnLike": (ArnLike, False),
    "ArnNotEquals": (ArnLike, True),
    "ArnNotLike": (ArnLike, True),
}
