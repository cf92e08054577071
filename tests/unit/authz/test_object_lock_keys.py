"""The s3:object-lock-* condition keys of a write's lock headers."""

from __future__ import annotations

import pytest

from ironbucket.authz.context import object_lock_keys

NOW = 1_893_456_000.0  # 2030-01-01T00:00:00Z


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, {}),
    ({"x-amz-object-lock-legal-hold": "ON"}, {"s3:object-lock-legal-hold": ("ON",)}),
    ({"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "2030-01-03T00:00:00Z"},
     {"s3:object-lock-mode": ("GOVERNANCE",), "s3:object-lock-retain-until-date": ("2030-01-03T00:00:00Z",),
      "s3:object-lock-remaining-retention-days": ("2",)}),
    ({"x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": "2030-01-02T00:00:01"},
     {"s3:object-lock-mode": ("COMPLIANCE",), "s3:object-lock-retain-until-date": ("2030-01-02T00:00:01",),
      "s3:object-lock-remaining-retention-days": ("2",)}),  # rounded up; no zone is UTC
    ({"x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": "soon"},
     {"s3:object-lock-mode": ("COMPLIANCE",), "s3:object-lock-retain-until-date": ("soon",)}),
])
def test_object_lock_keys(headers: dict[str, str], expected: dict[str, tuple[str, ...]]) -> None:
    assert object_lock_keys(headers, NOW) == expected
