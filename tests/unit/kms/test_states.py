"""The key state machine: which operations each state admits, and its transitions."""

from __future__ import annotations

import pytest

from ironbucket.kms import states
from ironbucket.kms.errors import DisabledException, KMSInvalidStateException
from ironbucket.storage.kms_records import KEY_DISABLED, KEY_ENABLED, KEY_PENDING_DELETION, KmsKey

NOW = 1_800_000_000.0


def key(state: str = KEY_ENABLED, **kw: object) -> KmsKey:
    return KmsKey(key_id="1234abcd-12ab-34cd-56ef-1234567890ab", account_id="111122223333",
                  region="us-east-1", created_at=NOW, state=state, description="", policy="{}",
                  manager="CUSTOMER", current_material=1, **kw)  # type: ignore[arg-type]


OK, DISABLED, INVALID = None, DisabledException, KMSInvalidStateException
ROWS = [
    (KEY_ENABLED, "Encrypt", OK), (KEY_ENABLED, "Decrypt", OK), (KEY_ENABLED, "DisableKey", OK),
    (KEY_DISABLED, "Encrypt", DISABLED), (KEY_DISABLED, "Decrypt", DISABLED),
    (KEY_DISABLED, "GenerateDataKey", DISABLED), (KEY_DISABLED, "ReEncrypt", DISABLED),
    (KEY_DISABLED, "RotateKeyOnDemand", DISABLED), (KEY_DISABLED, "EnableKeyRotation", DISABLED),
    (KEY_DISABLED, "DescribeKey", OK), (KEY_DISABLED, "EnableKey", OK), (KEY_DISABLED, "CreateGrant", OK),
    (KEY_PENDING_DELETION, "Encrypt", INVALID), (KEY_PENDING_DELETION, "Decrypt", INVALID),
    (KEY_PENDING_DELETION, "EnableKey", INVALID), (KEY_PENDING_DELETION, "DisableKey", INVALID),
    (KEY_PENDING_DELETION, "CreateAlias", INVALID), (KEY_PENDING_DELETION, "TagResource", INVALID),
    (KEY_PENDING_DELETION, "DescribeKey", OK), (KEY_PENDING_DELETION, "CancelKeyDeletion", OK),
    (KEY_PENDING_DELETION, "GetKeyPolicy", OK),
]


@pytest.mark.parametrize(("state", "operation", "error"), ROWS, ids=[f"{r[0]}-{r[1]}" for r in ROWS])
def test_admit(state: str, operation: str, error: type[Exception] | None) -> None:
    if error is None:
        states.admit(key(state), operation)
    else:
        with pytest.raises(error):
            states.admit(key(state), operation)


@pytest.mark.parametrize("start", [KEY_ENABLED, KEY_DISABLED])
def test_schedule_then_cancel_leaves_the_key_disabled(start: str) -> None:
    pending = states.schedule_deletion(key(start), NOW, 7)
    assert pending.state == KEY_PENDING_DELETION and pending.deletion_at == NOW + 7 * states.DAY
    assert pending.pending_window_days == 7
    cancelled = states.cancel_deletion(pending)
    assert cancelled.state == KEY_DISABLED and cancelled.deletion_at is None


def test_scheduling_twice_and_cancelling_nothing_are_invalid_state() -> None:
    with pytest.raises(KMSInvalidStateException):
        states.schedule_deletion(states.schedule_deletion(key(), NOW, 7), NOW, 7)
    with pytest.raises(KMSInvalidStateException):
        states.cancel_deletion(key())


@pytest.mark.parametrize(("offset", "deleted"), [(-1.0, False), (0.0, True), (1.0, True)])
def test_deleted_once_the_window_has_passed(offset: float, deleted: bool) -> None:
    pending = states.schedule_deletion(key(), NOW, 30)
    assert states.is_deleted(pending, NOW + 30 * states.DAY + offset) is deleted
    assert not states.is_deleted(key(), NOW + 365 * states.DAY)


def test_rotation_moves_the_current_material_only() -> None:
    rotating = key(rotation_enabled=True, next_rotation_at=NOW)
    assert states.rotation_due(rotating, NOW) and not states.rotation_due(rotating, NOW - 1)
    after = states.rotated(rotating, NOW, on_demand=False)
    assert after.current_material == 2 and after.next_rotation_at == NOW + 365 * states.DAY
    on_demand = states.rotated(key(), NOW, on_demand=True)
    assert on_demand.current_material == 2 and on_demand.on_demand_rotations == 1
