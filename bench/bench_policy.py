"""Micro-benchmark of IAM policy evaluation (prints decisions/s; not a test).

    python bench/bench_policy.py [--seconds S] [--statements N]

Builds a realistic bucket policy (30 statements by default: specific users and roles, whole
accounts, anonymous read of a public prefix, deny-unless-TLS, VPC-endpoint and IP-range
conditions, prefix-limited listing, time windows, tag checks, policy variables) and evaluates
a rotating mix of requests against it on one core. Also reports the parse+compile time.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from ironbucket.policy import (
    Decision,
    PolicyKind,
    PrincipalIdentity,
    RequestContext,
    evaluate,
    parse_policy,
)

BUCKET = "arn:aws:s3:::media-prod"
ACCOUNT = "111122223333"


def statements(count: int) -> list[dict[str, Any]]:
    base: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecure",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/public/*",
        },
        {
            "Sid": "DenyOutsideVpce",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject", "s3:DeleteObject*"],
            "Resource": f"{BUCKET}/private/*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-5e6f7a8b"]}},
        },
        {
            "Sid": "HomeDirs",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": f"{BUCKET}/home/${{aws:username}}/*",
        },
        {
            "Sid": "ListHome",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
        },
        {
            "Sid": "Office",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:Get*",
            "Resource": f"{BUCKET}/reports/*",
            "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8:1234::/48"]}},
        },
        {
            "Sid": "MaxKeys",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Auditor"},
            "Action": ["s3:ListBucket", "s3:ListBucketVersions"],
            "Resource": BUCKET,
            "Condition": {"NumericLessThanEquals": {"s3:max-keys": "100"}},
        },
        {
            "Sid": "Window",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::444455556666:user/contractor"},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET}/uploads/*",
            "Condition": {
                "DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"},
                "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
            },
        },
        {
            "Sid": "Tagged",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "s3:GetObject",
            "Resource": f"{BUCKET}/teams/*",
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "${aws:PrincipalTag/team}"}},
        },
        {
            "Sid": "OrgRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": f"{BUCKET}/shared/*",
            "Condition": {
                "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Reader*"},
            },
        },
    ]
    out: list[dict[str, Any]] = []
    for number in range(count):
        template = json.loads(json.dumps(base[number % len(base)]))
        template["Sid"] = f"{template['Sid']}{number}"
        if number >= len(base):
            # distinct copies: another prefix, so they compete without all matching
            resources = template["Resource"]
            moved = [r.replace("media-prod/", f"media-prod/p{number}/") for r in _as_list(resources)]
            template["Resource"] = moved if isinstance(resources, list) else moved[0]
        out.append(template)
    return out


def _as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def requests() -> list[RequestContext]:
    alice = PrincipalIdentity(frozenset({f"arn:aws:iam::{ACCOUNT}:user/alice"}), ACCOUNT)
    auditor = PrincipalIdentity(
        frozenset(
            {f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/s1", f"arn:aws:iam::{ACCOUNT}:role/Auditor"}
        ),
        ACCOUNT,
    )
    anonymous = PrincipalIdentity(anonymous=True)
    common = {
        "aws:securetransport": ("true",),
        "aws:sourceip": ("203.0.113.7",),
        "aws:currenttime": ("2025-06-01T12:00:00Z",),
        "aws:epochtime": ("1748779200",),
    }
    with_user = {**common, "aws:username": ("alice",), "aws:principaltag/team": ("red",)}
    tagged = {"s3:existingobjecttag/team": ("red",)}
    other_vpce = {"aws:sourcevpce": ("vpce-other",)}
    return [
        RequestContext("s3:GetObject", f"{BUCKET}/home/alice/notes.txt", alice, with_user),
        RequestContext("s3:PutObject", f"{BUCKET}/home/alice/new.bin", alice, with_user),
        RequestContext("s3:ListBucket", BUCKET, alice, {**with_user, "s3:prefix": ("home/alice/x",)}),
        RequestContext("s3:GetObject", f"{BUCKET}/public/logo.png", anonymous, common),
        RequestContext("s3:GetObject", f"{BUCKET}/private/secret", anonymous, common),
        RequestContext("s3:ListBucket", BUCKET, auditor, {**common, "s3:max-keys": ("50",)}),
        RequestContext("s3:GetObject", f"{BUCKET}/teams/red/a", alice, {**with_user, **tagged}),
        RequestContext("s3:PutObject", f"{BUCKET}/private/x", alice, {**with_user, **other_vpce}),
        RequestContext("s3:GetObject", f"{BUCKET}/reports/q1.pdf", anonymous, common),
        RequestContext("s3:DeleteBucket", BUCKET, alice, with_user),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--statements", type=int, default=30)
    args = parser.parse_args()
    document = json.dumps({"Version": "2012-10-17", "Statement": statements(args.statements)})
    started = time.perf_counter()
    policy = parse_policy(document, PolicyKind.RESOURCE)
    parsed = time.perf_counter() - started
    mix = requests()
    tally = {decision: 0 for decision in Decision}
    for request in mix:
        tally[evaluate(policy, request).decision] += 1
    decisions = 0
    deadline = time.perf_counter() + args.seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(100):
            for request in mix:
                evaluate(policy, request)
        decisions += 100 * len(mix)
    elapsed = time.perf_counter() - started
    print(
        f"policy: {args.statements} statements, {len(document)} chars, "
        f"parsed+compiled in {parsed * 1000:.2f} ms"
    )
    print("request mix: " + ", ".join(f"{d.value}={n}" for d, n in tally.items()))
    print(f"{decisions / elapsed:,.0f} decisions/s ({elapsed / decisions * 1e6:.2f} us each, one core)")


if __name__ == "__main__":
    main()
