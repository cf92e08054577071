"""The pure Object Lock rules, table-driven."""

from __future__ import annotations

from typing import Any

import pytest

from ironbucket.errors import InvalidArgument, InvalidRequest, MalformedXML, S3Error
from ironbucket.features import object_lock as ol
from ironbucket.features.object_lock import COMPLIANCE, GOVERNANCE, Lock

NOW = 1_800_000_000.0
LATER = NOW + 3600
GONE = NOW - 1


@pytest.mark.parametrize(("lock", "bypass", "refused"), [
    (Lock(), False, None),
    (Lock(COMPLIANCE, LATER), False, "compliance retention"),
    (Lock(COMPLIANCE, LATER), True, "compliance retention"),
    (Lock(COMPLIANCE, GONE), False, None),
    (Lock(GOVERNANCE, LATER), False, "governance retention"),
    (Lock(GOVERNANCE, LATER), True, None),
    (Lock(GOVERNANCE, GONE), False, None),
    (Lock(legal_hold=True), True, "legal hold"),
    (Lock(GOVERNANCE, LATER, legal_hold=True), True, "legal hold"),
    (Lock(unreadable=True), True, "lock metadata unreadable"),
])
def test_deletion_refusal(lock: Lock, bypass: bool, refused: str | None) -> None:
    assert ol.deletion_refusal(lock, NOW, bypass) == refused


@pytest.mark.parametrize(("old", "mode", "until", "bypass", "allowed"), [
    (Lock(), GOVERNANCE, LATER, False, True),
    (Lock(COMPLIANCE, LATER), COMPLIANCE, LATER + 1, False, True),  # extend
    (Lock(COMPLIANCE, LATER), COMPLIANCE, LATER, False, True),  # same date
    (Lock(COMPLIANCE, LATER), COMPLIANCE, LATER - 1, True, False),  # shorten, even with bypass
    (Lock(COMPLIANCE, LATER), GOVERNANCE, LATER + 1, True, False),  # weaken the mode
    (Lock(COMPLIANCE, LATER), None, None, True, False),  # remove
    (Lock(COMPLIANCE, GONE), GOVERNANCE, LATER, False, True),  # expired: anything goes
    (Lock(GOVERNANCE, LATER), GOVERNANCE, LATER + 1, False, True),
    (Lock(GOVERNANCE, LATER), COMPLIANCE, LATER, False, False),  # a mode change needs a bypass
    (Lock(GOVERNANCE, LATER), COMPLIANCE, LATER, True, True),
    (Lock(GOVERNANCE, LATER), GOVERNANCE, LATER - 1, False, False),
    (Lock(GOVERNANCE, LATER), GOVERNANCE, LATER - 1, True, True),
    (Lock(GOVERNANCE, LATER), None, None, False, False),
    (Lock(GOVERNANCE, LATER), None, None, True, True),
    (Lock(unreadable=True), COMPLIANCE, LATER, True, False),
])
def test_retention_change(old: Lock, mode: str | None, until: float | None, bypass: bool,
                          allowed: bool) -> None:
    assert (ol.retention_change_refusal(old, mode, until, NOW, bypass) is None) is allowed


@pytest.mark.parametrize(("stored", "expected"), [
    ({}, ol.NO_LOCK),
    ({"lock": {"mode": "COMPLIANCE", "until": LATER, "hold": False}}, Lock(COMPLIANCE, LATER)),
    ({"lock": {"mode": None, "until": None, "hold": True}}, Lock(legal_hold=True)),
    ({"lock": {"mode": "compliance", "until": LATER, "hold": False}}, Lock(unreadable=True)),
    ({"lock": {"mode": "COMPLIANCE", "until": "soon", "hold": False}}, Lock(unreadable=True)),
    ({"lock": {"mode": None, "until": None, "hold": "yes"}}, Lock(unreadable=True)),
    ({"lock": {"mode": None}}, Lock(unreadable=True)),
    ({"lock": "garbage"}, Lock(unreadable=True)),
])
def test_read_lock_fails_closed(stored: dict[str, Any], expected: Lock) -> None:
    assert ol.read_lock(stored) == expected


def test_round_trip() -> None:
    lock = Lock(GOVERNANCE, LATER, True)
    assert ol.read_lock({"lock": lock.to_extra()}) == lock



@pytest.mark.parametrize(("headers", "error"), [
    ({"x-amz-object-lock-mode": "GOVERNANCE"}, InvalidArgument),
    ({"x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"}, InvalidArgument),
    ({"x-amz-object-lock-mode": "governance",
      "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"}, InvalidArgument),
    ({"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "tomorrow"},
     InvalidArgument),
    ({"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "2020-01-01T00:00:00Z"},
     InvalidArgument),  # past
    ({"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": "2200-01-01T00:00:00Z"},
     InvalidArgument),  # beyond 100 years
    ({"x-amz-object-lock-legal-hold": "on"}, InvalidArgument),
])
def test_bad_headers(headers: dict[str, str], error: type[S3Error]) -> None:
    with pytest.raises(error):
        ol.lock_from_headers(headers, NOW)


def test_good_headers() -> None:
    assert ol.lock_from_headers({}, NOW) is None
    got = ol.lock_from_headers({"x-amz-object-lock-mode": "COMPLIANCE",
                                "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00.000Z",
                                "x-amz-object-lock-legal-hold": "ON"}, NOW)
    assert got == Lock(COMPLIANCE, 1893456000.0, True)


@pytest.mark.parametrize(("mode", "until", "error"), [
    ("GOVERNANCE", None, MalformedXML),
    (None, "2030-01-01T00:00:00Z", MalformedXML),
    ("Governance", "2030-01-01T00:00:00Z", InvalidArgument),  # as Amazon S3 answers
    ("abc", "2030-01-01T00:00:00Z", InvalidArgument),
    ("GOVERNANCE", "01/01/2030", MalformedXML),
    ("GOVERNANCE", "2020-01-01T00:00:00Z", InvalidArgument),
])
def test_bad_retention_documents(mode: str | None, until: str | None, error: type[S3Error]) -> None:
    with pytest.raises(error):
        ol.parse_retention(mode, until, NOW)


def test_retention_documents() -> None:
    assert ol.parse_retention(None, None, NOW) == (None, None)
    assert ol.parse_retention("GOVERNANCE", "2030-01-01T00:00:00Z", NOW) == ("GOVERNANCE", 1893456000.0)
    # without a zone: UTC (the aws CLI documents dates such as 2025-01-01T00:00:00)
    assert ol.parse_retention("GOVERNANCE", "2030-01-01T00:00:00", NOW) == ("GOVERNANCE", 1893456000.0)


@pytest.mark.parametrize(("status", "expected"), [("ON", True), ("OFF", False), ("on", InvalidArgument),
                                                  ("abc", InvalidArgument), (None, MalformedXML)])
def test_legal_hold_documents(status: str | None, expected: bool | type[S3Error]) -> None:
    if isinstance(expected, bool):
        assert ol.parse_legal_hold(status) is expected
    else:
        with pytest.raises(expected):
            ol.parse_legal_hold(status)


@pytest.mark.parametrize(("mode", "days", "years", "error"), [
    ("GOVERNANCE", None, None, MalformedXML),
    ("GOVERNANCE", "1", "1", MalformedXML),
    ("governance", "1", None, InvalidArgument),
    (None, "1", None, MalformedXML),
    ("GOVERNANCE", "one", None, MalformedXML),
    ("GOVERNANCE", "0", None, InvalidArgument),
    ("GOVERNANCE", "-3", None, InvalidArgument),
    ("GOVERNANCE", "36501", None, InvalidArgument),
    ("COMPLIANCE", None, "101", InvalidArgument),
])
def test_bad_default_retention(mode: str, days: str | None, years: str | None,
                               error: type[S3Error]) -> None:
    with pytest.raises(error):
        ol.parse_default_retention(mode, days, years)


def test_default_retention() -> None:
    days = ol.parse_default_retention("GOVERNANCE", "2", None)
    assert days.until(NOW) == NOW + 2 * 86400
    years = ol.parse_default_retention("COMPLIANCE", None, "1")
    assert years.until(NOW) == NOW + 365 * 86400
    assert ol.DefaultRetention.loads(years.dumps()) == years


@pytest.mark.parametrize(("requested", "default", "expected"), [
    (None, None, Lock()),
    (Lock(legal_hold=True), None, Lock(legal_hold=True)),
    (None, ol.DefaultRetention(GOVERNANCE, days=1), Lock(GOVERNANCE, NOW + 86400)),
    (Lock(legal_hold=True), ol.DefaultRetention(GOVERNANCE, days=1), Lock(GOVERNANCE, NOW + 86400, True)),
    (Lock(COMPLIANCE, LATER), ol.DefaultRetention(GOVERNANCE, days=1), Lock(COMPLIANCE, LATER)),
])
def test_effective_lock(requested: Lock | None, default: ol.DefaultRetention | None, expected: Lock) -> None:
    assert ol.effective_lock(requested, default, NOW) == expected


def test_lock_bucket_required() -> None:
    with pytest.raises(InvalidRequest):
        ol.require_lock_bucket(False)
    ol.require_lock_bucket(True)


@pytest.mark.parametrize(("until", "days"), [(NOW + 1, 1), (NOW + 86400, 1), (NOW + 86401, 2), (GONE, 0)])
def test_remaining_days(until: float, days: int) -> None:
    assert ol.remaining_days(until, NOW) == days
