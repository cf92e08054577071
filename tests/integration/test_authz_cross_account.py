"""Cross-account access: the bucket policy of the owner and the caller's own identity policies
must both allow (the caller's root needs no identity policy)."""

from __future__ import annotations

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
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
    s3,
    trust,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer


def test_cross_account_needs_both_sides(server: RunningServer) -> None:
    owner, caller = new_account(server, "xa-owner"), new_account(server, "xa-caller")
    owner_s3 = s3(server, owner.root)
    bucket = unique("xa")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_object(Bucket=bucket, Key="data.txt", Body=b"shared")
    their_iam = client(server, "iam", caller.root)
    reader_arn, reader_creds = new_user(
        their_iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    _, bare_creds = new_user(their_iam)  # no identity policy
    reader, bare, their_root = s3(server, reader_creds), s3(server, bare_creds), s3(server, caller.root)

    # Only the identity side allows: denied (and the other account's root is a stranger too).
    for who in (reader, bare, their_root):
        assert fails(who.get_object, Bucket=bucket, Key="data.txt") == ACCESS_DENIED

    # The bucket policy names the account: its root, and users its own policies allow.
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": caller.account_id})))
    assert read(reader, bucket, "data.txt") == b"shared"
    assert read(their_root, bucket, "data.txt") == b"shared"
    assert fails(bare.get_object, Bucket=bucket, Key="data.txt") == ACCESS_DENIED
    assert fails(reader.put_object, Bucket=bucket, Key="new", Body=b"x") == ACCESS_DENIED
    assert fails(their_root.put_object, Bucket=bucket, Key="new", Body=b"x") == ACCESS_DENIED
    # A missing key: no s3:ListBucket across accounts, so 403, not 404.
    assert fails(reader.get_object, Bucket=bucket, Key="missing") == ACCESS_DENIED

    # Naming the user: that user (with its identity policy) only, never a user without one.
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": reader_arn})))
    assert read(reader, bucket, "data.txt") == b"shared"
    assert fails(their_root.get_object, Bucket=bucket, Key="data.txt") == ACCESS_DENIED
    their_iam.delete_user_policy(UserName=reader_arn.rsplit("/", 1)[-1], PolicyName="inline")
    assert fails(reader.get_object, Bucket=bucket, Key="data.txt") == ACCESS_DENIED


def test_public_bucket_still_needs_the_callers_own_permission(server: RunningServer) -> None:
    """Principal "*" lets anonymous callers in, but an authenticated caller from another account
    still needs its own identity policy (its root does not)."""
    owner, caller = new_account(server, "pub-owner"), new_account(server, "pub-caller")
    owner_s3 = s3(server, owner.root)
    bucket = unique("xpub")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.delete_public_access_block(Bucket=bucket)  # new buckets refuse public policies
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal="*")))
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k") == (200, b"public")
    their_iam = client(server, "iam", caller.root)
    _, bare = new_user(their_iam)
    _, allowed = new_user(their_iam, inline=policy(allow("s3:GetObject", "*")))
    assert fails(s3(server, bare).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    assert read(s3(server, allowed), bucket, "k") == b"public"
    assert read(s3(server, caller.root), bucket, "k") == b"public"


def test_cross_account_role_assumption(server: RunningServer) -> None:
    """A role of the owner's account trusted by another account: the other account's user
    needs sts:AssumeRole in its own policies too; the session then acts inside the owner's account."""
    owner, caller = new_account(server, "xr-owner"), new_account(server, "xr-caller")
    owner_iam, owner_s3 = client(server, "iam", owner.root), s3(server, owner.root)
    bucket = unique("xr")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    role = new_role(owner_iam, trust({"AWS": caller.arn()}),
                    inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    their_iam = client(server, "iam", caller.root)
    _, allowed = new_user(their_iam, inline=policy(allow("sts:AssumeRole", role)))
    _, not_allowed = new_user(their_iam)
    sts = client(server, "sts", not_allowed)
    assert fails(sts.assume_role, RoleArn=role, RoleSessionName="sess") == ACCESS_DENIED
    arn, creds = assume(server, allowed, role, "visitor")
    assert arn.startswith(f"arn:aws:sts::{owner.account_id}:assumed-role/")
    assert read(s3(server, creds), bucket, "k") == b"v"
    # An account the trust policy does not name cannot assume it, whatever its own policies say.
    third = new_account(server, "xr-third")
    _, stranger = new_user(client(server, "iam", third.root), inline=policy(allow("sts:AssumeRole", "*")))
    assert fails(client(server, "sts", stranger).assume_role, RoleArn=role,
                 RoleSessionName="sess") == ACCESS_DENIED
