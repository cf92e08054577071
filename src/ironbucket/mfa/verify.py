"""Checking a one-time code from a device assigned to a given user: what STS GetSessionToken and
S3's MFA Delete (``x-amz-mfa``) ask. A code is accepted once: the device's last accepted time step
moves forward in the same compare-and-set that accepts it."""

from __future__ import annotations

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.mfa import devices, totp
from ironbucket.storage.interfaces import MetadataStore


async def accept_code(meta: MetadataStore, master: MasterKey, serial: str, code: str, now: float, *,
                      account_id: str, user_id: str) -> bool:
    """Whether ``code`` is a fresh code of the device ``serial``, enabled for the user with
    ``user_id`` (the account id for the root user) of ``account_id``; if so it is used up."""
    device = await devices.get(meta, serial)
    if (device is None or device.account_id != account_id or device.user_name is None
            or device.user_id != user_id
            or not code.isdigit() or len(code) != totp.DIGITS):
        return False
    try:
        seed = device.seed(master)
    except MasterKeyError:
        return False  # fail closed: a seed we cannot open proves nothing
    step = totp.matching_step(seed, code, now, after=device.last_step)
    if step is None:
        return False
    # Lost the race to another request using the same device: that one had the code first.
    return await devices.update(meta, device, devices.accepted(device, step))
