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

    def code(self, offset: int = 0) -> str:
        """The code of the step ``offset`` steps from now (the server accepts -1, 0 and +1)."""
        return pyotp.TOTP(self.seed).at(time.time() + 30 * offset)


def create(iam: Any, path: str = "/") -> Device:
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique("mfa"), Path=path)["VirtualMFADevice"]
    return Device(made["SerialNumber"], made["Base32StringSeed"].decode())


def enabled(iam: Any, user_name: str = "root") -> Device:
    """A device enabled for ``user_name`` with the codes of the previous and current steps, so
    that the next step's code is still fresh for the test to use."""
    device = create(iam)
    iam.enable_mfa_device(UserName=user_name, SerialNumber=device.serial,
                          AuthenticationCode1=device.code(-1), AuthenticationCode2=device.code(0))
    return device
