"""Every value sealed under the server master key, as the store holds them, and the one
operation that visits them all (master key rotation, and the first check of a key).

The store knows *where* sealed values are; what each is bound to (its associated data) is the
caller's knowledge (``ironbucket.masterkey.reseal``). Settings that hold sealed values are
visited by name prefix, their whole text handed over, since their format is their owner's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# SealedValue.kind
ACCESS_KEY = "access-key"  # name: access key id
STS_SECRET = "sts-secret"  # noqa: S105 - a kind, not a secret; name: session key id
STS_TOKEN = "sts-token"  # noqa: S105 - a kind, not a secret; name: session key id
KMS_MATERIAL = "kms-material"  # name: key id; version: material version
SETTING = "setting"  # name: setting name; value: its text, UTF-8


@dataclass(frozen=True, slots=True)
class SealedValue:
    kind: str
    name: str
    value: bytes = field(repr=False)
    version: int = 0


@dataclass(frozen=True, slots=True)
class SettingSwap:
    """A compare-and-set of one setting, done in the same transaction as the re-sealing."""

    name: str
    expected: str | None
    value: str


class SettingChanged(Exception):
    """The setting of a ``SettingSwap`` no longer held what was expected: nothing was written."""


# Returns the value's replacement (sealed bytes, or a setting's new text), None to keep it.
Reseal = Callable[[SealedValue], bytes | None]


class SealedStore(Protocol):
    async def reseal_all(self, reseal: Reseal, setting_prefixes: Sequence[str],
                         swap: SettingSwap) -> int:
        """In ONE transaction: check ``swap.expected`` (else SettingChanged), hand every sealed
        value to ``reseal`` and store what it returns, and write ``swap.value``. Anything
        ``reseal`` raises rolls everything back. Returns how many values were visited."""
        ...
