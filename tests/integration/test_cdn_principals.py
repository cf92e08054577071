"""CDN origins: a CloudFront-style service principal bound to its distribution (origin access
control), and a legacy origin access identity, each let in by the documented bucket policy
while direct access by anyone else stays denied."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    Creds,
    bucket_arn,
    fails,
    new_account,
    read,
    s3,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer, clean_env


def admin(server: RunningServer, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "admin", "--data-dir", str(server.data_dir),
                           *args], env=clean_env(), capture_output=True, text=True, timeout=60, check=False)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def service_keys(server: RunningServer, source_arn: str, *extra: str) -> Creds:
    out = json.loads(admin(server, "service-principal", "create", "cloudfront.amazonaws.com",
                           "--source-arn", source_arn, *extra, "--json").stdout)
    return Creds(out["AccessKeyId"], out["SecretAccessKey"])


def distribution(account: Account, name: str) -> str:
    return f"arn:aws:cloudfront::{account.account_id}:distribution/{name}"


def origin_bucket(server: RunningServer, account: Account) -> tuple[Any, str]:
    owner = s3(server, account.root)
    bucket = unique("origin")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="index.html", Body=b"<h1>hello</h1>")
    return owner, bucket


def test_origin_access_control_lets_only_its_distribution_in(server: RunningServer) -> None:
    account, other = new_account(server, "oac"), new_account(server, "oac-other")
    owner, bucket = origin_bucket(server, account)
    mine = distribution(account, "EDFDVBD6EXAMPLE")
    cdn = s3(server, service_keys(server, mine))
    # No policy yet: the service principal has no rights of its own.
    assert fails(cdn.get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    # The bucket policy CloudFront's documentation gives for OAC. It is not public (the
    # SourceArn condition pins it), so the default Block Public Access settings accept it.
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AllowCloudFrontServicePrincipalReadOnly",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": bucket_arn(bucket, "*"),
            "Condition": {"StringEquals": {"AWS:SourceArn": mine}},
        }],
    }))
    assert owner.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    assert read(cdn, bucket, "index.html") == b"<h1>hello</h1>"
    # Only what the policy grants, only for that distribution.
    assert fails(cdn.put_object, Bucket=bucket, Key="x", Body=b"x") == ACCESS_DENIED
    assert fails(cdn.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    someone_elses = s3(server, service_keys(server, distribution(account, "EOTHERDIST")))
    assert fails(someone_elses.get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    foreign = s3(server, service_keys(server, distribution(other, "EDFDVBD6EXAMPLE")))
    assert fails(foreign.get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    # Direct access by anyone else is denied.
    assert unsigned("GET", f"{server.endpoint}/{bucket}/index.html")[0] == 403
    assert fails(s3(server, other.root).get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    assert read(owner, bucket, "index.html") == b"<h1>hello</h1>"


def test_source_account_condition(server: RunningServer) -> None:
    account, other = new_account(server, "oac-acct"), new_account(server, "oac-acct-other")
    owner, bucket = origin_bucket(server, account)
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
                       "Action": "s3:GetObject", "Resource": bucket_arn(bucket, "*"),
                       "Condition": {"StringEquals": {"aws:SourceAccount": account.account_id}}}],
    }))
    assert read(s3(server, service_keys(server, distribution(account, "EANY"))), bucket, "index.html")
    assert fails(s3(server, service_keys(server, distribution(other, "EANY"))).get_object,
                 Bucket=bucket, Key="index.html") == ACCESS_DENIED


def test_legacy_origin_access_identity(server: RunningServer) -> None:
    account, other = new_account(server, "oai"), new_account(server, "oai-other")
    owner, bucket = origin_bucket(server, account)
    made = json.loads(admin(server, "origin-access-identity", "create", "--account", account.account_id,
                            "--json").stdout)
    assert made["Arn"] == f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {made['Id']}"
    oai = s3(server, Creds(made["AccessKeyId"], made["SecretAccessKey"]))
    assert fails(oai.get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": made["Arn"]}, "Action": "s3:GetObject",
                       "Resource": bucket_arn(bucket, "*")}],
    }))
    assert read(oai, bucket, "index.html") == b"<h1>hello</h1>"
    assert fails(oai.delete_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    # The same identity by its canonical user id.
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"CanonicalUser": made["S3CanonicalUserId"]},
                       "Action": "s3:GetObject", "Resource": bucket_arn(bucket, "*")}],
    }))
    assert read(oai, bucket, "index.html") == b"<h1>hello</h1>"
    assert fails(s3(server, other.root).get_object, Bucket=bucket, Key="index.html") == ACCESS_DENIED
    assert unsigned("GET", f"{server.endpoint}/{bucket}/index.html")[0] == 403
    # An identity that was never issued is not a principal.
    assert fails(owner.put_bucket_policy, Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": bucket_arn(bucket, "*"),
                       "Principal": {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access "
                                            "Identity E0000000000000"}}],
    })) == ("MalformedPolicy", 400)


def test_service_principal_command_validates_its_input(server: RunningServer) -> None:
    account = new_account(server, "oac-bad")
    for args in (["not a service", "--source-arn", distribution(account, "E1")],
                 ["cloudfront.amazonaws.com", "--source-arn", "nonsense"],
                 ["cloudfront.amazonaws.com", "--source-arn",
                  "arn:aws:cloudfront::999999999999:distribution/E1"],
                 ["cloudfront.amazonaws.com", "--source-arn", distribution(account, "E1"),
                  "--source-account", "123456789012"]):
        proc = admin(server, "service-principal", "create", *args, check=False)
        assert proc.returncode == 2 and proc.stderr.startswith("ironbucket: "), (args, proc.stderr)
    assert admin(server, "origin-access-identity", "create", "--account", "999999999999",
                 check=False).returncode == 2
