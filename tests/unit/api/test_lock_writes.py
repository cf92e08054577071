"""The store guard of Object Lock: what it lets the store remove or replace."""

from __future__ import annotations

from typing import Any

import pytest

from ironbucket.api.lock_writes import removal_guard
from ironbucket.errors import AccessDenied
from ironbucket.storage.interfaces import ObjectVersion

NOW = 1_800_000_000.0


def _version(lock: Any, marker: bool = False) -> ObjectVersion:
    extra = {} if lock is None else {"lock": lock}
    return ObjectVersion(bucket="b", key="k", version_id="v", last_modified=0, owner_account_id="1",
                         is_delete_marker=marker, extra=extra)


@pytest.mark.parametrize(("lock", "marker", "bypass", "refused"), [
    (None, False, False, False),
    ({"mode": "COMPLIANCE", "until": NOW + 10, "hold": False}, False, True, True),
    ({"mode": "COMPLIANCE", "until": NOW - 10, "hold": False}, False, False, False),
    ({"mode": "GOVERNANCE", "until": NOW + 10, "hold": False}, False, False, True),
    ({"mode": "GOVERNANCE", "until": NOW + 10, "hold": False}, False, True, False),
    ({"mode": None, "until": None, "hold": True}, False, True, True),
    ("corrupt", False, True, True),  # unreadable lock data: locked
    ("corrupt", True, False, False),  # delete markers carry no lock
])
def test_removal_guard(lock: Any, marker: bool, bypass: bool, refused: bool) -> None:
    guard = removal_guard(NOW, bypass)
    if refused:
        with pytest.raises(AccessDenied):
            guard(_version(lock, marker))
    else:
        guard(_version(lock, marker))
