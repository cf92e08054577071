"""String condition operators: StringEquals, StringEqualsIgnoreCase, StringLike and negations.

Values are case-sensitive except for the IgnoreCase pair. Only StringLike/StringNotLike
treat ``*`` and ``?`` as wildcards; policy variables work in all of them (2012-10-17).
"""

from __future__ import annotations

from ironbucket.policy.arn import DynamicGlob
from ironbucket.policy.conditions.base import Keys, Operator
from ironbucket.policy.glob import Matcher, Token, Wild, compile_glob
from ironbucket.policy.variables import PatternToken, Var, has_variable, resolve_text, tokenize


class StringEquals(Operator):
    __slots__ = ("dynamic", "exact")
    supports_variables = True

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        exact: set[str] = set()
        dynamic: list[list[PatternToken]] = []
        for value in values:
            tokens = tokenize(value, wildcards=False, variables=variables)
            if has_variable(tokens):
                dynamic.append(tokens)
            else:
                exact.add(self.fold("".join(token for token in tokens if isinstance(token, str))))
        self.exact = frozenset(exact)
        self.dynamic = tuple(dynamic)

    @staticmethod
    def fold(text: str) -> str:
        return text

    def match(self, value: str, keys: Keys) -> bool:
        value = self.fold(value)
        if value in self.exact:
            return True
        for tokens in self.dynamic:
            resolved = resolve_text(tokens, keys)
            if resolved is not None and self.fold(resolved) == value:
                return True
        return False


class StringEqualsIgnoreCase(StringEquals):
    __slots__ = ()

    @staticmethod
    def fold(text: str) -> str:
        return text.lower()


def _static(tokens: list[PatternToken]) -> list[Token]:
    return [token for token in tokens if not isinstance(token, Var)]


class StringLike(Operator):
    __slots__ = ("dynamic", "exact", "globs")
    supports_variables = True

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        exact: set[str] = set()
        globs: list[Matcher] = []
        dynamic: list[DynamicGlob] = []
        for value in values:
            tokens = tokenize(value, wildcards=True, variables=variables)
            if has_variable(tokens):
                dynamic.append(DynamicGlob(tokens))
            elif any(isinstance(token, Wild) for token in tokens):
                globs.append(compile_glob(_static(tokens)))
            else:
                exact.add("".join(token for token in tokens if isinstance(token, str)))
        self.exact = frozenset(exact)
        self.globs = tuple(globs)
        self.dynamic = tuple(dynamic)

    def match(self, value: str, keys: Keys) -> bool:
        if value in self.exact:
            return True
        for glob in self.globs:
            if glob(value):
                return True
        return any(pending.match(value, keys) for pending in self.dynamic)


REGISTRY: dict[str, tuple[type[Operator], bool]] = {
    "StringEquals": (StringEquals, False),
    "StringNotEquals": (StringEquals, True),
    "StringEqualsIgnoreCase": (StringEqualsIgnoreCase, False),
    "StringNotEqualsIgnoreCase": (StringEqualsIgnoreCase, True),
    "StringLike": (StringLike, False),
    "StringNotLike": (StringLike, True),
}
