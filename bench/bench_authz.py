"""What enforcing policies costs a 4 KiB GET: the same wrk run signed by the root user (whose
only policy to evaluate is the bucket policy) and by an IAM user whose access goes through a
realistic bucket policy (12 statements with conditions) plus identity policies (an inline one, a
group's managed one and a permissions boundary), in one run against one IronBucket.

    python bench/bench_authz.py [--duration 10] [--workers 2]

Target (issue 3): the policy-governed GET is at most 15% slower than the root one.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers
import wrk

BUCKET = "authz-bench"
OBJECTS = 256


def bucket_policy(account: str) -> dict[str, Any]:
    base = f"arn:aws:s3:::{BUCKET}"
    statements: list[dict[str, Any]] = [
        {"Sid": "DenyInsecureDelete", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket",
         "Resource": base},
        {"Sid": "ReadersByTag", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": f"{base}/*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "analytics"}}},
        {"Sid": "DenyOldSignatures", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": f"{base}/*", "Condition": {"NumericGreaterThan": {"s3:signatureAge": "600000"}}},
        {"Sid": "DenyOtherNetworks", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": f"{base}/*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "10.0.0.0/8"]}}},
        {"Sid": "ListHomes", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
         "Action": "s3:ListBucket", "Resource": base,
         "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*", "data/*"]}}},
        {"Sid": "DenyUnencryptedPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{base}/*", "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}},
    ]
    for i in range(6):
        statements.append({"Sid": f"Partner{i}", "Effect": "Allow",
                           "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                           "Action": ["s3:GetObject"], "Resource": f"{base}/partners/{i}/*",
                           "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
                                         "Bool": {"aws:SecureTransport": "false"}}})
    return {"Version": "2012-10-17", "Statement": statements}


IDENTITY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"]},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/secret/*"},
]}
GROUP = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:List*", "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other-*/*"},
]}
BOUNDARY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"},
]}


def client(service: str, server: servers.Server, key: str, secret: str) -> Any:
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def setup(server: servers.Server) -> tuple[list[str], list[str]]:
    root_s3 = client("s3", server, server.access_key, server.secret_key)
    iam = client("iam", server, server.access_key, server.secret_key)
    account = client("sts", server, server.access_key, server.secret_key).get_caller_identity()["Account"]
    root_s3.create_bucket(Bucket=BUCKET)
    body = os.urandom(4096)
    for i in range(OBJECTS):
        root_s3.put_object(Bucket=BUCKET, Key=f"data/{i}", Body=body)
    root_s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(bucket_policy(account)))
    iam.create_user(UserName="analyst", Tags=[{"Key": "team", "Value": "analytics"}])
    iam.put_user_policy(UserName="analyst", PolicyName="read", PolicyDocument=json.dumps(IDENTITY))
    group_policy = iam.create_policy(PolicyName="list-all", PolicyDocument=json.dumps(GROUP))["Policy"]["Arn"]
    boundary = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(BOUNDARY))["Policy"]["Arn"]
    iam.create_group(GroupName="analysts")
    iam.attach_group_policy(GroupName="analysts", PolicyArn=group_policy)
    iam.add_user_to_group(GroupName="analysts", UserName="analyst")
    iam.put_user_permissions_boundary(UserName="analyst", PermissionsBoundary=boundary)
    key = iam.create_access_key(UserName="analyst")["AccessKey"]
    user_s3 = client("s3", server, key["AccessKeyId"], key["SecretAccessKey"])
    urls = []
    for s3 in (root_s3, user_s3):
        urls.append([s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": f"data/{i}"},
                                               ExpiresIn=6 * 3600) for i in range(OBJECTS)])
    user_s3.get_object(Bucket=BUCKET, Key="data/0")  # the user really is allowed, via policies
    return urls[0], urls[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5, help="alternate root/user runs this many times")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="authz-bench-") as tmp:
        server = servers.start("ironbucket", Path(tmp), workers=args.workers)
        try:
            root_urls, user_urls = setup(server)
            wrk.run(root_urls, duration=2)  # warm up both paths
            wrk.run(user_urls, duration=2)
            results: dict[str, list[float]] = {"root": [], "policies": []}
            for _ in range(args.rounds):
                for label, urls in (("root", root_urls), ("policies", user_urls)):
                    result = wrk.run(urls, duration=args.duration)
                    if result.status_errors:
                        raise RuntimeError(f"{label}: {result.status_errors} failed requests")
                    results[label].append(result.rps)
                    print(f"  {label:9s} {result.describe()}")
        finally:
            server.stop()
    # Rounds alternate root and policy runs, so each pair shares the machine's state at that
    # moment; the median of the paired slowdowns shrugs off a round disturbed by other load.
    pairs = zip(results["root"], results["policies"], strict=True)
    paired = sorted(1 - governed / root for root, governed in pairs)
    slower = statistics.median(paired) * 100
    print("\n| 4 KiB GET, signed (median of rounds) | req/s |\n|---|---|")
    print(f"| root user (the bucket policy is still evaluated) | {statistics.median(results['root']):,.0f} |")
    print(f"| IAM user: bucket policy (12 statements) + inline + group + boundary "
          f"| {statistics.median(results['policies']):,.0f} |")
    print(f"\npaired slowdowns: {', '.join(f'{p * 100:.1f}%' for p in paired)}")
    print(f"policy enforcement costs {slower:.1f}% (median of paired rounds; target: at most 15%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
