"""TOTP as MFA devices speak it: RFC 6238's SHA-1 test vectors, the ±1 step window, the
consecutive pair of EnableMFADevice, and a code accepted once."""

from __future__ import annotations

import pytest

from ironbucket.mfa import totp

# RFC 6238 appendix B: the ASCII seed "12345678901234567890", SHA-1, last 6 of the 8 digits.
RFC_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(("now", "code"), [
    (59, "287082"), (1111111109, "081804"), (1111111111, "050471"), (1234567890, "005924"),
    (2000000000, "279037"), (20000000000, "353130"),
])
def test_rfc_6238_vectors(now: int, code: str) -> None:
    assert totp.code_at(RFC_SEED, totp.step_of(now)) == code


NOW = 1_800_000_015.0  # mid-step
STEP = totp.step_of(NOW)


@pytest.mark.parametrize(("offset", "after", "accepted"), [
    (0, None, True), (-1, None, True), (1, None, True),  # one step of drift either way
    (-2, None, False), (2, None, False),  # no further
    (0, STEP - 1, True),  # later than the last accepted step
    (0, STEP, False), (-1, STEP - 1, False), (1, STEP, True),  # no replay, nothing older
])
def test_window_and_replay(offset: int, after: int | None, accepted: bool) -> None:
    code = totp.code_at(RFC_SEED, STEP + offset)
    found = totp.matching_step(RFC_SEED, code, NOW, after=after)
    assert found == (STEP + offset if accepted else None)


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef"])
def test_malformed_codes_never_match(bad: str) -> None:
    assert totp.matching_step(RFC_SEED, bad, NOW) is None


@pytest.mark.parametrize(("first", "second", "after", "result"), [
    (0, 1, None, 1), (-1, 0, None, 0), (-2, -1, None, -1), (1, 2, None, 2),
    (0, 0, None, None), (1, 0, None, None), (-1, 1, None, None),  # must be consecutive, in order
    (-3, -2, None, None), (2, 3, None, None),  # outside the resync window
    (0, 1, -1, 1), (0, 1, 0, None),  # the first code must be fresh as well
])
def test_consecutive_pairs(first: int, second: int, after: int | None, result: int | None) -> None:
    found = totp.consecutive_steps(RFC_SEED, totp.code_at(RFC_SEED, STEP + first),
                                   totp.code_at(RFC_SEED, STEP + second), NOW,
                                   after=None if after is None else STEP + after)
    assert found == (None if result is None else STEP + result)


def test_new_seeds_are_64_base32_characters_and_distinct() -> None:
    seeds = {totp.new_seed() for _ in range(20)}
    assert len(seeds) == 20
    assert all(len(s) == 64 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in seeds)
