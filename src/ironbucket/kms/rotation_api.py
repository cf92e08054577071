"""Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand.

Rotation makes new material current; every earlier version stays, because each ciphertext
names the version it was made with. Automatic rotation happens lazily, the first time the key
is looked at after its date (lookup.load).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ironbucket.kms import lookup, states
from ironbucket.kms.access import authorized_key
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import LimitExceededException

MAX_ON_DEMAND = 10  # AWS's lifetime quota of on-demand rotations per key


async def _key(call: KmsCall, action: str) -> Any:
    key = await authorized_key(call, call.params.required("KeyId"), action, aliases=False)
    states.admit(key, call.action)
    return key


async def enable_key_rotation(call: KmsCall) -> None:
    period = call.params.integer("RotationPeriodInDays", 90, 2560) or 365
    key = await _key(call, "kms:EnableKeyRotation")
    await call.meta.kms_put_key(dataclasses.replace(
        key, rotation_enabled=True, rotation_period_days=period,
        next_rotation_at=call.kms_now + period * states.DAY))


async def disable_key_rotation(call: KmsCall) -> None:
    key = await _key(call, "kms:DisableKeyRotation")
    await call.meta.kms_put_key(dataclasses.replace(key, rotation_enabled=False, next_rotation_at=None))


async def get_key_rotation_status(call: KmsCall) -> dict[str, Any]:
    key = await _key(call, "kms:GetKeyRotationStatus")
    out: dict[str, Any] = {"KeyRotationEnabled": key.rotation_enabled, "KeyId": key.arn}
    if key.rotation_enabled:
        out["RotationPeriodInDays"] = key.rotation_period_days
        out["NextRotationDate"] = key.next_rotation_at
    return out


async def rotate_key_on_demand(call: KmsCall) -> dict[str, Any]:
    key = await _key(call, "kms:RotateKeyOnDemand")
    if key.on_demand_rotations >= MAX_ON_DEMAND:
        raise LimitExceededException(
            f"{key.arn} has reached the limit of {MAX_ON_DEMAND} on-demand rotations.")
    await lookup.rotate(call.meta, call.keyring, key, call.kms_now, on_demand=True)
    return {"KeyId": key.arn}
