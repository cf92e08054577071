"""The ids every response carries: x-amz-request-id (16 upper-case hex digits, as S3's) and
x-amz-id-2 (base64 of 48 random bytes, no newline)."""

from __future__ import annotations

import base64
import re

from ironbucket.http.asgi import host_id, new_request_id


def test_request_ids() -> None:
    ids = [new_request_id() for _ in range(1000)]
    assert all(re.fullmatch(r"[0-9A-F]{16}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_host_ids() -> None:
    ids = [host_id() for _ in range(1000)]
    assert all(len(i) == 64 and len(base64.b64decode(i, validate=True)) == 48 for i in ids)
    assert len(set(ids)) == len(ids)
