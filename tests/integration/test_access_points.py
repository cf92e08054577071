"""Access points end to end: managed through the S3 Control API, used by alias and by virtual
host, authorized on both the access point and its bucket.

S3 Control and virtual-host requests go to names under the endpoint's host that do not
resolve here; the clients reach the server as their HTTP proxy instead (see
test_block_public_access.py).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    NO_RETRIES,
    Account,
    Creds,
    allow,
    assume,
    client,
    control,
    fails,
    new_account,
    new_role,
    new_user,
    policy,
    proxy_cli_env,
    read,
    s3,
    trust,
    unique,
)
from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws

REGION = "us-east-1"


pytestmark = pytest.mark.usefixtures("no_proxy_bypass")



def assumer(iam: Any, role: str) -> Creds:
    """A user of the role's account allowed to assume it (root users may not)."""
    return new_user(iam, inline=policy(allow("sts:AssumeRole", role)))[1]


def ap_arn(account: Account, name: str) -> str:
    return f"arn:aws:s3:{REGION}:{account.account_id}:accesspoint/{name}"


def delegate_to_access_points(owner_s3: Any, bucket: str, account: Account) -> None:
    """AWS's recommended bucket policy: access control is left to the account's access points.
    Not public: s3:DataAccessPointAccount pins it."""
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
                       "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                       "Condition": {"StringEquals": {"s3:DataAccessPointAccount": account.account_id}}}],
    }))


def setup(server: RunningServer, label: str) -> tuple[Account, Any, Any, str]:
    account = new_account(server, label)
    owner = s3(server, account.root)
    bucket = unique(label)
    owner.create_bucket(Bucket=bucket)
    for key in ("reports/q1.csv", "reports/q2.csv", "secrets/key.txt"):
        owner.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return account, owner, control(server, account.root), bucket


def test_control_api_manages_access_points(server: RunningServer) -> None:
    account, _, ctl, bucket = setup(server, "ap-crud")
    acct = account.account_id
    made = ctl.create_access_point(AccountId=acct, Name="analytics", Bucket=bucket)
    assert made["AccessPointArn"] == ap_arn(account, "analytics")
    assert made["Alias"].endswith("-s3alias") and made["Alias"].startswith("analytics-")
    got = ctl.get_access_point(AccountId=acct, Name="analytics")
    assert (got["Bucket"], got["NetworkOrigin"], got["Alias"]) == (bucket, "Internet", made["Alias"])
    assert got["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                     "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    assert fails(ctl.create_access_point, AccountId=acct, Name="analytics", Bucket=bucket) == (
        "AccessPointAlreadyOwnedByYou", 409)
    assert fails(ctl.create_access_point, AccountId=acct, Name="Bad_Name", Bucket=bucket)[1] == 400
    assert fails(ctl.create_access_point, AccountId=acct, Name="nobucket", Bucket=unique("none")) == (
        "NoSuchBucket", 404)
    assert fails(ctl.create_access_point, AccountId=acct, Name="private", Bucket=bucket,
                 VpcConfiguration={"VpcId": "not-a-vpc-id"}) == ("InvalidRequest", 400)
    for n in range(3):
        ctl.create_access_point(AccountId=acct, Name=f"team-{n}", Bucket=bucket)
    names = [p["Name"] for p in ctl.list_access_points(AccountId=acct, Bucket=bucket)["AccessPointList"]]
    assert names == ["analytics", "team-0", "team-1", "team-2"]
    first = ctl.list_access_points(AccountId=acct, MaxResults=2)
    second = ctl.list_access_points(AccountId=acct, MaxResults=2, NextToken=first["NextToken"])
    assert [p["Name"] for p in first["AccessPointList"] + second["AccessPointList"]] == names
    assert "NextToken" not in second
    # Policies: validated, Block Public Access applies, status reported.
    document = policy(allow("s3:GetObject", f"{ap_arn(account, 'analytics')}/object/reports/*",
                            principal={"AWS": account.arn()}))
    ctl.put_access_point_policy(AccountId=acct, Name="analytics", Policy=document)
    assert json.loads(ctl.get_access_point_policy(AccountId=acct, Name="analytics")["Policy"]) == json.loads(
        document)
    assert ctl.get_access_point_policy_status(AccountId=acct, Name="analytics")["PolicyStatus"] == {
        "IsPublic": False}
    public = policy(allow("s3:GetObject", f"{ap_arn(account, 'analytics')}/object/*", principal="*"))
    assert fails(ctl.put_access_point_policy, AccountId=acct, Name="analytics",
                 Policy=public) == ACCESS_DENIED
    wrong_resource = policy(allow("s3:GetObject", f"arn:aws:s3:::{bucket}/*",
                                  principal={"AWS": account.arn()}))
    assert fails(ctl.put_access_point_policy, AccountId=acct, Name="analytics",
                 Policy=wrong_resource) == ("MalformedPolicy", 400)
    ctl.delete_access_point_policy(AccountId=acct, Name="analytics")
    assert fails(ctl.get_access_point_policy, AccountId=acct, Name="analytics") == (
        "NoSuchAccessPointPolicy", 404)
    ctl.delete_access_point(AccountId=acct, Name="analytics")
    assert fails(ctl.get_access_point, AccountId=acct, Name="analytics") == ("NoSuchAccessPoint", 404)
    # The alias is gone with it.
    assert fails(s3(server, account.root).get_object, Bucket=made["Alias"], Key="reports/q1.csv") == (
        "NoSuchBucket", 404)


def test_an_analytics_role_reads_only_through_its_access_point(server: RunningServer) -> None:
    account, owner, ctl, bucket = setup(server, "ap-role")
    acct = account.account_id
    iam = client(server, "iam", account.root)
    role = new_role(iam, trust({"AWS": account.arn()}))
    made = ctl.create_access_point(AccountId=acct, Name="analytics", Bucket=bucket)
    ctl.create_access_point(AccountId=acct, Name="other", Bucket=bucket)
    ctl.put_access_point_policy(AccountId=acct, Name="analytics", Policy=policy(
        allow("s3:GetObject", f"{ap_arn(account, 'analytics')}/object/reports/*", principal={"AWS": role}),
        allow("s3:ListBucket", ap_arn(account, "analytics"), principal={"AWS": role})))
    delegate_to_access_points(owner, bucket, account)
    _, creds = assume(server, assumer(iam, role), role, "analyst")
    analyst = s3(server, creds)
    alias = made["Alias"]
    assert read(analyst, alias, "reports/q1.csv") == b"reports/q1.csv"
    listed = analyst.list_objects_v2(Bucket=alias, Prefix="reports/")
    assert [o["Key"] for o in listed["Contents"]] == ["reports/q1.csv", "reports/q2.csv"]
    # Only what the access point policy grants, only through that access point.
    assert fails(analyst.get_object, Bucket=alias, Key="secrets/key.txt") == ACCESS_DENIED
    assert fails(analyst.put_object, Bucket=alias, Key="reports/x", Body=b"x") == ACCESS_DENIED
    assert fails(analyst.get_object, Bucket=bucket, Key="reports/q1.csv") == ACCESS_DENIED
    other_alias = ctl.get_access_point(AccountId=acct, Name="other")["Alias"]
    assert fails(analyst.get_object, Bucket=other_alias, Key="reports/q1.csv") == ACCESS_DENIED
    # The same access point by virtual host: <name>-<account>.localhost.
    by_host = boto3.client("s3", endpoint_url=f"http://localhost:{server.port}", region_name=REGION,
                           aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
                           aws_session_token=creds.token, config=NO_RETRIES.merge(Config(
                               proxies={"http": server.endpoint}, s3={"addressing_style": "virtual"})))
    assert read(by_host, f"analytics-{acct}", "reports/q2.csv") == b"reports/q2.csv"
    assert fails(by_host.get_object, Bucket=f"analytics-{acct}", Key="secrets/key.txt") == ACCESS_DENIED
    # Bucket-level operations that access points do not carry are refused.
    assert fails(owner.get_bucket_policy, Bucket=alias) == ("InvalidRequest", 400)


def test_both_the_access_point_and_the_bucket_must_allow(server: RunningServer) -> None:
    account, owner, ctl, bucket = setup(server, "ap-both")
    acct = account.account_id
    iam = client(server, "iam", account.root)
    made = ctl.create_access_point(AccountId=acct, Name="reader", Bucket=bucket)
    alias = made["Alias"]
    # The identity policy allows the access point only: the bucket, without a delegating
    # policy, does not allow -> denied.
    role = new_role(iam, trust({"AWS": account.arn()}), inline=policy(
        allow("s3:GetObject", f"{ap_arn(account, 'reader')}/object/*")))
    _, creds = assume(server, assumer(iam, role), role, "reader")
    reader = s3(server, creds)
    assert fails(reader.get_object, Bucket=alias, Key="reports/q1.csv") == ACCESS_DENIED
    delegate_to_access_points(owner, bucket, account)
    assert read(reader, alias, "reports/q1.csv") == b"reports/q1.csv"
    # An explicit deny in the bucket policy still wins through the access point.
    owner.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
             "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
             "Condition": {"StringEquals": {"s3:DataAccessPointAccount": acct}}},
            {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/reports/q2.csv"}],
    }))
    assert read(reader, alias, "reports/q1.csv") == b"reports/q1.csv"
    assert fails(reader.get_object, Bucket=alias, Key="reports/q2.csv") == ACCESS_DENIED
    # The account's root user goes through any of its access points.
    assert read(owner, alias, "secrets/key.txt") == b"secrets/key.txt"
    # Another account's root cannot use them.
    other = new_account(server, "ap-both-other")
    assert fails(s3(server, other.root).get_object, Bucket=alias, Key="reports/q1.csv") == ACCESS_DENIED
    assert fails(control(server, other.root).get_access_point, AccountId=acct, Name="reader") == ACCESS_DENIED


def test_aws_cli_creates_and_uses_an_access_point(server: RunningServer) -> None:
    account, _, _, bucket = setup(server, "ap-cli")
    env = proxy_cli_env(server, account)
    made = json.loads(aws(server, env, "s3control", "create-access-point", "--account-id", account.account_id,
                          "--name", "cli-point", "--bucket", bucket).stdout)
    out = aws(server, env, "s3", "cp", f"s3://{made['Alias']}/reports/q1.csv", "-").stdout
    assert out == b"reports/q1.csv"
    listed = json.loads(aws(server, env, "s3control", "list-access-points", "--account-id",
                            account.account_id).stdout)
    assert [p["Name"] for p in listed["AccessPointList"]] == ["cli-point"]
