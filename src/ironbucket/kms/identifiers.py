"""Key identifiers as KMS accepts them: a key id, a key ARN, an alias name, an alias ARN.

A key id or alias name means a key of the caller's account; the ARNs may name another account
(cross-account use). Operations that manage a key accept only the key id or key ARN; the
cryptographic ones and DescribeKey accept aliases as well.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ironbucket.kms.errors import NotFoundException, ValidationException

KEY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ALIAS_NAME = re.compile(r"alias/[a-zA-Z0-9:/_-]{1,250}")
_ARN = re.compile(r"arn:aws:kms:([a-z0-9-]+):(\d{12}):(key|alias)/(.+)")
MAX_LEN = 2048


class RefKind(enum.Enum):
    KEY_ID = "key id"
    KEY_ARN = "key ARN"
    ALIAS = "alias name"
    ALIAS_ARN = "alias ARN"


@dataclass(frozen=True, slots=True)
class KeyRef:
    kind: RefKind
    text: str  # as given, for messages
    value: str  # the key id, or the alias name ("alias/...")
    account_id: str | None  # None: the caller's account
    region: str | None = None

    @property
    def is_alias(self) -> bool:
        return self.kind in (RefKind.ALIAS, RefKind.ALIAS_ARN)


def parse(text: str) -> KeyRef:
    if not text or len(text) > MAX_LEN:
        raise ValidationException("1 validation error detected: Value at 'keyId' failed to satisfy "
                                  "constraint: Member must have length between 1 and 2048")
    if KEY_ID.fullmatch(text):
        return KeyRef(RefKind.KEY_ID, text, text, None)
    if text.startswith("alias/"):
        return KeyRef(RefKind.ALIAS, text, text, None)
    found = _ARN.fullmatch(text)
    if found is not None:
        region, account, kind, rest = found.groups()
        if kind == "key" and KEY_ID.fullmatch(rest):
            return KeyRef(RefKind.KEY_ARN, text, rest, account, region)
        if kind == "alias":
            return KeyRef(RefKind.ALIAS_ARN, text, f"alias/{rest}", account, region)
    raise NotFoundException(f"Invalid keyId '{text}'")


def require_key(ref: KeyRef) -> KeyRef:
    """For operations that take only a key id or key ARN."""
    if ref.is_alias:
        raise NotFoundException(f"Invalid keyId '{ref.text}'")
    return ref


def alias_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:kms:{region}:{account_id}:{name}"
