"""Who pays for a request on a Requester Pays bucket, and which requests are refused."""

from __future__ import annotations

import pytest

from ironbucket.errors import AccessDenied
from ironbucket.features.requester_pays import Charge, acknowledged, assess, enforce

OWNER, OTHER = "111111111111", "222222222222"


@pytest.mark.parametrize(("headers", "query", "expected"), [
    ({}, {}, False),
    ({"x-amz-request-payer": "requester"}, {}, True),
    ({"x-amz-request-payer": "Requester"}, {}, True),  # compared case-insensitively
    ({"x-amz-request-payer": " requester "}, {}, True),
    ({"x-amz-request-payer": "owner"}, {}, False),
    ({"x-amz-request-payer": ""}, {}, False),
    ({}, {"x-amz-request-payer": "requester"}, True),  # presigned URL
    ({}, {"x-amz-request-payer": "yes"}, False),
    ({"x-amz-request-payer": "no"}, {"x-amz-request-payer": "requester"}, False),  # header wins
])
def test_acknowledged(headers: dict[str, str], query: dict[str, str], expected: bool) -> None:
    assert acknowledged(headers, query) is expected


@pytest.mark.parametrize(("caller", "ack", "account", "requester_pays", "refused"), [
    (OWNER, False, OWNER, False, False),  # the owner's principals pay as the owner, unasked
    (OWNER, True, OWNER, False, False),  # ... even when they acknowledge
    (OTHER, True, OTHER, True, False),  # another account acknowledges and pays
    (OTHER, False, OWNER, False, True),  # ... or is refused, and the owner pays for the refusal
    (None, False, OWNER, False, True),  # anonymous: refused
    (None, True, OWNER, False, True),  # anonymous cannot acknowledge its way in
])
def test_assess(caller: str | None, ack: bool, account: str, requester_pays: bool, refused: bool) -> None:
    charge = assess("bkt", OWNER, caller, ack)
    assert (charge.bucket, charge.account_id, charge.requester_pays) == ("bkt", account, requester_pays)
    assert (charge.refusal is not None) is refused


def test_enforce() -> None:
    enforce(Charge("bkt", OTHER, True))
    with pytest.raises(AccessDenied, match="anonymous"):
        enforce(assess("bkt", OWNER, None, True))
    with pytest.raises(AccessDenied, match="x-amz-request-payer"):
        enforce(assess("bkt", OWNER, OTHER, False))
