"""Grants: grantee, operation and encryption-context constraints."""

from __future__ import annotations

import pytest

from ironbucket.kms.grants import allows
from ironbucket.storage.kms_records import KmsGrant

BOB = "arn:aws:iam::111122223333:user/bob"


def grant(ops: tuple[str, ...] = ("Decrypt",), subset: dict[str, str] | None = None,
          equals: dict[str, str] | None = None) -> KmsGrant:
    return KmsGrant(key_id="k", grant_id="g", name="", grantee=BOB, retiring=None, operations=ops,
                    context_subset=subset, context_equals=equals, issuing_account="111122223333",
                    created_at=0.0, token_hash="")


ROWS = [
    ("grantee, operation, no constraint", grant(), {BOB}, "Decrypt", {}, True),
    ("another principal", grant(), {"arn:aws:iam::111122223333:user/eve"}, "Decrypt", {}, False),
    ("operation not granted", grant(), {BOB}, "Encrypt", {}, False),
    ("subset met", grant(subset={"a": "1"}), {BOB}, "Decrypt", {"a": "1", "b": "2"}, True),
    ("subset value differs", grant(subset={"a": "1"}), {BOB}, "Decrypt", {"a": "2"}, False),
    ("subset missing", grant(subset={"a": "1"}), {BOB}, "Decrypt", {}, False),
    ("equals met", grant(equals={"a": "1"}), {BOB}, "Decrypt", {"a": "1"}, True),
    ("equals with extra pair", grant(equals={"a": "1"}), {BOB}, "Decrypt", {"a": "1", "b": "2"}, False),
    ("constraint ignored for DescribeKey", grant(("DescribeKey", "Decrypt"), subset={"a": "1"}), {BOB},
     "DescribeKey", None, True),
]


@pytest.mark.parametrize(("name", "g", "arns", "op", "context", "allowed"), ROWS, ids=[r[0] for r in ROWS])
def test_allows(name: str, g: KmsGrant, arns: set[str], op: str, context: dict[str, str] | None,
                allowed: bool) -> None:
    assert allows(g, arns, op, context) is allowed
