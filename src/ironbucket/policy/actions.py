"""The Action / NotAction element: validation against the action table, and matching.

Action names match case-insensitively. ``*`` alone matches every action; ``service:*`` and
wildcarded names (``s3:Get*``, ``iam:*AccessKey*``) are valid when they match at least one
action of a known service. An unknown service prefix is rejected, except in VPC-endpoint
policies (which may govern services IronBucket does not know). Role trust policies may only
name the STS actions that a trust policy governs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ironbucket.policy.actions_data import ACTIONS
from ironbucket.policy.errors import PolicyError
from ironbucket.policy.glob import Matcher, compile_text
from ironbucket.policy.model import PolicyKind

KNOWN: dict[str, frozenset[str]] = {
    service: frozenset(name.lower() for name in names) for service, names in ACTIONS.items()
}
TRUST_ACTIONS = frozenset(
    name.lower()
    for name in (
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "TagSession",
        "SetSourceIdentity",
        "SetContext",
    )
)
_SHAPE = re.compile(r"([a-z0-9][a-z0-9-]{0,63}):([a-z0-9*?]{1,128})")


def _matches_one(pattern: str, names: frozenset[str]) -> bool:
    if "*" not in pattern and "?" not in pattern:
        return pattern in names
    glob = compile_text(pattern)
    return any(glob(name) for name in names)


def validate_action(action: str, kind: PolicyKind, seen: dict[str, bool]) -> str:
    """Validate one action string; return it lower-cased. ``seen`` memoises wildcard checks."""
    lowered = action.lower()
    if lowered == "*":
        return lowered
    shape = _SHAPE.fullmatch(lowered)
    if shape is None:
        raise PolicyError(f"Policy has invalid action: {action}")
    service, name = shape.group(1), shape.group(2)
    if kind is PolicyKind.TRUST:
        if service != "sts" or not _matches_one(name, TRUST_ACTIONS):
            raise PolicyError(f"AssumeRole policy may only specify STS AssumeRole actions: {action}")
        return lowered
    names = KNOWN.get(service)
    if names is None:
        if kind is PolicyKind.ENDPOINT:
            return lowered
        raise PolicyError(f"Policy has invalid action: {action}")
    if name != "*":
        known = seen.get(lowered)
        if known is None:
            known = seen[lowered] = _matches_one(name, names)
        if not known:
            raise PolicyError(f"Policy has invalid action: {action}")
    return lowered


@dataclass(frozen=True, slots=True)
class ActionSet:
    """A compiled Action/NotAction list (lower-cased)."""

    everything: bool
    exact: frozenset[str]
    globs: tuple[Matcher, ...]
    patterns: tuple[str, ...]

    def match(self, action: str) -> bool:
        """``action`` must already be lower-cased."""
        if self.everything or action in self.exact:
            return True
        return any(glob(action) for glob in self.globs)


def compile_actions(values: Sequence[str]) -> ActionSet:
    everything = "*" in values
    exact = frozenset(value for value in values if "*" not in value and "?" not in value)
    wild = tuple(dict.fromkeys(value for value in values if value not in exact and value != "*"))
    return ActionSet(everything, exact, tuple(compile_text(value) for value in wild), tuple(values))
