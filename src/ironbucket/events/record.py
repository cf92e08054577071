"""RequestRecord: the one summary of a request that every consumer (metrics, access log,
audit trail, anomaly detection) is fed from, in the pipeline's ``record`` stage."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("ironbucket.access")


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    received_at: float
    method: str
    path: str
    client_ip: str
    operation: str = "-"
    bucket: str | None = None
    key: str | None = None
    principal_arn: str = "-"
    access_key_id: str | None = None
    status: int = 0
    error_code: str | None = None
    bytes_in: int = 0
    bytes_out: int = 0
    duration_ms: float = 0.0
    user_agent: str = ""
    decisions: list[Any] = field(default_factory=list)  # (Check, Outcome) per authorization check
    extra: dict[str, Any] = field(default_factory=dict)


def emit(record: RequestRecord) -> None:
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s %s %s %s %d %s %.1fms",
            record.request_id, record.client_ip, record.principal_arn, record.operation,
            record.path, record.status, record.error_code or "-", record.duration_ms,
        )
