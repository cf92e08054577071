"""Requester Pays buckets end to end: the configuration, who must acknowledge the charge, the
``x-amz-request-charged`` answer, and the usage table of ``ironbucket usage``."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    Creds,
    allow,
    assume,
    bucket_arn,
    client,
    fails,
    new_account,
    new_role,
    new_user,
    policy,
    s3,
    trust,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer, clean_env, running_server
from tests.integration.test_aws_cli import aws

BODY = b"requester pays for these bytes" * 100
RP = {"RequestPayer": "requester"}


def usage(data_dir: Path, *args: str) -> list[dict[str, Any]]:
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "usage", "--data-dir", str(data_dir),
                           "--json", *args], env=clean_env(), capture_output=True, text=True,
                          timeout=60, check=True)
    rows: list[dict[str, Any]] = json.loads(proc.stdout)
    return rows


def totals(rows: list[dict[str, Any]], account: str, payer: str) -> dict[str, int]:
    mine = [r for r in rows if r["AccountId"] == account and r["Payer"] == payer]
    return {k: sum(r[k] for r in mine) for k in ("Requests", "BytesIn", "BytesOut")}


def wait_usage(data_dir: Path, bucket: str, account: str, payer: str, requests: int,
               timeout: float = 15) -> dict[str, int]:
    """Poll ``ironbucket usage`` until the counters were flushed (every couple of seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        got = totals(usage(data_dir, "--bucket", bucket), account, payer)
        if got["Requests"] >= requests or time.monotonic() > deadline:
            return got
        time.sleep(0.5)


def shared_bucket(server: RunningServer, owner: Account, reader: Account) -> tuple[Any, str]:
    """A Requester Pays bucket of ``owner`` whose policy lets ``reader``'s account read, list and write."""
    owner_s3 = s3(server, owner.root)
    bucket = unique("rp")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_object(Bucket=bucket, Key="data.bin", Body=BODY)
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow(["s3:GetObject", "s3:PutObject"], bucket_arn(bucket, "*"),
              principal={"AWS": reader.account_id}),
        allow("s3:ListBucket", bucket_arn(bucket), principal={"AWS": reader.account_id})))
    owner_s3.put_bucket_request_payment(Bucket=bucket,
                                        RequestPaymentConfiguration={"Payer": "Requester"})
    return owner_s3, bucket


def reader_user(server: RunningServer, account: Account) -> tuple[str, Creds]:
    return new_user(client(server, "iam", account.root), inline=policy(allow("s3:*", "*")))


def test_configuration_round_trip_and_validation(server: RunningServer) -> None:
    owner = new_account(server, "rp-conf")
    owner_s3 = s3(server, owner.root)
    bucket = unique("rpconf")
    owner_s3.create_bucket(Bucket=bucket)
    assert owner_s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    owner_s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert owner_s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    for bad in ("requester", "Nobody", ""):
        assert fails(owner_s3.put_bucket_request_payment, Bucket=bucket,
                     RequestPaymentConfiguration={"Payer": bad}) == ("MalformedXML", 400)
    assert owner_s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    owner_s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert owner_s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    # Authorization applies: another account may neither read nor change it.
    stranger = s3(server, new_account(server, "rp-conf-x").root, headers={"x-amz-request-payer": "requester"})
    assert fails(stranger.get_bucket_request_payment, Bucket=bucket) == ACCESS_DENIED
    assert fails(stranger.put_bucket_request_payment, Bucket=bucket,
                 RequestPaymentConfiguration={"Payer": "Requester"}) == ACCESS_DENIED


def test_other_accounts_must_acknowledge_and_are_charged(server: RunningServer) -> None:
    owner, other = new_account(server, "rp-owner"), new_account(server, "rp-reader")
    owner_s3, bucket = shared_bucket(server, owner, other)
    _, creds = reader_user(server, other)
    reader = s3(server, creds)

    # Without the acknowledgement: 403 on every kind of request, although the policy allows.
    assert fails(reader.get_object, Bucket=bucket, Key="data.bin") == ACCESS_DENIED
    assert fails(reader.head_object, Bucket=bucket, Key="data.bin") == ("403", 403)
    assert fails(reader.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    assert fails(reader.put_object, Bucket=bucket, Key="up.bin", Body=b"x") == ACCESS_DENIED

    # With it: served, and the answer says the requester was charged.
    got = reader.get_object(Bucket=bucket, Key="data.bin", **RP)
    assert got["Body"].read() == BODY
    assert got["RequestCharged"] == "requester"
    assert reader.head_object(Bucket=bucket, Key="data.bin", **RP)["RequestCharged"] == "requester"
    listed = reader.list_objects_v2(Bucket=bucket, **RP)
    assert [o["Key"] for o in listed["Contents"]] == ["data.bin"]
    assert listed["RequestCharged"] == "requester"
    put = reader.put_object(Bucket=bucket, Key="up.bin", Body=b"uploaded", **RP)
    assert put["RequestCharged"] == "requester"
    # A request that fails after the check (no such key) is not marked charged.
    assert fails(reader.get_object, Bucket=bucket, Key="missing", **RP) == ("NoSuchKey", 404)

    # The acknowledgement grants nothing: a user without permission is still denied.
    _, bare = new_user(client(server, "iam", other.root))
    assert fails(s3(server, bare).get_object, Bucket=bucket, Key="data.bin", **RP) == ACCESS_DENIED
    assert fails(reader.delete_object, Bucket=bucket, Key="data.bin", **RP) == ACCESS_DENIED

    # The owner's account pays for its own principals: no acknowledgement needed, none charged.
    own = owner_s3.get_object(Bucket=bucket, Key="up.bin")
    assert own["Body"].read() == b"uploaded"
    assert "RequestCharged" not in own
    _, owner_user = reader_user(server, owner)
    assert s3(server, owner_user).get_object(Bucket=bucket, Key="data.bin")["Body"].read() == BODY

    # Usage: the reader's account pays, as requester, for every request that acknowledged the
    # charge (get, head, list, put, the 404, and the two denied by policy); the owner pays for
    # the four refused for want of the acknowledgement.
    charged = wait_usage(server.data_dir, bucket, other.account_id, "Requester", 7)
    assert charged["Requests"] == 7
    assert charged["BytesOut"] >= len(BODY)
    assert charged["BytesIn"] >= len(b"uploaded")
    owners = wait_usage(server.data_dir, bucket, owner.account_id, "BucketOwner", 4)
    assert owners["Requests"] >= 4
    only_reader = usage(server.data_dir, "--account", other.account_id)
    assert {r["AccountId"] for r in only_reader} == {other.account_id}

    # Disabled again: back to normal, nothing charged.
    owner_s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    normal = reader.get_object(Bucket=bucket, Key="data.bin")
    assert normal["Body"].read() == BODY
    assert "RequestCharged" not in normal


def test_roles_pay_as_their_own_account(server: RunningServer) -> None:
    owner, other = new_account(server, "rp-role-owner"), new_account(server, "rp-role-other")
    _, bucket = shared_bucket(server, owner, other)
    # A role of the other account: that account is the requester.
    their_iam = client(server, "iam", other.root)
    their_role = new_role(their_iam, trust({"AWS": other.account_id}), inline=policy(allow("s3:*", "*")))
    _, their_admin = new_user(their_iam, inline=policy(allow("*", "*")))
    _, temp = assume(server, their_admin, their_role)
    assert fails(s3(server, temp).get_object, Bucket=bucket, Key="data.bin") == ACCESS_DENIED
    assert s3(server, temp).get_object(Bucket=bucket, Key="data.bin", **RP)["RequestCharged"] == "requester"
    # A role of the owner's account is the owner.
    own_iam = client(server, "iam", owner.root)
    own_role = new_role(own_iam, trust({"AWS": owner.account_id}), inline=policy(allow("s3:*", "*")))
    _, own_admin = new_user(own_iam, inline=policy(allow("*", "*")))
    _, own_temp = assume(server, own_admin, own_role)
    got = s3(server, own_temp).get_object(Bucket=bucket, Key="data.bin")
    assert got["Body"].read() == BODY and "RequestCharged" not in got


def test_anonymous_requests_are_refused_even_when_public(server: RunningServer) -> None:
    owner = new_account(server, "rp-anon")
    owner_s3 = s3(server, owner.root)
    bucket = unique("rpanon")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    owner_s3.delete_public_access_block(Bucket=bucket)  # new buckets refuse public policies
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal="*")))
    url = f"{server.endpoint}/{bucket}/k"
    assert unsigned("GET", url) == (200, b"public")
    owner_s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    for attempt in (url, url + "?x-amz-request-payer=requester"):
        status, body = unsigned("GET", attempt, headers={"x-amz-request-payer": "requester"})
        assert status == 403 and b"<Code>AccessDenied</Code>" in body
    owner_s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"})
    assert unsigned("GET", url) == (200, b"public")


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, str | None]:
    """GET a (presigned) URL: (status, body, x-amz-request-charged)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as got:
            return int(got.status), bytes(got.read()), got.headers["x-amz-request-charged"]
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read()), exc.headers["x-amz-request-charged"]


def test_presigned_urls_carry_the_acknowledgement(server: RunningServer) -> None:
    owner, other = new_account(server, "rp-url-owner"), new_account(server, "rp-url-other")
    _, bucket = shared_bucket(server, owner, other)
    _, creds = reader_user(server, other)
    params = {"Bucket": bucket, "Key": "data.bin"}
    # SigV2 (boto3's "s3"): the acknowledgement travels as an x-amz-request-payer query parameter.
    v2 = client(server, "s3", creds, signature_version="s3")
    assert fetch(v2.generate_presigned_url("get_object", Params=params))[0] == 403
    url = v2.generate_presigned_url("get_object", Params={**params, **RP})
    assert "x-amz-request-payer=requester" in url
    assert fetch(url) == (200, BODY, "requester")
    # SigV4 as boto3 presigns it: a signed header the holder of the URL must send along.
    v4 = client(server, "s3", creds, signature_version="s3v4")
    url = v4.generate_presigned_url("get_object", Params={**params, **RP})
    assert fetch(url, {"x-amz-request-payer": "requester"}) == (200, BODY, "requester")
    # SigV4 with the parameter signed into the query string.
    request = AWSRequest(method="GET",
                         url=f"{server.endpoint}/{bucket}/data.bin?x-amz-request-payer=requester")
    S3SigV4QueryAuth(Credentials(creds.access_key, creds.secret_key), "s3", "us-east-1",
                     expires=300).add_auth(request)
    assert fetch(request.url) == (200, BODY, "requester")
    assert fetch(request.url.replace("x-amz-request-payer=requester&", ""))[0] == 403


def test_copy_from_a_requester_pays_bucket(server: RunningServer) -> None:
    owner, other = new_account(server, "rp-copy-owner"), new_account(server, "rp-copy-other")
    _, bucket = shared_bucket(server, owner, other)
    _, creds = reader_user(server, other)
    reader = s3(server, creds)
    mine = unique("rpmine")
    reader.create_bucket(Bucket=mine)
    source = {"Bucket": bucket, "Key": "data.bin"}
    assert fails(reader.copy_object, Bucket=mine, Key="copy", CopySource=source) == ACCESS_DENIED
    copied = reader.copy_object(Bucket=mine, Key="copy", CopySource=source, **RP)
    assert copied["RequestCharged"] == "requester"
    assert reader.get_object(Bucket=mine, Key="copy")["Body"].read() == BODY


def test_aws_cli_request_payer(server: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    owner, other = new_account(server, "rp-cli-owner"), new_account(server, "rp-cli-other")
    _, bucket = shared_bucket(server, owner, other)
    _, creds = reader_user(server, other)
    env = {**cli_env, "AWS_ACCESS_KEY_ID": creds.access_key, "AWS_SECRET_ACCESS_KEY": creds.secret_key}
    out = tmp_path / "out.bin"
    refused = aws(server, env, "s3api", "get-object", "--bucket", bucket, "--key", "data.bin", str(out),
                  check=False)
    assert refused.returncode != 0 and b"AccessDenied" in refused.stderr
    got = json.loads(aws(server, env, "s3api", "get-object", "--bucket", bucket, "--key", "data.bin",
                         "--request-payer", "requester", str(out)).stdout)
    assert got["RequestCharged"] == "requester"
    assert out.read_bytes() == BODY


def test_two_workers_agree_and_flush_on_shutdown(tmp_path: Path) -> None:
    """The setting is seen by the next request on any worker; every worker's counters reach
    the store, the last ones when the server stops gracefully."""
    with running_server(tmp_path / "data", workers=2) as server:
        owner, other = new_account(server, "rp-w-owner"), new_account(server, "rp-w-other")
        owner_s3, bucket = shared_bucket(server, owner, other)
        _, creds = reader_user(server, other)
        readers = [s3(server, creds) for _ in range(4)]  # separate connections, spread over workers
        for reader in readers:
            assert fails(reader.get_object, Bucket=bucket, Key="data.bin") == ACCESS_DENIED
        for reader in readers:
            for _ in range(3):
                assert reader.get_object(Bucket=bucket, Key="data.bin", **RP)["Body"].read() == BODY
        owner_s3.put_bucket_request_payment(Bucket=bucket,
                                            RequestPaymentConfiguration={"Payer": "BucketOwner"})
        for reader in readers:
            assert "RequestCharged" not in reader.get_object(Bucket=bucket, Key="data.bin")
    # Stopped right after the requests: what is counted was flushed at shutdown.
    got = totals(usage(server.data_dir, "--bucket", bucket), other.account_id, "Requester")
    assert got["Requests"] == 12
    assert got["BytesOut"] >= 12 * len(BODY)
