"""The BinaryEquals condition operator.

The policy value is the base64 encoding of the bytes to compare; the request value is
expected base64-encoded as well and is compared byte for byte after decoding.
"""

from __future__ import annotations

import base64
import binascii

from ironbucket.policy.conditions.base import Keys, Operator, invalid_value


def decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


class BinaryEquals(Operator):
    __slots__ = ("values",)

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        decoded: set[bytes] = set()
        for value in values:
            raw = decode(value)
            if raw is None or not value:
                raise invalid_value(operator, key, value)
            decoded.add(raw)
        self.values = frozenset(decoded)

    def match(self, value: str, keys: Keys) -> bool:
        raw = decode(value)
        return raw is not None and raw in self.values


REGISTRY: dict[str, tuple[type[Operator], bool]] = {"BinaryEquals": (BinaryEquals, False)}
