"""The Resource / NotResource element: validation and matching.

Each value is ``*`` or an ARN with six components (wildcards allowed inside any component,
never spanning one). Policy variables (2012-10-17) are substituted only in the resource part,
after the fifth colon, as AWS documents; elsewhere ``${...}`` is literal text. Resources
match case-sensitively.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ironbucket.policy.arn import (
    ArnPattern,
    DynamicArnPattern,
    DynamicGlob,
    compile_arn,
    split_arn,
    split_head,
)
from ironbucket.policy.errors import PolicyError
from ironbucket.policy.glob import Matcher, compile_glob, has_wildcard
from ironbucket.policy.variables import PatternToken, Var, has_variable, tokenize


def validate_resource(value: object) -> str:
    if not isinstance(value, str):
        raise PolicyError(f"Policy has invalid resource: {value}")
    if value == "*":
        return value
    parts = split_arn(value)
    if parts is None or not parts[1] or not parts[2] or not parts[5]:
        raise PolicyError(f"Policy has invalid resource: {value}")
    return value


def literal_prefix(tokens: Sequence[PatternToken]) -> str:
    """The literal text a pattern starts with (up to its first wildcard or variable)."""
    parts: list[str] = []
    for token in tokens:
        if not isinstance(token, str):
            break
        parts.append(token)
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class ResourceSet:
    everything: bool
    by_head: Mapping[str, tuple[Matcher, ...]]
    dynamic_by_head: Mapping[str, tuple[DynamicGlob, ...]]
    others: tuple[ArnPattern | DynamicArnPattern, ...]
    prefixes: tuple[str, ...]
    """Every matching resource starts with one of these (a cheap pre-check)."""
    patterns: tuple[str, ...]

    def match(
        self, resource: str, split: tuple[str, str] | None, keys: Mapping[str, tuple[str, ...]]
    ) -> bool:
        if self.everything:
            return True
        if split is None:
            return False
        head, tail = split
        tails = self.by_head.get(head)
        if tails is not None:
            for glob in tails:
                if glob(tail):
                    return True
        dynamic = self.dynamic_by_head.get(head)
        if dynamic is not None:
            for pending in dynamic:
                if pending.match(tail, keys):
                    return True
        for pattern in self.others:
            if isinstance(pattern, ArnPattern):
                if pattern.match(resource):
                    return True
            else:
                bound = pattern.bind(keys)
                if bound is not None and bound.match(resource):
                    return True
        return False


def compile_resources(values: Sequence[str], variables: bool) -> ResourceSet:
    by_head: dict[str, list[Matcher]] = {}
    dynamic_by_head: dict[str, list[DynamicGlob]] = {}
    others: list[ArnPattern | DynamicArnPattern] = []
    prefixes: list[str] = []
    everything = False
    for value in values:
        if value == "*":
            everything = True
            continue
        split = split_head(value)
        assert split is not None
        head, tail = split
        head_tokens = tokenize(head, wildcards=True, variables=False)
        tail_tokens = tokenize(tail, wildcards=True, variables=variables)
        prefixes.append(literal_prefix(head_tokens + tail_tokens))
        if has_wildcard(head_tokens):
            others.append(compile_arn(head_tokens + tail_tokens))
        elif has_variable(tail_tokens):
            dynamic_by_head.setdefault(head, []).append(DynamicGlob(tail_tokens))
        else:
            static = [token for token in tail_tokens if not isinstance(token, Var)]
            by_head.setdefault(head, []).append(compile_glob(static))
    return ResourceSet(
        everything,
        {head: tuple(globs) for head, globs in by_head.items()},
        {head: tuple(globs) for head, globs in dynamic_by_head.items()},
        tuple(others),
        ("",) if everything else tuple(dict.fromkeys(prefixes)),
        tuple(values),
    )
