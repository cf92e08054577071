"""Virtual MFA devices at rest: one metadata-store setting per device, named by its serial
number (``arn:aws:iam::<acct>:mfa/<path><name>``), holding a JSON document with the seed sealed
under the server master key (bound to the serial) and the last time step a code was accepted.

Every change is a compare-and-set of the whole document, so two workers can never both accept
the same code, nor both assign one device.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from ironbucket.crypto.master_key import MasterKey
from ironbucket.storage.interfaces import MetadataStore

PREFIX = "iam-mfa/"
ROOT = "root"  # ``user_name`` of a device assigned to the account's root user


@dataclass(frozen=True, slots=True)
class MfaDevice:
    serial: str
    account_id: str
    path: str
    name: str
    sealed_seed: str  # base64 of the sealed Base32 seed
    created_at: float
    user_name: str | None = None  # None: unassigned; ROOT: the root user (as named when enabled)
    user_id: str | None = None  # the owner: an IAM user's id, or the account id for the root user
    enabled_at: float | None = None
    last_step: int | None = None  # the last time step a code was accepted for
    tags: dict[str, str] = field(default_factory=dict)

    def seed(self, master: MasterKey) -> str:
        return master.unseal(base64.b64decode(self.sealed_seed), self.serial.encode()).decode()


def serial_of(account_id: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account_id}:mfa{path}{name}"


def seal_seed(master: MasterKey, serial: str, seed: str) -> str:
    return base64.b64encode(master.seal(seed.encode(), serial.encode())).decode()


def reseal_document(text: str, rewrap: Callable[[bytes, bytes], bytes]) -> str:
    """The stored document ``text`` with its seed re-sealed by ``rewrap(sealed, associated data)``
    (master key rotation); everything else, the last accepted step included, is kept."""
    device = _decode(text)
    sealed = rewrap(base64.b64decode(device.sealed_seed), device.serial.encode())
    return _encode(replace(device, sealed_seed=base64.b64encode(sealed).decode()))


def _encode(device: MfaDevice) -> str:
    return json.dumps(asdict(device), sort_keys=True)


def _decode(text: str) -> MfaDevice:
    return MfaDevice(**json.loads(text))


async def get(meta: MetadataStore, serial: str) -> MfaDevice | None:
    text = await meta.get_setting(PREFIX + serial)
    return None if text is None else _decode(text)


async def create(meta: MetadataStore, device: MfaDevice) -> bool:
    """False if a device with this serial exists already."""
    return await meta.swap_setting(PREFIX + device.serial, None, _encode(device))


async def update(meta: MetadataStore, old: MfaDevice, new: MfaDevice | None) -> bool:
    """Replace (or, with None, delete) ``old`` if nobody changed it meanwhile."""
    return await meta.swap_setting(PREFIX + old.serial, _encode(old),
                                   None if new is None else _encode(new))


async def in_account(meta: MetadataStore, account_id: str) -> list[MfaDevice]:
    """Every device of the account, in serial order."""
    prefix = f"{PREFIX}arn:aws:iam::{account_id}:mfa/"
    found: list[MfaDevice] = []
    after = ""
    while True:
        batch = await meta.list_settings(prefix, after, 500)
        found.extend(_decode(text) for _, text in batch)
        if len(batch) < 500:
            return found
        after = batch[-1][0]


def accepted(device: MfaDevice, step: int) -> MfaDevice:
    return replace(device, last_step=step)
