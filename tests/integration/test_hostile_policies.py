"""Hostile policy documents against a running server: refused with the right error (and the
stored policy left as it was), or stored and then evaluated in bounded time; never a crash."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.integration.iam_helpers import client, fails, new_account
from tests.integration.server import RunningServer
from tests.integration.test_hostile_input import code, no_server_traceback, send

__all__ = ["no_server_traceback"]  # the autouse fixture: no request may end in a traceback


def _statement(n: int, bucket: str) -> dict[str, Any]:
    return {"Sid": f"S{n}", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/prefix-{n}/*"}


def _document(*statements: dict[str, Any]) -> bytes:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}).encode()


def hostile(bucket: str) -> dict[str, tuple[bytes, str]]:
    """Documents and the error code each must be refused with."""
    over_20kb = _document(*(_statement(n, bucket) for n in range(200)))
    assert len(over_20kb) > 20 * 1024
    return {
        "over 20 KB": (over_20kb, "MaxMessageLengthExceeded"),
        "10,000 statements": (_document(*(_statement(n, bucket) for n in range(10_000))),
                              "MaxMessageLengthExceeded"),
        "deeply nested JSON": (b'{"Version":"2012-10-17","Statement":' + b"[" * 5000 + b"]" * 5000 + b"}",
                               "MalformedPolicy"),
        "invalid UTF-8": (_document(_statement(1, bucket)).replace(b"prefix-1", b"\xff\xfe"),
                          "MalformedPolicy"),
        "not JSON": (b'{"Version": "2012-10-17", "Statement": [', "MalformedPolicy"),
        "unknown action": (_document({**_statement(1, bucket), "Action": "s3:GetEverything"}),
                           "MalformedPolicy"),
        "unknown operator": (_document({**_statement(1, bucket),
                                        "Condition": {"StringRegex": {"aws:UserAgent": ".*"}}}),
                             "MalformedPolicy"),
    }


@pytest.fixture
def policy_bucket(server: RunningServer) -> str:
    name = f"hostile-policy-{time.monotonic_ns()}"
    assert send(server, "PUT", f"/{name}")[0] == 200
    # These policies grant public access, which new buckets block until their owner allows it.
    assert send(server, "DELETE", f"/{name}?publicAccessBlock")[0] == 204
    return name


@pytest.mark.parametrize("kind", list(hostile("b")))
def test_hostile_bucket_policy_is_refused_and_changes_nothing(server: RunningServer, s3: Any,
                                                              policy_bucket: str, kind: str) -> None:
    kept = _document(_statement(0, policy_bucket)).decode()
    s3.put_object(Bucket=policy_bucket, Key="prefix-0/k", Body=b"kept")
    s3.put_bucket_policy(Bucket=policy_bucket, Policy=kept)
    body, expected = hostile(policy_bucket)[kind]
    status, _, reply = send(server, "PUT", f"/{policy_bucket}?policy", body)
    assert (status, code(reply)) == (400, expected), reply[:300]
    assert s3.get_bucket_policy(Bucket=policy_bucket)["Policy"] == kept
    assert send(server, "GET", f"/{policy_bucket}/prefix-0/k", unsigned=True)[:3:2] == (200, b"kept")


def test_backtracking_wildcards_are_evaluated_in_bounded_time(server: RunningServer, s3: Any,
                                                              policy_bucket: str) -> None:
    # A naive backtracking matcher needs exponential time for a*a*a*...b against aaaa...a.
    wildcard = f"arn:aws:s3:::{policy_bucket}/" + "a*" * 500 + "b"
    s3.put_bucket_policy(Bucket=policy_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": wildcard},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{policy_bucket}/*",
         "Condition": {"StringLike": {"aws:UserAgent": "*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*x*y"}}}]}))
    key = "a" * 1000
    s3.put_object(Bucket=policy_bucket, Key=key, Body=b"x")
    s3.put_object(Bucket=policy_bucket, Key=key + "b", Body=b"y")
    agent = {"User-Agent": "x" * 500}
    started = time.monotonic()
    assert send(server, "GET", f"/{policy_bucket}/{key}", headers=agent, unsigned=True)[0] == 403
    status, _, body = send(server, "GET", f"/{policy_bucket}/{key}b", headers=agent, unsigned=True)
    assert (status, body) == (200, b"y")
    # Generous: a linear matcher takes milliseconds; a backtracking one would not finish at all.
    assert time.monotonic() - started < 10


def test_hostile_identity_policies_are_refused(server: RunningServer) -> None:
    account = new_account(server, "hostile-iam")
    iam = client(server, "iam", account.root)
    iam.create_user(UserName="target")
    statements = [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b/{n}"}
                  for n in range(10_000)]
    for document, expected in (
        ("[" * 5000 + "]" * 5000, ("MalformedPolicyDocument", 400)),
        (json.dumps({"Version": "2012-10-17", "Statement": statements[:100]}), ("LimitExceeded", 409)),
        # Larger than any IAM request may be: refused before the body is read in full.
        (json.dumps({"Version": "2012-10-17", "Statement": statements}), ("MaxMessageLengthExceeded", 400)),
        (json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Nope",
                                                            "Resource": "*"}}),
         ("MalformedPolicyDocument", 400)),
    ):
        refused = fails(iam.put_user_policy, UserName="target", PolicyName="p", PolicyDocument=document)
        assert refused == expected
    assert iam.list_user_policies(UserName="target")["PolicyNames"] == []
