"""Authorization scenarios with roles, sessions, bucket policies, boundaries and session policies,
all in one account (its root owns the bucket and every IAM entity)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    allow,
    assume,
    bucket_arn,
    deny,
    fails,
    new_role,
    new_user,
    policy,
    read,
    role_name,
    s3,
    trust,
    unique,
)
from tests.integration.server import RunningServer

KEYS = ("dev/a.txt", "dev/sub/b.txt", "prod/secret.txt", "shared/doc.txt", "one.txt", "two.txt",
        "locked/x.txt")


@pytest.fixture
def bucket(root_s3: Any) -> str:
    name = unique("roles")
    root_s3.create_bucket(Bucket=name)
    for key in KEYS:
        root_s3.put_object(Bucket=name, Key=key, Body=key.encode())
    return name


def assumer(iam: Any, *role_arns: str) -> Any:
    """A user whose only permission is sts:AssumeRole on the given roles; its creds."""
    return new_user(iam, inline=policy(allow("sts:AssumeRole", list(role_arns))))[1]


def test_read_only_developer_role_on_one_prefix(server: RunningServer, iam: Any, account: Account,
                                                bucket: str) -> None:
    role = new_role(iam, trust({"AWS": account.arn()}), inline=policy(
        allow("s3:GetObject", bucket_arn(bucket, "dev/*")),
        allow("s3:ListBucket", bucket_arn(bucket), condition={"StringLike": {"s3:prefix": "dev/*"}})))
    user = assumer(iam, role)
    arn, creds = assume(server, user, role, "developer")
    assert arn == f"arn:aws:sts::{account.account_id}:assumed-role/{role_name(role)}/developer"
    dev = s3(server, creds)
    assert read(dev, bucket, "dev/a.txt") == b"dev/a.txt"
    assert read(dev, bucket, "dev/sub/b.txt") == b"dev/sub/b.txt"
    listed = dev.list_objects_v2(Bucket=bucket, Prefix="dev/")
    assert [o["Key"] for o in listed["Contents"]] == ["dev/a.txt", "dev/sub/b.txt"]
    assert fails(dev.get_object, Bucket=bucket, Key="prod/secret.txt") == ACCESS_DENIED
    assert fails(dev.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    assert fails(dev.list_objects_v2, Bucket=bucket, Prefix="prod/") == ACCESS_DENIED
    assert fails(dev.put_object, Bucket=bucket, Key="dev/new.txt", Body=b"x") == ACCESS_DENIED
    assert fails(dev.delete_object, Bucket=bucket, Key="dev/a.txt") == ACCESS_DENIED
    # The user itself has no S3 permission; only the session does.
    assert fails(s3(server, user).get_object, Bucket=bucket, Key="dev/a.txt") == ACCESS_DENIED


def test_bucket_policy_naming_a_role(server: RunningServer, iam: Any, account: Account, root_s3: Any,
                                     bucket: str) -> None:
    named = new_role(iam, trust({"AWS": account.arn()}))  # no identity policy at all
    other = new_role(iam, trust({"AWS": account.arn()}))
    user = assumer(iam, named, other)
    grant = allow("s3:GetObject", bucket_arn(bucket, "shared/*"), principal={"AWS": named})
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(grant))
    session_arn, named_creds = assume(server, user, named, "reader")
    reader = s3(server, named_creds)
    assert read(reader, bucket, "shared/doc.txt") == b"shared/doc.txt"
    assert fails(reader.get_object, Bucket=bucket, Key="prod/secret.txt") == ACCESS_DENIED
    assert fails(reader.put_object, Bucket=bucket, Key="shared/new", Body=b"x") == ACCESS_DENIED
    _, other_creds = assume(server, user, other, "reader")
    assert fails(s3(server, other_creds).get_object, Bucket=bucket, Key="shared/doc.txt") == ACCESS_DENIED
    assert fails(s3(server, user).get_object, Bucket=bucket, Key="shared/doc.txt") == ACCESS_DENIED

    # A permissions boundary caps what a bucket policy grants to the role's ARN...
    boundary = iam.create_policy(PolicyName=unique("list-only"),
                                 PolicyDocument=policy(allow("s3:ListBucket", "*")))["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName=role_name(named), PermissionsBoundary=boundary)
    assert fails(reader.get_object, Bucket=bucket, Key="shared/doc.txt") == ACCESS_DENIED
    # ...but not what it grants to the session's own ARN.
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "shared/*"), principal={"AWS": session_arn})))
    assert read(reader, bucket, "shared/doc.txt") == b"shared/doc.txt"
    _, same_name_other_role = assume(server, user, other, "reader")
    assert fails(s3(server, same_name_other_role).get_object, Bucket=bucket,
                 Key="shared/doc.txt") == ACCESS_DENIED


def test_session_policies_narrow_an_assumed_role(server: RunningServer, iam: Any, account: Account,
                                                 bucket: str) -> None:
    role = new_role(iam, trust({"AWS": account.arn()}),
                    inline=policy(allow(["s3:GetObject", "s3:ListBucket"], "*")))
    user = assumer(iam, role)
    _, full = assume(server, user, role, "full")
    for key in ("one.txt", "two.txt", "dev/a.txt"):
        assert read(s3(server, full), bucket, key) == key.encode()

    only_one = policy(allow(["s3:GetObject", "s3:PutObject"], bucket_arn(bucket, "one.txt")))
    _, narrowed = assume(server, user, role, "inline", Policy=only_one)
    inline = s3(server, narrowed)
    assert read(inline, bucket, "one.txt") == b"one.txt"
    assert fails(inline.get_object, Bucket=bucket, Key="two.txt") == ACCESS_DENIED
    assert fails(inline.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    # A session policy never grants more than the role has.
    assert fails(inline.put_object, Bucket=bucket, Key="one.txt", Body=b"x") == ACCESS_DENIED

    managed = iam.create_policy(PolicyName=unique("two-only"), PolicyDocument=policy(
        allow("s3:GetObject", bucket_arn(bucket, "two.txt"))))["Policy"]["Arn"]
    _, by_arn = assume(server, user, role, "managed", PolicyArns=[{"arn": managed}])
    arns = s3(server, by_arn)
    assert read(arns, bucket, "two.txt") == b"two.txt"
    assert fails(arns.get_object, Bucket=bucket, Key="one.txt") == ACCESS_DENIED
    # Both together: the session may do what either allows (and the role allows).
    _, both = assume(server, user, role, "both", Policy=only_one, PolicyArns=[{"arn": managed}])
    either = s3(server, both)
    assert read(either, bucket, "one.txt") == b"one.txt" and read(either, bucket, "two.txt") == b"two.txt"
    assert fails(either.get_object, Bucket=bucket, Key="dev/a.txt") == ACCESS_DENIED


def test_session_policies_and_bucket_policies(server: RunningServer, iam: Any, account: Account,
                                              root_s3: Any, bucket: str) -> None:
    """A bucket policy naming the role is capped by the session policy; one naming the session
    itself is not."""
    role = new_role(iam, trust({"AWS": account.arn()}))
    user = assumer(iam, role)
    session_arn, creds = assume(server, user, role, "narrow",
                                Policy=policy(allow("s3:GetObject", bucket_arn(bucket, "one.txt"))))
    narrow = s3(server, creds)
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": role})))
    assert read(narrow, bucket, "one.txt") == b"one.txt"
    assert fails(narrow.get_object, Bucket=bucket, Key="two.txt") == ACCESS_DENIED
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": session_arn})))
    assert read(narrow, bucket, "two.txt") == b"two.txt"
    # An explicit deny in a session policy still wins over any grant.
    deny_two = policy(allow("s3:*", "*"), deny("s3:GetObject", bucket_arn(bucket, "two.txt")))
    _, denying = assume(server, user, role, "narrow", Policy=deny_two)
    assert fails(s3(server, denying).get_object, Bucket=bucket, Key="two.txt") == ACCESS_DENIED
    assert read(s3(server, denying), bucket, "one.txt") == b"one.txt"


def test_explicit_deny_beats_allow(server: RunningServer, iam: Any, root_s3: Any, bucket: str) -> None:
    everything = [bucket_arn(bucket), bucket_arn(bucket, "*")]
    user_arn, creds = new_user(iam, inline=policy(allow("s3:*", everything)))
    user = s3(server, creds)
    assert read(user, bucket, "locked/x.txt") == b"locked/x.txt"
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:GetObject", bucket_arn(bucket, "locked/*"), principal={"AWS": user_arn})))
    assert fails(user.get_object, Bucket=bucket, Key="locked/x.txt") == ACCESS_DENIED
    assert read(user, bucket, "one.txt") == b"one.txt"
    assert read(root_s3, bucket, "locked/x.txt") == b"locked/x.txt"  # the deny names the user only

    # And the other way round: the bucket policy allows, the identity policy denies.
    name = unique("denied")
    other_arn, other_creds = new_user(iam, name, inline=policy(deny("s3:GetObject", "*")))
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow(["s3:GetObject", "s3:ListBucket"], [bucket_arn(bucket), bucket_arn(bucket, "*")],
              principal={"AWS": other_arn})))
    other = s3(server, other_creds)
    assert fails(other.get_object, Bucket=bucket, Key="one.txt") == ACCESS_DENIED
    assert [o["Key"] for o in other.list_objects_v2(Bucket=bucket, Prefix="one")["Contents"]] == ["one.txt"]
    iam.delete_user_policy(UserName=name, PolicyName="inline")
    assert read(other, bucket, "one.txt") == b"one.txt"


def test_bucket_policy_naming_the_own_account_delegates(server: RunningServer, iam: Any, account: Account,
                                                        root_s3: Any, bucket: str) -> None:
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": account.arn()})))
    _, bare = new_user(iam)
    _, reader = new_user(iam, inline=policy(allow("s3:GetObject", "*")))
    assert fails(s3(server, bare).get_object, Bucket=bucket, Key="one.txt") == ACCESS_DENIED
    assert read(s3(server, reader), bucket, "one.txt") == b"one.txt"


def test_delete_objects_authorizes_every_key(server: RunningServer, iam: Any, root_s3: Any,
                                             bucket: str) -> None:
    user_arn, creds = new_user(iam, inline=policy(allow("s3:DeleteObject", bucket_arn(bucket, "*"))))
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:DeleteObject", bucket_arn(bucket, "locked/*"), principal={"AWS": user_arn})))
    result = s3(server, creds).delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "one.txt"}, {"Key": "locked/x.txt"}, {"Key": "two.txt"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["one.txt", "two.txt"]
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("locked/x.txt", "AccessDenied")]
    assert read(root_s3, bucket, "locked/x.txt") == b"locked/x.txt"
    assert fails(root_s3.head_object, Bucket=bucket, Key="one.txt") == ("404", 404)


def test_permissions_boundary_caps_a_user(server: RunningServer, iam: Any, root_s3: Any, bucket: str) -> None:
    boundary = iam.create_policy(PolicyName=unique("read-only"), PolicyDocument=policy(
        allow(["s3:GetObject", "s3:PutObject"], bucket_arn(bucket, "dev/*")),
        allow("s3:GetObject", "*")))["Policy"]["Arn"]
    name = unique("bounded")
    _, creds = new_user(iam, name, boundary=boundary,
                        inline=policy(allow(["s3:GetObject", "s3:ListBucket"], "*")))
    user = s3(server, creds)
    assert read(user, bucket, "prod/secret.txt") == b"prod/secret.txt"
    # The identity policy allows listing, the boundary does not.
    assert fails(user.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    # The boundary allows dev/ writes, the identity policy does not: a boundary grants nothing.
    assert fails(user.put_object, Bucket=bucket, Key="dev/new", Body=b"x") == ACCESS_DENIED
    iam.delete_user_permissions_boundary(UserName=name)
    assert user.list_objects_v2(Bucket=bucket, Prefix="dev/")["KeyCount"] == 2
    # A boundary with an explicit deny also denies what a bucket policy grants the user by ARN.
    deny_boundary = iam.create_policy(PolicyName=unique("no-prod"), PolicyDocument=policy(
        allow("s3:*", "*"), deny("s3:GetObject", bucket_arn(bucket, "prod/*"))))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=deny_boundary)
    arn = iam.get_user(UserName=name)["User"]["Arn"]
    root_s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": arn})]}))
    assert fails(user.get_object, Bucket=bucket, Key="prod/secret.txt") == ACCESS_DENIED
    assert read(user, bucket, "dev/a.txt") == b"dev/a.txt"
    # An implicit deny by the boundary does not cap what a bucket policy grants the user's ARN.
    list_only = iam.create_policy(PolicyName=unique("list-only"),
                                  PolicyDocument=policy(allow("s3:ListBucket", "*")))["Policy"]["Arn"]
    iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=list_only)
    assert read(user, bucket, "prod/secret.txt") == b"prod/secret.txt"
    assert fails(user.put_object, Bucket=bucket, Key="dev/x", Body=b"x") == ACCESS_DENIED
