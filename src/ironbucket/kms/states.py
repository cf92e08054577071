"""The key state machine (pure): which operations a key's state admits, and the transitions.

    Enabled ⇄ Disabled;  Enabled|Disabled → PendingDeletion (7 to 30 days) → Disabled (cancel)
    PendingDeletion past its date → deleted (done lazily, on the next look at the key)
"""

from __future__ import annotations

import dataclasses

from ironbucket.kms.errors import DisabledException, KMSInvalidStateException
from ironbucket.storage.kms_records import (
    KEY_DISABLED,
    KEY_ENABLED,
    KEY_PENDING_DELETION,
    KmsKey,
)

DAY = 86400.0
CRYPTO = frozenset({"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey",
                    "GenerateDataKeyWithoutPlaintext"})
# A disabled key refuses these with DisabledException.
NEEDS_ENABLED = CRYPTO | {"RotateKeyOnDemand", "EnableKeyRotation", "DisableKeyRotation"}
# A key pending deletion admits only these; the rest answer KMSInvalidStateException.
WHILE_PENDING = frozenset({"DescribeKey", "GetKeyPolicy", "PutKeyPolicy", "ListGrants",
                           "ListResourceTags", "CancelKeyDeletion", "GetKeyRotationStatus",
                           "RevokeGrant", "RetireGrant", "ListAliases", "DeleteAlias"})


def is_deleted(key: KmsKey, now: float) -> bool:
    return key.state == KEY_PENDING_DELETION and key.deletion_at is not None and key.deletion_at <= now


def admit(key: KmsKey, operation: str) -> None:
    if key.state == KEY_PENDING_DELETION and operation not in WHILE_PENDING:
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    if key.state == KEY_DISABLED and operation in NEEDS_ENABLED:
        raise DisabledException(f"{key.arn} is disabled.")


def enable(key: KmsKey) -> KmsKey:
    return dataclasses.replace(key, state=KEY_ENABLED)


def disable(key: KmsKey) -> KmsKey:
    return dataclasses.replace(key, state=KEY_DISABLED)


def schedule_deletion(key: KmsKey, now: float, days: int) -> KmsKey:
    if key.state == KEY_PENDING_DELETION:
        raise KMSInvalidStateException(f"{key.arn} is pending deletion.")
    return dataclasses.replace(key, state=KEY_PENDING_DELETION, deletion_at=now + days * DAY,
                               pending_window_days=days)


def cancel_deletion(key: KmsKey) -> KmsKey:
    if key.state != KEY_PENDING_DELETION:
        raise KMSInvalidStateException(f"{key.arn} is not pending deletion.")
    # AWS leaves a key whose deletion was cancelled disabled.
    return dataclasses.replace(key, state=KEY_DISABLED, deletion_at=None, pending_window_days=None)


def rotation_due(key: KmsKey, now: float) -> bool:
    return (key.rotation_enabled and key.next_rotation_at is not None
            and key.next_rotation_at <= now and key.state == KEY_ENABLED)


def rotated(key: KmsKey, now: float, *, on_demand: bool) -> KmsKey:
    """The key naming its next material version as current (the keyring makes the material)."""
    next_at = now + key.rotation_period_days * DAY if key.rotation_enabled else None
    return dataclasses.replace(
        key, current_material=key.current_material + 1,
        on_demand_rotations=key.on_demand_rotations + (1 if on_demand else 0),
        next_rotation_at=next_at if not on_demand else key.next_rotation_at)
