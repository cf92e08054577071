"""Block Public Access end to end: bucket settings (S3 API), account settings (S3 Control API),
BlockPublicPolicy at PutBucketPolicy and RestrictPublicBuckets at request time.

botocore sends S3 Control requests to ``<account-id>.<endpoint host>``, a name that does not
resolve for 127.0.0.1; the clients here reach the server as their HTTP proxy instead (the
server accepts absolute-form request targets, as RFC 9112 requires of servers).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    allow,
    bucket_arn,
    client,
    control,
    fails,
    new_account,
    new_user,
    policy,
    proxy_cli_env,
    read,
    s3,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws

ALL_ON = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
          "RestrictPublicBuckets": True}
ALL_OFF = dict.fromkeys(ALL_ON, False)


pytestmark = pytest.mark.usefixtures("no_proxy_bypass")



def public_read(bucket: str, prefix: str = "public/") -> str:
    return policy(allow("s3:GetObject", bucket_arn(bucket, f"{prefix}*"), principal="*"))


def new_bucket(server: RunningServer, account: Account) -> tuple[Any, str]:
    owner = s3(server, account.root)
    bucket = unique("bpa")
    owner.create_bucket(Bucket=bucket)
    owner.put_object(Bucket=bucket, Key="public/k", Body=b"public bytes")
    return owner, bucket


def test_new_buckets_block_everything_and_refuse_a_public_policy(server: RunningServer) -> None:
    account = new_account(server, "bpa-new")
    owner, bucket = new_bucket(server, account)
    assert owner.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_ON
    assert fails(owner.put_bucket_policy, Bucket=bucket, Policy=public_read(bucket)) == ACCESS_DENIED
    assert fails(owner.get_bucket_policy, Bucket=bucket) == ("NoSuchBucketPolicy", 404)
    # A policy naming a specific account is not public: allowed.
    owner.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": account.arn()})))
    assert unsigned("GET", f"{server.endpoint}/{bucket}/public/k")[0] == 403


def test_lifting_the_block_allows_public_access_and_restrict_takes_it_back(server: RunningServer) -> None:
    account, other = new_account(server, "bpa-owner"), new_account(server, "bpa-other")
    owner, bucket = new_bucket(server, account)
    owner.delete_public_access_block(Bucket=bucket)
    assert fails(owner.get_public_access_block, Bucket=bucket) == (
        "NoSuchPublicAccessBlockConfiguration", 404)
    owner.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    assert owner.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    url = f"{server.endpoint}/{bucket}/public/k"
    assert unsigned("GET", url) == (200, b"public bytes")
    outsider = s3(server, other.root)
    assert read(outsider, bucket, "public/k") == b"public bytes"
    _, own_user = new_user(client(server, "iam", account.root), inline=policy(allow("s3:GetObject", "*")))

    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        **ALL_OFF, "RestrictPublicBuckets": True})
    assert unsigned("GET", url)[0] == 403
    assert fails(outsider.get_object, Bucket=bucket, Key="public/k") == ACCESS_DENIED
    assert read(s3(server, own_user), bucket, "public/k") == b"public bytes"
    assert read(owner, bucket, "public/k") == b"public bytes"

    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=ALL_OFF)
    assert unsigned("GET", url) == (200, b"public bytes")
    # Turning BlockPublicPolicy on leaves the stored policy in force, but refuses new public ones.
    owner.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        **ALL_OFF, "BlockPublicPolicy": True})
    assert unsigned("GET", url) == (200, b"public bytes")
    assert fails(owner.put_bucket_policy, Bucket=bucket,
                 Policy=public_read(bucket, "other/")) == ACCESS_DENIED
    assert json.loads(owner.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(public_read(bucket))


def test_account_settings_apply_to_every_bucket_of_the_account(server: RunningServer) -> None:
    account, other = new_account(server, "bpa-acct"), new_account(server, "bpa-acct-other")
    owner, bucket = new_bucket(server, account)
    owner.delete_public_access_block(Bucket=bucket)
    ctl = control(server, account.root)
    assert fails(ctl.get_public_access_block, AccountId=account.account_id) == (
        "NoSuchPublicAccessBlockConfiguration", 404)
    ctl.put_public_access_block(AccountId=account.account_id, PublicAccessBlockConfiguration={
        **ALL_OFF, "BlockPublicPolicy": True})
    assert ctl.get_public_access_block(AccountId=account.account_id)["PublicAccessBlockConfiguration"] == {
        **ALL_OFF, "BlockPublicPolicy": True}
    # The bucket has no settings of its own, the account's apply.
    assert fails(owner.put_bucket_policy, Bucket=bucket, Policy=public_read(bucket)) == ACCESS_DENIED
    # Another account's buckets are not affected.
    their_s3, their_bucket = new_bucket(server, other)
    their_s3.delete_public_access_block(Bucket=their_bucket)
    their_s3.put_bucket_policy(Bucket=their_bucket, Policy=public_read(their_bucket))

    ctl.put_public_access_block(AccountId=account.account_id, PublicAccessBlockConfiguration={
        **ALL_OFF, "RestrictPublicBuckets": True})
    owner.put_bucket_policy(Bucket=bucket, Policy=public_read(bucket))
    assert unsigned("GET", f"{server.endpoint}/{bucket}/public/k")[0] == 403
    ctl.delete_public_access_block(AccountId=account.account_id)
    assert unsigned("GET", f"{server.endpoint}/{bucket}/public/k") == (200, b"public bytes")


def test_settings_need_their_permissions_and_belong_to_the_callers_account(server: RunningServer) -> None:
    account, other = new_account(server, "bpa-perm"), new_account(server, "bpa-perm-other")
    owner, bucket = new_bucket(server, account)
    iam = client(server, "iam", account.root)
    _, reader = new_user(iam, inline=policy(allow(["s3:GetBucketPublicAccessBlock",
                                                  "s3:GetAccountPublicAccessBlock"], "*")))
    _, admin = new_user(iam, inline=policy(allow(["s3:PutBucketPublicAccessBlock",
                                                 "s3:PutAccountPublicAccessBlock"], "*")))
    as_reader = s3(server, reader)
    assert as_reader.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_ON
    assert fails(as_reader.delete_public_access_block, Bucket=bucket) == ACCESS_DENIED
    assert fails(as_reader.put_public_access_block, Bucket=bucket,
                 PublicAccessBlockConfiguration=ALL_OFF) == ACCESS_DENIED
    assert fails(control(server, reader).put_public_access_block, AccountId=account.account_id,
                 PublicAccessBlockConfiguration=ALL_ON) == ACCESS_DENIED
    assert fails(control(server, reader).delete_public_access_block,
                 AccountId=account.account_id) == ACCESS_DENIED
    s3(server, admin).delete_public_access_block(Bucket=bucket)
    control(server, admin).put_public_access_block(AccountId=account.account_id,
                                                  PublicAccessBlockConfiguration=ALL_ON)
    assert control(server, reader).get_public_access_block(
        AccountId=account.account_id)["PublicAccessBlockConfiguration"] == ALL_ON
    # Nobody reads or writes another account's settings, not even its peer's root user.
    assert fails(control(server, other.root).get_public_access_block,
                 AccountId=account.account_id) == ACCESS_DENIED
    assert fails(control(server, other.root).delete_public_access_block,
                 AccountId=account.account_id) == ACCESS_DENIED
    assert control(server, account.root).get_public_access_block(
        AccountId=account.account_id)["PublicAccessBlockConfiguration"] == ALL_ON
    # Another account cannot touch the bucket's settings either.
    assert fails(s3(server, other.root).delete_public_access_block, Bucket=bucket) == ACCESS_DENIED
    assert fails(owner.put_bucket_policy, Bucket=bucket, Policy=public_read(bucket)) == ACCESS_DENIED


@pytest.mark.parametrize("body", [
    b"<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>",
    b"<Nope/>",
    b"<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>",
])
def test_malformed_settings_are_refused_and_nothing_changes(server: RunningServer, body: bytes) -> None:
    account = new_account(server, "bpa-bad")
    owner, bucket = new_bucket(server, account)

    def replace_body(request: Any, **_: Any) -> None:
        request.data = body
        for name in [n for n in request.headers if n.lower().startswith(("content-md5", "x-amz-checksum-",
                                                                         "x-amz-sdk-checksum"))]:
            del request.headers[name]
        request.headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        request.headers["Content-Length"] = str(len(body))
    owner.meta.events.register("before-sign.s3.PutPublicAccessBlock", replace_body)
    assert fails(owner.put_public_access_block, Bucket=bucket,
                 PublicAccessBlockConfiguration=ALL_OFF) == ("MalformedXML", 400)
    assert owner.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_ON


def test_aws_cli_account_and_bucket_settings(server: RunningServer) -> None:
    account = new_account(server, "bpa-cli")
    env = proxy_cli_env(server, account)
    aws(server, env, "s3control", "put-public-access-block", "--account-id", account.account_id,
        "--public-access-block-configuration",
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=false")
    got = json.loads(aws(server, env, "s3control", "get-public-access-block", "--account-id",
                         account.account_id).stdout)
    assert got["PublicAccessBlockConfiguration"] == {**ALL_ON, "RestrictPublicBuckets": False}
    bucket = unique("bpa-cli")
    aws(server, env, "s3api", "create-bucket", "--bucket", bucket)
    aws(server, env, "s3api", "delete-public-access-block", "--bucket", bucket)
    denied = aws(server, env, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy",
                 public_read(bucket), check=False)
    assert denied.returncode != 0 and b"AccessDenied" in denied.stderr
    aws(server, env, "s3control", "delete-public-access-block", "--account-id", account.account_id)
    aws(server, env, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", public_read(bucket))
