"""Policy variables and condition keys end to end: ${aws:username}, s3:ExistingObjectTag,
s3:RequestObjectTag, aws:SourceIp, s3:x-amz-acl, aws:PrincipalArn."""

from __future__ import annotations

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
    s3,
    trust,
    unique,
)
from tests.integration.server import RunningServer


@pytest.fixture
def bucket(root_s3: Any) -> str:
    name = unique("cond")
    root_s3.create_bucket(Bucket=name)
    return name


def test_home_directory_policy_with_username_variable(server: RunningServer, iam: Any, account: Account,
                                                      bucket: str) -> None:
    home = policy(
        allow(["s3:GetObject", "s3:PutObject"], bucket_arn(bucket, "home/${aws:username}/*")),
        allow("s3:ListBucket", bucket_arn(bucket),
              condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}))
    alice_name, bob_name = unique("alice"), unique("bob")
    _, alice_creds = new_user(iam, alice_name, inline=home)
    _, bob_creds = new_user(iam, bob_name, inline=home)
    alice, bob = s3(server, alice_creds), s3(server, bob_creds)
    alice.put_object(Bucket=bucket, Key=f"home/{alice_name}/notes.txt", Body=b"mine")
    bob.put_object(Bucket=bucket, Key=f"home/{bob_name}/notes.txt", Body=b"bob's")
    assert read(alice, bucket, f"home/{alice_name}/notes.txt") == b"mine"
    assert fails(alice.get_object, Bucket=bucket, Key=f"home/{bob_name}/notes.txt") == ACCESS_DENIED
    assert fails(alice.put_object, Bucket=bucket, Key=f"home/{bob_name}/x", Body=b"x") == ACCESS_DENIED
    assert fails(alice.put_object, Bucket=bucket, Key="home/x", Body=b"x") == ACCESS_DENIED
    listed = alice.list_objects_v2(Bucket=bucket, Prefix=f"home/{alice_name}/")
    assert [o["Key"] for o in listed["Contents"]] == [f"home/{alice_name}/notes.txt"]
    assert fails(alice.list_objects_v2, Bucket=bucket, Prefix=f"home/{bob_name}/") == ACCESS_DENIED
    assert read(bob, bucket, f"home/{bob_name}/notes.txt") == b"bob's"
    # A role session has no aws:username: the variable makes the statement not match.
    role = new_role(iam, trust({"AWS": account.arn()}), inline=home)
    _, session = assume(server, new_user(iam, inline=policy(allow("sts:AssumeRole", role)))[1], role,
                        alice_name[:60])
    assert fails(s3(server, session).get_object, Bucket=bucket,
                 Key=f"home/{alice_name}/notes.txt") == ACCESS_DENIED


def test_existing_object_tag_denies_reads(server: RunningServer, iam: Any, root_s3: Any, bucket: str) -> None:
    root_s3.put_object(Bucket=bucket, Key="secret", Body=b"s", Tagging="secret=true")
    root_s3.put_object(Bucket=bucket, Key="plain", Body=b"p", Tagging="secret=false")
    root_s3.put_object(Bucket=bucket, Key="untagged", Body=b"u")
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:GetObject", bucket_arn(bucket, "*"), principal="*",
             condition={"StringEquals": {"s3:ExistingObjectTag/secret": "true"}})))
    _, creds = new_user(iam, inline=policy(allow(["s3:GetObject", "s3:PutObjectTagging"], "*")))
    user = s3(server, creds)
    assert fails(user.get_object, Bucket=bucket, Key="secret") == ACCESS_DENIED
    assert fails(root_s3.get_object, Bucket=bucket, Key="secret") == ACCESS_DENIED  # a Deny binds root too
    assert fails(user.head_object, Bucket=bucket, Key="secret") == ("403", 403)
    assert fails(root_s3.copy_object, Bucket=bucket, Key="copy",
                 CopySource={"Bucket": bucket, "Key": "secret"}) == ACCESS_DENIED
    assert read(user, bucket, "plain") == b"p" and read(user, bucket, "untagged") == b"u"
    # The tag decides at request time: untag it and it can be read; tag another and it cannot.
    root_s3.put_object_tagging(Bucket=bucket, Key="secret", Tagging={"TagSet": []})
    assert read(user, bucket, "secret") == b"s"
    user.put_object_tagging(Bucket=bucket, Key="plain",
                            Tagging={"TagSet": [{"Key": "secret", "Value": "true"}]})
    assert fails(user.get_object, Bucket=bucket, Key="plain") == ACCESS_DENIED


def test_request_object_tag_on_put(server: RunningServer, iam: Any, root_s3: Any, bucket: str) -> None:
    _, creds = new_user(iam, inline=policy(
        allow(["s3:PutObject", "s3:PutObjectTagging"], bucket_arn(bucket, "*"),
              condition={"StringEquals": {"s3:RequestObjectTag/team": "blue"}})))
    user = s3(server, creds)
    user.put_object(Bucket=bucket, Key="blue", Body=b"b", Tagging="team=blue")
    tags = root_s3.get_object_tagging(Bucket=bucket, Key="blue")["TagSet"]
    assert tags == [{"Key": "team", "Value": "blue"}]
    assert fails(user.put_object, Bucket=bucket, Key="red", Body=b"r", Tagging="team=red") == ACCESS_DENIED
    assert fails(user.put_object, Bucket=bucket, Key="none", Body=b"n") == ACCESS_DENIED
    assert fails(root_s3.head_object, Bucket=bucket, Key="red") == ("404", 404)


def test_source_ip_conditions(server: RunningServer, iam: Any, root_s3: Any, bucket: str) -> None:
    root_s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    _, local = new_user(iam, inline=policy(allow("s3:GetObject", "*",
                                                 condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    _, remote = new_user(iam, inline=policy(allow("s3:GetObject", "*",
                                                  condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    assert read(s3(server, local), bucket, "k") == b"v"
    assert fails(s3(server, remote).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    # X-Forwarded-For from a client that is not a trusted proxy changes nothing.
    spoofed = s3(server, remote, headers={"X-Forwarded-For": "10.1.2.3"})
    assert fails(spoofed.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    # The same in a bucket policy: deny everyone outside 10.0.0.0/8 (root included).
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:GetObject", bucket_arn(bucket, "*"), principal="*",
             condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    assert fails(s3(server, local).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    assert fails(root_s3.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED


def test_acl_header_and_principal_arn_conditions(server: RunningServer, iam: Any, account: Account,
                                                 root_s3: Any, bucket: str) -> None:
    _, creds = new_user(iam, inline=policy(allow(["s3:PutObject", "s3:PutObjectAcl"], bucket_arn(bucket, "*"),
                                                 condition={"StringEquals": {"s3:x-amz-acl": "private"}})))
    user = s3(server, creds)
    user.put_object(Bucket=bucket, Key="with-acl", Body=b"x", ACL="private")
    assert fails(user.put_object, Bucket=bucket, Key="no-acl", Body=b"x") == ACCESS_DENIED
    # aws:PrincipalArn of a role session is the role's ARN.
    role = new_role(iam, trust({"AWS": account.arn()}))
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal="*",
              condition={"ArnEquals": {"aws:PrincipalArn": role}})))
    _, session = assume(server, new_user(iam, inline=policy(allow("sts:AssumeRole", role)))[1], role)
    assert read(s3(server, session), bucket, "with-acl") == b"x"
    assert fails(user.get_object, Bucket=bucket, Key="with-acl") == ACCESS_DENIED
