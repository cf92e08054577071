"""Virtual MFA devices for the scenario tests: create and enable one, and compute its codes
(RFC 6238 with pyotp) for the current step or the next, never sleeping for a fresh one."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pyotp

from tests.integration.iam_helpers import unique


@dataclass
class Device:
    serial: str
    seed: str

    def code(self, offset: int = 0, now: float | None = None) -> str:
        """The code of the step ``offset`` steps from ``now`` (the server accepts -1, 0 and +1)."""
        return pyotp.TOTP(self.seed).at((time.time() if now is None else now) + 30 * offset)


def pair(device: Device) -> tuple[str, str]:
    """The codes of the previous and current steps, from one instant (a step boundary cannot fall
    between them), leaving the next step's code fresh for the test."""
    now = time.time()
    return device.code(-1, now), device.code(0, now)


def create(iam: Any, path: str = "/") -> Device:
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"), Path=path)["VirtualMFADevice"]
    return Device(made["SerialNumber"], made["Base32StringSeed"].decode())


def enabled(iam: Any, user_name: str = "root") -> Device:
    """A device enabled for ``user_name`` with ``pair``."""
    device = create(iam)
    first, second = pair(device)
    iam.enable_mfa_device(UserName=user_name, SerialNumber=device.serial,
                          AuthenticationCode1=first, AuthenticationCode2=second)
    return device
