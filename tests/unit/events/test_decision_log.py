"""The decision log's hand-written JSON lines: each must parse to exactly the entry it stands for."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ironbucket.authz.grant import Check
from ironbucket.events.decision_log import DecisionLog, find, line
from ironbucket.events.record import RequestRecord


@dataclass(frozen=True)
class _Outcome:  # the three fields of authz.engine.Outcome the log reads
    allowed: bool
    reason: str
    trace: tuple[str, ...] = field(default=())


_HOSTILE = 'q"uo\\te\n\t\x00\x1f/é/☃/\U0001f600/\ud800'  # quotes, controls, non-ASCII, astral, lone surrogate

CASES: list[tuple[str, dict[str, Any], list[tuple[Check, _Outcome]]]] = [
    ("no decisions", {}, []),
    ("one allow", {"status": 200, "principal_arn": "arn:aws:iam::123456789012:root"},
     [(Check("s3:GetObject", "arn:aws:s3:::b/k", "123456789012"),
       _Outcome(True, "root user of the owning account"))]),
    ("deny with a trace and an error", {"status": 403, "error_code": "AccessDenied"},
     [(Check("s3:PutObject", "arn:aws:s3:::b/k", None),
       _Outcome(False, "explicit deny", ("bucket policy: Deny (Sid \"x\")", "identity: Allow")))]),
    ("several checks", {"status": 200, "operation": "CopyObject"},
     [(Check("s3:GetObject", "arn:aws:s3:::a/1", "1"), _Outcome(True, "r1", ("t",))),
      (Check("s3:PutObject", "arn:aws:s3:::b/2", "2"), _Outcome(True, "r2"))]),
    ("hostile strings everywhere", {"path": "/b/" + _HOSTILE, "operation": _HOSTILE,
                                    "principal_arn": _HOSTILE, "error_code": _HOSTILE},
     [(Check(_HOSTILE, "arn:aws:s3:::b/" + _HOSTILE, None), _Outcome(False, _HOSTILE, (_HOSTILE, "")))]),
    ("outcomes alike but for their trace", {"status": 403},
     [(Check("s3:GetObject", "arn:aws:s3:::a/1", "1"), _Outcome(False, "r", ("t",))),
      (Check("s3:GetObject", "arn:aws:s3:::a/2", "1"), _Outcome(False, "r", ("u",))),
      (Check("s3:GetObject", "arn:aws:s3:::a/3", "1"), _Outcome(True, "r", ("t",))),
      (Check("s3:ListBucket", "arn:aws:s3:::a", "1"), _Outcome(False, "r", ("t",)))]),
    ("whole-second time", {"received_at": 1700000000.0}, []),
    ("time with a leading zero millisecond", {"received_at": 1700000000.0421}, []),
]


def _record(fields: dict[str, Any], decisions: list[tuple[Check, _Outcome]]) -> RequestRecord:
    values: dict[str, Any] = {"request_id": "0123456789ABCDEF", "received_at": 1795790389.1626163,
                              "method": "GET", "path": "/b/k", "client_ip": "127.0.0.1"}
    record = RequestRecord(**(values | fields))
    record.decisions.extend(decisions)
    return record


def _expected(record: RequestRecord) -> dict[str, Any]:
    return {
        "request_id": record.request_id, "time": int(record.received_at * 1000) / 1000,  # to the ms
        "operation": record.operation,
        "principal": record.principal_arn, "path": record.path, "status": record.status,
        "error": record.error_code,
        "decisions": [{"action": check.action, "resource": check.resource, "allowed": outcome.allowed,
                       "reason": outcome.reason, "trace": list(outcome.trace)}
                      for check, outcome in record.decisions],
    }


@pytest.mark.parametrize(("fields", "decisions"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_line_is_the_entry_as_json(fields: dict[str, Any], decisions: list[tuple[Check, _Outcome]]) -> None:
    record = _record(fields, decisions)
    text = line(record)
    assert "\n" not in text and text.isascii()  # one line per record, whatever the strings hold
    assert json.loads(text) == _expected(record)


def test_flushed_lines_are_found_by_request_id(tmp_path: Path) -> None:
    log = DecisionLog(tmp_path)
    for index, (_, fields, decisions) in enumerate(CASES):
        record = _record(fields, decisions)
        record.request_id = f"REQ{index:013d}"
        log.append(record)
    log.flush()
    for index, (_, fields, decisions) in enumerate(CASES):
        entry = find(tmp_path, f"REQ{index:013d}")
        assert entry is not None and entry["decisions"] == _expected(_record(fields, decisions))["decisions"]
    assert find(tmp_path, "REQ9999999999999") is None
