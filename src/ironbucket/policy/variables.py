"""Policy variables (Version 2012-10-17 only) in Resource and in condition values.

Forms: ``${key}`` (any context key, e.g. ``${aws:username}``, ``${aws:PrincipalTag/team}``),
``${key, 'default'}`` (used when the key is absent; ``''`` inside the quotes is one quote;
blanks around the key and the default are ignored), and the escapes ``${*}``, ``${?}``,
``${$}`` for a literal ``*``, ``?``, ``$``. Key names are case-insensitive. A variable whose
key is absent (or multivalued) and has no default leaves the value unresolved, so it matches
nothing. Substitution is one round: a substituted value is always literal text (a ``*`` in a
user name is not a wildcard, and ``${...}`` inside it is not expanded again). A ``${`` that
does not start a well-formed variable is literal text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ironbucket.policy.glob import Token, Wild

_ESCAPES = {"*": "*", "?": "?", "$": "$"}


class Var(NamedTuple):
    key: str  # lower-cased context key name
    default: str | None


PatternToken = Token | Var
"""A literal run, a wildcard, or a variable."""


def _parse_var(text: str, start: int) -> tuple[str | Var, int] | None:
    """Parse the variable whose body starts at ``start`` (just after ``${``)."""
    if start + 1 < len(text) and text[start + 1] == "}" and text[start] in _ESCAPES:
        return _ESCAPES[text[start]], start + 2
    index = start
    size = len(text)
    while index < size and text[index] not in ",}":
        if text[index] in "${'":
            return None
        index += 1
    if index >= size:
        return None
    key = text[start:index].strip()
    if not key:
        return None
    if text[index] == "}":
        return Var(key.lower(), None), index + 1
    index += 1
    while index < size and text[index] == " ":
        index += 1
    if index >= size or text[index] != "'":
        return None
    index += 1
    default: list[str] = []
    while True:
        if index >= size:
            return None
        char = text[index]
        if char == "'":
            if index + 1 < size and text[index + 1] == "'":
                default.append("'")
                index += 2
                continue
            index += 1
            break
        default.append(char)
        index += 1
    while index < size and text[index] == " ":
        index += 1
    if index >= size or text[index] != "}":
        return None
    return Var(key.lower(), "".join(default)), index + 1


def tokenize(text: str, *, wildcards: bool, variables: bool) -> list[PatternToken]:
    """Split a policy string into literal runs, wildcards (if enabled) and variables (if enabled)."""
    if not variables and not wildcards:
        return [text] if text else []
    tokens: list[PatternToken] = []
    literal: list[str] = []
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        if variables and char == "$" and index + 1 < size and text[index + 1] == "{":
            parsed = _parse_var(text, index + 2)
            if parsed is not None:
                token, index = parsed
                if isinstance(token, Var):
                    if literal:
                        tokens.append("".join(literal))
                        literal = []
                    tokens.append(token)
                else:
                    literal.append(token)
                continue
        if wildcards and char in "*?":
            if literal:
                tokens.append("".join(literal))
                literal = []
            tokens.append(Wild.STAR if char == "*" else Wild.QUEST)
        else:
            literal.append(char)
        index += 1
    if literal:
        tokens.append("".join(literal))
    return tokens


def has_variable(tokens: Sequence[PatternToken]) -> bool:
    return any(isinstance(token, Var) for token in tokens)


def lookup(var: Var, keys: Mapping[str, tuple[str, ...]]) -> str | None:
    """The value a variable stands for in this request, or None when it cannot be resolved."""
    values = keys.get(var.key)
    if values is not None and len(values) == 1:
        return values[0]
    return var.default


def bound_values(variables: Sequence[Var], keys: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """The values of ``variables`` in this request, or None when one cannot be resolved."""
    out: list[str] = []
    for var in variables:
        value = lookup(var, keys)
        if value is None:
            return None
        out.append(value)
    return tuple(out)


def resolve(tokens: Sequence[PatternToken], keys: Mapping[str, tuple[str, ...]]) -> list[Token] | None:
    """Substitute every variable; None when one of them cannot be resolved."""
    out: list[Token] = []
    for token in tokens:
        if isinstance(token, Var):
            value = lookup(token, keys)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(token)
    return out


def resolve_text(tokens: Sequence[PatternToken], keys: Mapping[str, tuple[str, ...]]) -> str | None:
    """Like :func:`resolve` for wildcard-free token lists, joined into one string."""
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, Var):
            value = lookup(token, keys)
            if value is None:
                return None
            parts.append(value)
        elif isinstance(token, Wild):
            parts.append(token.value)
        else:
            parts.append(token)
    return "".join(parts)
