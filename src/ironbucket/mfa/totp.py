"""TOTP (RFC 6238) as virtual MFA devices speak it: HMAC-SHA-1, 30-second steps, 6 digits,
one step of clock drift either way, and no code accepted twice.

Code generation is pyotp's (RFC 4226 truncation); matching is ours, because the replay rule needs
the time step a code matched, and the comparison must not leak how many digits were right.
"""

from __future__ import annotations

import base64
import hmac
import secrets

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RESYNC_STEPS = 2  # two consecutive codes may sit a little further from our clock
SEED_BYTES = 40  # AWS's seeds are 64 Base32 characters, i.e. 40 bytes


def new_seed() -> str:
    """A fresh Base32 seed (no padding: 40 bytes encode to exactly 64 characters)."""
    return base64.b32encode(secrets.token_bytes(SEED_BYTES)).decode()


def step_of(now: float) -> int:
    return int(now // STEP_SECONDS)


def code_at(seed: str, step: int) -> str:
    import pyotp  # on first use: ~5 MB per worker, needed only by MFA requests

    return pyotp.TOTP(seed, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(seed: str, code: str, now: float, *, after: int | None = None) -> int | None:
    """The time step within the drift window that ``code`` is for, if any and later than
    ``after`` (the device's last accepted step: a code is good once). Every candidate is compared,
    in constant time, whether or not an earlier one matched."""
    current = step_of(now)
    found: int | None = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(seed, step).encode(), code.encode()) and found is None:
            found = step
    if found is None or (after is not None and found <= after):
        return None
    return found


def consecutive_steps(seed: str, first: str, second: str, now: float, *,
                      after: int | None = None) -> int | None:
    """The step of ``second`` when ``first`` and ``second`` are codes of two consecutive steps,
    as EnableMFADevice and ResyncMFADevice require; None otherwise. The window is wider here
    (a resync exists to catch a device whose clock has drifted), but still bounded."""
    current = step_of(now)
    found: int | None = None
    for step in range(current - RESYNC_STEPS, current + RESYNC_STEPS):
        one = hmac.compare_digest(code_at(seed, step).encode(), first.encode())
        two = hmac.compare_digest(code_at(seed, step + 1).encode(), second.encode())
        if one and two and found is None:
            found = step + 1
    if found is None or (after is not None and found - 1 <= after):
        return None
    return found

