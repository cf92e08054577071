"""What each value sealed under the master key is bound to (its associated data), and how one is
re-sealed under a new key (rotation) or only opened (the first check of a key).

Every sealed value keeps its binding: a value re-sealed for one access key, KMS key version or MFA
serial still cannot be moved to another.
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Callable

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.kms.keyring import material_binding
from ironbucket.mfa import devices
from ironbucket.storage.sealed import (
    ACCESS_KEY,
    KMS_MATERIAL,
    SETTING,
    STS_SECRET,
    STS_TOKEN,
    Reseal,
    SealedValue,
)

# SSE-S3 key-encryption keys: base64 of master.seal(kek, b"sse-s3-kek:<id>"), one setting each.
SSE_S3_KEK_PREFIX = "sse-s3-kek/"
SETTING_PREFIXES: tuple[str, ...] = (devices.PREFIX, SSE_S3_KEK_PREFIX)

# (sealed, associated data) -> the value to store instead
Rewrap = Callable[[bytes, bytes], bytes]


def label(value: SealedValue) -> str:
    """What the value is, for counts and messages (names are ids, never secrets)."""
    if value.kind == SETTING:
        return "MFA device seeds" if value.name.startswith(devices.PREFIX) else "SSE-S3 keys"
    return {ACCESS_KEY: "access keys", STS_SECRET: "STS sessions", STS_TOKEN: "STS session tokens",
            KMS_MATERIAL: "KMS key material"}[value.kind]


def associated_data(value: SealedValue) -> bytes:
    if value.kind in (ACCESS_KEY, STS_SECRET):
        return value.name.encode()
    if value.kind == STS_TOKEN:
        return value.name.encode() + b"/token"
    if value.kind == KMS_MATERIAL:
        return material_binding(value.name, value.version)
    raise ValueError(f"no associated data for {value.kind}")


def reseal_value(value: SealedValue, rewrap: Rewrap) -> bytes:
    if value.kind != SETTING:
        return rewrap(value.value, associated_data(value))
    text = value.value.decode()
    if value.name.startswith(devices.PREFIX):
        return devices.reseal_document(text, rewrap).encode()
    if value.name.startswith(SSE_S3_KEK_PREFIX):
        kek_id = value.name[len(SSE_S3_KEK_PREFIX):]
        try:
            sealed = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MasterKeyError(f"setting {value.name} is not base64") from exc
        return base64.b64encode(rewrap(sealed, f"sse-s3-kek:{kek_id}".encode()))
    raise ValueError(f"setting {value.name} holds no known sealed value")


def _unseal(key: MasterKey, value: SealedValue, sealed: bytes, aad: bytes) -> bytes:
    try:
        return key.unseal(sealed, aad)
    except MasterKeyError as exc:
        raise MasterKeyError(f"{label(value)}: {value.name} does not open with the current "
                             "master key; nothing was changed") from exc


def rotating(old: MasterKey, new: MasterKey, tally: Counter[str]) -> Reseal:
    """Each value opened with ``old`` and sealed again, under ``new``, to the same binding."""
    def visit(value: SealedValue) -> bytes:
        tally[label(value)] += 1
        return reseal_value(value, lambda sealed, aad: new.seal(_unseal(old, value, sealed, aad), aad))
    return visit


def opening(key: MasterKey, tally: Counter[str]) -> Reseal:
    """Each value only opened with ``key`` (MasterKeyError if one does not); nothing changes."""
    def visit(value: SealedValue) -> None:
        tally[label(value)] += 1
        reseal_value(value, lambda sealed, aad: (_unseal(key, value, sealed, aad), sealed)[1])
    return visit
