"""ARNs: splitting into their six colon-separated components, and per-component matching.

``arn:partition:service:region:account-id:resource`` — the resource part (after the fifth
colon) may itself contain colons. Wildcards never span components: ``*`` in the region
matches only the region. This is how ArnLike/ArnEquals and the Resource element match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ironbucket.policy.glob import Matcher, Token, Wild, compile_glob, has_wildcard, literal_text
from ironbucket.policy.variables import PatternToken, Var, bound_values, has_variable, resolve

ARN_COMPONENTS = 6


def split_arn(value: str) -> list[str] | None:
    """The six components of ``value``, or None when it is not shaped like an ARN."""
    parts = value.split(":", ARN_COMPONENTS - 1)
    if len(parts) != ARN_COMPONENTS or parts[0] != "arn":
        return None
    return parts


def split_head(value: str) -> tuple[str, str] | None:
    """``(head, tail)``: the text up to and including the fifth colon, and the resource part."""
    index = -1
    for _ in range(ARN_COMPONENTS - 1):
        index = value.find(":", index + 1)
        if index < 0:
            return None
    return value[: index + 1], value[index + 1 :]


def _components(tokens: Sequence[Token]) -> list[list[Token]]:
    """Cut a token list at its first five literal colons."""
    components: list[list[Token]] = [[]]
    for token in tokens:
        if isinstance(token, Wild) or len(components) == ARN_COMPONENTS:
            components[-1].append(token)
            continue
        pieces = token.split(":", ARN_COMPONENTS - len(components))
        for number, piece in enumerate(pieces):
            if number:
                components.append([])
            if piece:
                components[-1].append(piece)
    return components


class ArnPattern:
    """A compiled ARN pattern (no variables left in it)."""

    __slots__ = ("head", "head_globs", "match_all", "tail", "valid")

    def __init__(self, tokens: Sequence[Token]) -> None:
        self.match_all = list(tokens) == [Wild.STAR]
        components = _components(tokens)
        self.valid = len(components) == ARN_COMPONENTS
        self.head: str | None = None
        self.head_globs: list[Matcher] = []
        self.tail: Matcher = compile_glob(components[-1]) if self.valid else (lambda _text: False)
        if self.valid:
            head = components[:-1]
            if any(has_wildcard(component) for component in head):
                self.head_globs = [compile_glob(component) for component in head]
            else:
                self.head = ":".join(literal_text(component) for component in head) + ":"

    def match(self, value: str) -> bool:
        if self.match_all:
            return True
        if not self.valid:
            return False
        if self.head is not None:
            return value.startswith(self.head) and self.tail(value[len(self.head) :])
        parts = value.split(":", ARN_COMPONENTS - 1)
        if len(parts) != ARN_COMPONENTS:
            return False
        return all(glob(part) for glob, part in zip(self.head_globs, parts, strict=False)) and self.tail(
            parts[-1]
        )

    def match_split(self, head: str, tail: str) -> bool:
        """Match an ARN already split by :func:`split_head` (the Resource hot path)."""
        if self.match_all:
            return True
        if not self.valid:
            return False
        if self.head is not None:
            return head == self.head and self.tail(tail)
        return self.match(head + tail)


_MEMO_LIMIT = 256


class DynamicArnPattern:
    """An ARN pattern with variables: resolved for each request, compiled once per distinct
    set of variable values (a small bounded memo)."""

    __slots__ = ("memo", "tokens", "variables")

    def __init__(self, tokens: Sequence[PatternToken]) -> None:
        self.tokens = list(tokens)
        self.variables = tuple(token for token in tokens if isinstance(token, Var))
        self.memo: dict[tuple[str, ...], ArnPattern] = {}

    def bind(self, keys: Mapping[str, tuple[str, ...]]) -> ArnPattern | None:
        values = bound_values(self.variables, keys)
        if values is None:
            return None
        found = self.memo.get(values)
        if found is None:
            resolved = resolve(self.tokens, keys)
            assert resolved is not None
            found = ArnPattern(resolved)
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[values] = found
        return found


class DynamicGlob:
    """A wildcard pattern with variables, memoised like :class:`DynamicArnPattern`."""

    __slots__ = ("memo", "tokens", "variables")

    def __init__(self, tokens: Sequence[PatternToken]) -> None:
        self.tokens = list(tokens)
        self.variables = tuple(token for token in tokens if isinstance(token, Var))
        self.memo: dict[tuple[str, ...], Matcher] = {}

    def match(self, text: str, keys: Mapping[str, tuple[str, ...]]) -> bool:
        values = bound_values(self.variables, keys)
        if values is None:
            return False
        found = self.memo.get(values)
        if found is None:
            resolved = resolve(self.tokens, keys)
            assert resolved is not None
            found = compile_glob(resolved)
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[values] = found
        return found(text)


def compile_arn(tokens: Sequence[PatternToken]) -> ArnPattern | DynamicArnPattern:
    if has_variable(tokens):
        return DynamicArnPattern(tokens)
    return ArnPattern([token for token in tokens if isinstance(token, str | Wild)])
