"""STS against the real server: GetCallerIdentity, AssumeRole (trust policies, ExternalId,
durations, session tags), GetSessionToken, and temporary credentials expiring."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

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
    read,
    role_name,
    s3,
    trust,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer, running_server


@pytest.fixture(scope="module")
def account(server: RunningServer) -> Account:
    return new_account(server, "sts")


@pytest.fixture(scope="module")
def iam(server: RunningServer, account: Account) -> Any:
    return client(server, "iam", account.root)


def test_get_caller_identity(server: RunningServer, iam: Any, account: Account) -> None:
    root = client(server, "sts", account.root).get_caller_identity()
    assert (root["Account"], root["UserId"], root["Arn"]) == (
        account.account_id, account.account_id, f"arn:aws:iam::{account.account_id}:root")
    role = new_role(iam, trust({"AWS": account.arn()}))
    name = unique("who")
    user_arn, user = new_user(iam, name, inline=policy(allow("sts:AssumeRole", role)))
    me = client(server, "sts", user).get_caller_identity()
    assert me["Arn"] == user_arn == f"arn:aws:iam::{account.account_id}:user/{name}"
    assert me["Account"] == account.account_id
    assert me["UserId"] == iam.get_user(UserName=name)["User"]["UserId"]
    session_arn, creds = assume(server, user, role, "my-session")
    role_id = iam.get_role(RoleName=role_name(role))["Role"]["RoleId"]
    them = client(server, "sts", creds).get_caller_identity()
    assert them["Arn"] == session_arn == (
        f"arn:aws:sts::{account.account_id}:assumed-role/{role_name(role)}/my-session")
    assert (them["UserId"], them["Account"]) == (f"{role_id}:my-session", account.account_id)
    # GetSessionToken credentials are the user's own identity.
    token = client(server, "sts", user).get_session_token()["Credentials"]
    as_token = Creds(token["AccessKeyId"], token["SecretAccessKey"], token["SessionToken"])
    assert client(server, "sts", as_token).get_caller_identity()["Arn"] == user_arn
    assert fails(client(server, "sts", creds).get_session_token) == ACCESS_DENIED  # needs long-term keys
    # Even a user with an explicit deny of everything may ask who it is.
    _, denied = new_user(iam, inline=policy({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    assert client(server, "sts", denied).get_caller_identity()["Account"] == account.account_id


def test_trust_policy_and_identity_policy(server: RunningServer, iam: Any, account: Account) -> None:
    role = new_role(iam, trust({"AWS": account.arn()}))
    _, allowed = new_user(iam, inline=policy(allow("sts:AssumeRole", role)))
    _, not_allowed = new_user(iam, inline=policy(allow("s3:*", "*")))
    named_arn, named = new_user(iam)  # named directly by a trust policy: needs no policy of its own
    direct = new_role(iam, trust({"AWS": named_arn}))
    assume(server, allowed, role)
    assert fails(client(server, "sts", not_allowed).assume_role, RoleArn=role,
                 RoleSessionName="sess") == ACCESS_DENIED
    assume(server, named, direct)
    # The trust policy must allow, even in the same account: an identity policy allowing
    # sts:AssumeRole on every role does not open a role that trusts someone else.
    _, everything = new_user(iam, inline=policy(allow("sts:AssumeRole", "*")))
    service_role = new_role(iam, trust({"Service": "ec2.amazonaws.com"}))
    for target in (direct, service_role):
        assert fails(client(server, "sts", everything).assume_role, RoleArn=target,
                     RoleSessionName="sess") == ACCESS_DENIED, target
    assume(server, everything, role)
    # A role that does not exist looks like one you may not assume.
    missing = f"arn:aws:iam::{account.account_id}:role/{unique('missing')}"
    assert fails(client(server, "sts", allowed).assume_role, RoleArn=missing,
                 RoleSessionName="sess") == ACCESS_DENIED
    # The root user cannot assume roles at all, even one that trusts its account.
    assert fails(client(server, "sts", account.root).assume_role, RoleArn=role,
                 RoleSessionName="sess") == ACCESS_DENIED


def test_external_id(server: RunningServer, iam: Any, account: Account) -> None:
    role = new_role(iam, trust({"AWS": account.arn()},
                               condition={"StringEquals": {"sts:ExternalId": "partner-7731"}}))
    _, user = new_user(iam, inline=policy(allow("sts:AssumeRole", role)))
    sts = client(server, "sts", user)
    assert fails(sts.assume_role, RoleArn=role, RoleSessionName="sess") == ACCESS_DENIED
    assert fails(sts.assume_role, RoleArn=role, RoleSessionName="sess",
                 ExternalId="partner-0000") == ACCESS_DENIED
    arn, _ = assume(server, user, role, "partner", ExternalId="partner-7731")
    assert arn.endswith(f"/{role_name(role)}/partner")


def test_duration_limits(server: RunningServer, iam: Any, account: Account) -> None:
    role = new_role(iam, trust({"AWS": account.arn()}), MaxSessionDuration=7200,
                    inline=policy(allow("sts:AssumeRole", "*")))
    _, user = new_user(iam, inline=policy(allow("sts:AssumeRole", role)))
    sts = client(server, "sts", user)
    got = sts.assume_role(RoleArn=role, RoleSessionName="sess", DurationSeconds=7200)["Credentials"]
    lifetime = got["Expiration"].timestamp() - time.time()
    assert 7100 < lifetime <= 7200
    default = sts.assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]
    assert 3500 < default["Expiration"].timestamp() - time.time() <= 3600
    assert fails(sts.assume_role, RoleArn=role, RoleSessionName="sess",
                 DurationSeconds=7201) == ("ValidationError", 400)
    loose = client(server, "sts", user, parameter_validation=False)
    assert fails(loose.assume_role, RoleArn=role, RoleSessionName="sess",
                 DurationSeconds=899) == ("ValidationError", 400)
    # Role chaining (a role session assuming another role) is limited to one hour, whatever the
    # second role's MaxSessionDuration.
    next_role = new_role(iam, trust({"AWS": account.arn()}), MaxSessionDuration=7200)
    _, first = assume(server, user, role, "first")
    chain = client(server, "sts", first)
    second = chain.assume_role(RoleArn=next_role, RoleSessionName="second", DurationSeconds=3600)
    assert second["Credentials"]["Expiration"].timestamp() - time.time() <= 3600
    assert fails(chain.assume_role, RoleArn=next_role, RoleSessionName="third",
                 DurationSeconds=7200) == ("ValidationError", 400)


def test_session_tags_reach_principal_tag_conditions(server: RunningServer, iam: Any,
                                                     account: Account) -> None:
    root_s3 = s3(server, account.root)
    bucket = unique("tags")
    root_s3.create_bucket(Bucket=bucket)
    root_s3.put_object(Bucket=bucket, Key="blue.txt", Body=b"blue")
    role = new_role(iam, trust({"AWS": account.arn()}, ["sts:AssumeRole", "sts:TagSession"]),
                    Tags=[{"Key": "team", "Value": "red"}])
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": role},
              condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})))
    _, tagger = new_user(iam, inline=policy(allow(["sts:AssumeRole", "sts:TagSession"], role)))
    _, no_tagging = new_user(iam, inline=policy(allow("sts:AssumeRole", role)))
    _, blue = assume(server, tagger, role, "blue", Tags=[{"Key": "team", "Value": "blue"}])
    assert read(s3(server, blue), bucket, "blue.txt") == b"blue"  # the session tag overrides the role's
    _, red = assume(server, tagger, role, "red")
    assert fails(s3(server, red).get_object, Bucket=bucket, Key="blue.txt") == ACCESS_DENIED
    _, green = assume(server, tagger, role, "green", Tags=[{"Key": "team", "Value": "green"}])
    assert fails(s3(server, green).get_object, Bucket=bucket, Key="blue.txt") == ACCESS_DENIED
    # Passing session tags needs sts:TagSession on the caller's side too.
    assert fails(client(server, "sts", no_tagging).assume_role, RoleArn=role, RoleSessionName="sess",
                 Tags=[{"Key": "team", "Value": "blue"}]) == ACCESS_DENIED
    assume(server, no_tagging, role, "untagged")


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server that issues sessions as short as one second."""
    with running_server(tmp_path_factory.mktemp("short-sessions") / "data",
                        extra_args=["--min-session-duration", "1"]) as running:
        yield running


def test_expired_session_tokens(short: RunningServer) -> None:
    root = Creds(short.access_key, short.secret_key)
    iam, root_s3 = client(short, "iam", root), s3(short, root)
    bucket = unique("expiry")
    root_s3.create_bucket(Bucket=bucket)
    root_s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    account_id = client(short, "sts", root).get_caller_identity()["Account"]
    role = new_role(iam, trust({"AWS": f"arn:aws:iam::{account_id}:root"}),
                    inline=policy(allow("s3:GetObject", "*")))
    _, user = new_user(iam, inline=policy(allow(["sts:AssumeRole", "s3:GetObject"], "*")))
    sts = client(short, "sts", user, parameter_validation=False)  # botocore insists on >= 900
    got = sts.assume_role(RoleArn=role, RoleSessionName="brief", DurationSeconds=2)["Credentials"]
    assumed = Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"])
    token = sts.get_session_token(DurationSeconds=2)["Credentials"]
    session = Creds(token["AccessKeyId"], token["SecretAccessKey"], token["SessionToken"])
    assert read(s3(short, assumed), bucket, "k") == b"v"
    assert read(s3(short, session), bucket, "k") == b"v"
    presigned = s3(short, assumed).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=3600)
    assert unsigned("GET", presigned) == (200, b"v")
    time.sleep(3)
    status, body = unsigned("GET", presigned)  # the URL is valid for an hour, its token is not
    assert status == 400 and b"<Code>ExpiredToken</Code>" in body
    for creds in (assumed, session):
        assert fails(s3(short, creds).get_object, Bucket=bucket, Key="k") == ("ExpiredToken", 400)
        assert fails(s3(short, creds).list_buckets) == ("ExpiredToken", 400)
    assert read(s3(short, user), bucket, "k") == b"v"  # the long-term key is unaffected
