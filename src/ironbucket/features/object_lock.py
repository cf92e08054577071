"""S3 Object Lock: the pure rules (parsing what clients send, and what a lock forbids).

A version's lock lives in ``ObjectVersion.extra["lock"]``: a retention (mode + retain-until) and
a legal hold, each independent. Compliance retention binds everyone, the root user included;
governance retention yields only to ``s3:BypassGovernanceRetention`` *and* the bypass header;
a legal hold yields to nothing but its own removal. Lock data that cannot be read counts as
locked (fail closed).
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ironbucket.errors import InvalidArgument, InvalidRequest, MalformedXML

GOVERNANCE, COMPLIANCE = "GOVERNANCE", "COMPLIANCE"
MODES = (GOVERNANCE, COMPLIANCE)
EXTRA_KEY = "lock"  # in ObjectVersion.extra / Upload.extra
CONFIG = "object-lock"  # bucket config name: the default retention, as JSON
DAY = 86400.0
MAX_DAYS = 36500  # 100 years, AWS's limit
MAX_YEARS = 100
MAX_SECONDS = MAX_DAYS * DAY

MODE_HEADER = "x-amz-object-lock-mode"
UNTIL_HEADER = "x-amz-object-lock-retain-until-date"
HOLD_HEADER = "x-amz-object-lock-legal-hold"
BYPASS_HEADER = "x-amz-bypass-governance-retention"
LOCKED_MESSAGE = "Access Denied because object protected by object lock."
MISSING_CONFIG = "Bucket is missing Object Lock Configuration"


@dataclass(frozen=True, slots=True)
class Lock:
    mode: str | None = None
    until: float | None = None  # epoch seconds
    legal_hold: bool = False
    unreadable: bool = False  # stored lock data we cannot interpret: treated as locked

    def to_extra(self) -> dict[str, Any]:
        return {"mode": self.mode, "until": self.until, "hold": self.legal_hold}

    @property
    def empty(self) -> bool:
        return self.mode is None and not self.legal_hold


NO_LOCK = Lock()


def read_lock(extra: Mapping[str, Any]) -> Lock:
    """The lock stored with a version; anything malformed reads as ``unreadable`` (locked)."""
    raw = extra.get(EXTRA_KEY)
    if raw is None:
        return NO_LOCK
    try:
        mode, until, hold = raw["mode"], raw["until"], raw["hold"]
        if mode is not None and (mode not in MODES or not isinstance(until, (int, float))):
            raise ValueError(mode)
        if not isinstance(hold, bool):
            raise ValueError(hold)
        return Lock(mode, float(until) if mode is not None else None, hold)
    except (KeyError, TypeError, ValueError):
        return Lock(unreadable=True)


def active_mode(lock: Lock, now: float) -> str | None:
    """The retention mode still in force at ``now`` (None once retain-until has passed)."""
    if lock.mode is None or lock.until is None or lock.until <= now:
        return None
    return lock.mode


def deletion_refusal(lock: Lock, now: float, bypass: bool) -> str | None:
    """Why removing or overwriting the version is refused, or None. ``bypass``: the caller has
    s3:BypassGovernanceRetention and sent the bypass header."""
    if lock.unreadable:
        return "lock metadata unreadable"
    if lock.legal_hold:
        return "legal hold"
    mode = active_mode(lock, now)
    if mode == COMPLIANCE:
        return "compliance retention"
    if mode == GOVERNANCE and not bypass:
        return "governance retention"
    return None


def retention_change_refusal(old: Lock, mode: str | None, until: float | None, now: float,
                             bypass: bool) -> str | None:
    """Why replacing the retention of a version (``mode`` None: removing it) is refused, or None.
    Extending in the same mode is always allowed; compliance can never be shortened, removed or
    changed; governance changes its mode (even to compliance) only with a bypass, as on Amazon S3
    (https://github.com/ceph/ceph/pull/42505 reports the behaviour observed there)."""
    if old.unreadable:
        return "lock metadata unreadable"
    current = active_mode(old, now)
    if current is None:
        return None
    assert old.until is not None
    extends = mode == current and until is not None and until >= old.until
    if current == COMPLIANCE:
        return None if extends else "compliance retention"
    return None if extends or bypass else "governance retention"


# --- parsing -----------------------------------------------------------------------------------
def parse_time(text: str) -> float | None:
    """An ISO 8601 timestamp (UTC unless it names a zone), or None."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)).timestamp()


def _check_mode(mode: str) -> None:
    # A mode in the wrong case or unknown is InvalidArgument in the XML bodies too (as Amazon S3
    # answers), not MalformedXML.
    if mode not in MODES:
        raise InvalidArgument("Unknown wormMode directive.", ArgumentName="Mode", ArgumentValue=mode)


def check_until(until: float, now: float) -> None:
    if until <= now:
        raise InvalidArgument("The retain until date must be in the future!")
    if until - now > MAX_SECONDS:
        raise InvalidArgument("The retain until date must not exceed 100 years from now.")


def parse_bypass(headers: Mapping[str, str]) -> bool:
    return headers.get(BYPASS_HEADER, "").strip().lower() == "true"


def lock_from_headers(headers: Mapping[str, str], now: float) -> Lock | None:
    """The lock a write asks for with the x-amz-object-lock-* headers; None when none is sent."""
    mode, until_text, hold = headers.get(MODE_HEADER), headers.get(UNTIL_HEADER), headers.get(HOLD_HEADER)
    if mode is None and until_text is None and hold is None:
        return None
    if (mode is None) != (until_text is None):
        raise InvalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must "
                              "both be supplied")
    until: float | None = None
    if mode is not None and until_text is not None:
        if mode not in MODES:
            raise InvalidArgument("Unknown wormMode directive.", ArgumentName=MODE_HEADER,
                                  ArgumentValue=mode)
        until = parse_time(until_text)
        if until is None:
            raise InvalidArgument("The retain until date must be provided in ISO 8601 format",
                                  ArgumentName=UNTIL_HEADER, ArgumentValue=until_text)
        check_until(until, now)
    if hold is not None and hold not in ("ON", "OFF"):
        raise InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", ArgumentName=HOLD_HEADER,
                              ArgumentValue=hold)
    return Lock(mode, until, hold == "ON")


def require_lock_bucket(object_lock: bool) -> None:
    if not object_lock:
        raise InvalidRequest(MISSING_CONFIG)


def parse_retention(mode: str | None, until_text: str | None, now: float) -> tuple[str | None, float | None]:
    """A PutObjectRetention document's Mode and RetainUntilDate (both absent: remove)."""
    if mode is None and until_text is None:
        return None, None
    if mode is None or until_text is None:
        raise MalformedXML()
    _check_mode(mode)
    until = parse_time(until_text)
    if until is None:
        raise MalformedXML()
    check_until(until, now)
    return mode, until


def parse_legal_hold(status: str | None) -> bool:
    if status is None:
        raise MalformedXML()
    if status not in ("ON", "OFF"):
        raise InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'", ArgumentName="Status",
                              ArgumentValue=status)
    return status == "ON"


# --- default retention (the bucket's ObjectLockConfiguration rule) -------------------------------
@dataclass(frozen=True, slots=True)
class DefaultRetention:
    mode: str
    days: int | None = None
    years: int | None = None

    def until(self, now: float) -> float:
        # AWS counts a retention year as 365 days.
        return now + DAY * (self.days if self.days is not None else 365 * (self.years or 0))

    def dumps(self) -> str:
        return json.dumps({"mode": self.mode, "days": self.days, "years": self.years})

    @classmethod
    def loads(cls, text: str) -> DefaultRetention:
        doc = json.loads(text)
        return cls(doc["mode"], doc.get("days"), doc.get("years"))


def parse_default_retention(mode: str | None, days: str | None, years: str | None) -> DefaultRetention:
    if mode is None or (days is None) == (years is None):
        raise MalformedXML()
    _check_mode(mode)
    raw = days if days is not None else years
    assert raw is not None
    try:
        amount = int(raw.strip())
    except ValueError as exc:
        raise MalformedXML() from exc
    if amount <= 0:
        raise InvalidArgument("Default retention period must be a positive integer value",
                              ArgumentName="Days" if days is not None else "Years",
                              ArgumentValue=raw)
    if amount > (MAX_DAYS if days is not None else MAX_YEARS):
        raise InvalidArgument("Default retention period must not exceed 100 years",
                              ArgumentName="Days" if days is not None else "Years",
                              ArgumentValue=raw)
    return DefaultRetention(mode, amount if days is not None else None, amount if years is not None else None)


def effective_lock(requested: Lock | None, default: DefaultRetention | None, now: float) -> Lock:
    """What a new version gets: the request's retention if it names one, else the bucket default;
    the legal hold only from the request."""
    if requested is not None and requested.mode is not None:
        return requested
    hold = requested.legal_hold if requested is not None else False
    if default is None:
        return Lock(legal_hold=hold)
    return Lock(default.mode, default.until(now), hold)


def remaining_days(until: float, now: float) -> int:
    """s3:object-lock-remaining-retention-days: whole days left, rounded up."""
    return max(0, math.ceil((until - now) / DAY))
