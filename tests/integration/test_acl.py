"""ACLs on buckets and objects: canned ACLs, explicit grants, the AccessControlPolicy document,
and how grants take part in authorization (only while Object Ownership enables ACLs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    allow,
    bucket_arn,
    client,
    deny,
    fails,
    new_account,
    new_user,
    policy,
    read,
    s3,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws, aws_json
from tests.integration.test_object_ownership import canonical_id, set_ownership

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def acl_bucket(server: RunningServer, creds: Any, mode: str = "ObjectWriter") -> tuple[Any, str]:
    owner_s3 = s3(server, creds)
    bucket = unique("acl")
    owner_s3.create_bucket(Bucket=bucket, ObjectOwnership=mode)
    owner_s3.delete_public_access_block(Bucket=bucket)  # these tests grant public access
    return owner_s3, bucket


def grantees(acl: dict[str, Any]) -> set[tuple[str, str]]:
    return {(g["Grantee"].get("ID") or g["Grantee"].get("URI") or "", g["Permission"]) for g in acl["Grants"]}


def test_public_read_object_is_anonymous_only_while_acls_are_enabled(server: RunningServer) -> None:
    owner = new_account(server, "acl-pub")
    owner_s3, bucket = acl_bucket(server, owner.root)
    owner_s3.put_object(Bucket=bucket, Key="public.txt", Body=b"hello world", ACL="public-read")
    owner_s3.put_object(Bucket=bucket, Key="private.txt", Body=b"secret")
    url = f"{server.endpoint}/{bucket}"
    assert unsigned("GET", f"{url}/public.txt") == (200, b"hello world")
    assert unsigned("GET", f"{url}/private.txt")[0] == 403
    assert unsigned("PUT", f"{url}/public.txt", b"overwrite")[0] == 403  # READ is not WRITE
    assert unsigned("GET", f"{url}/public.txt?acl")[0] == 403  # nor READ_ACP
    assert (ALL_USERS, "READ") in grantees(owner_s3.get_object_acl(Bucket=bucket, Key="public.txt"))

    # ACLs disabled: the same ACL no longer grants anything.
    set_ownership(owner_s3, bucket, "BucketOwnerEnforced")
    assert unsigned("GET", f"{url}/public.txt")[0] == 403
    set_ownership(owner_s3, bucket, "ObjectWriter")
    assert unsigned("GET", f"{url}/public.txt") == (200, b"hello world")

    # An explicit Deny in the bucket policy still wins over the ACL.
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:GetObject", bucket_arn(bucket, "public.txt"), principal="*")))
    assert unsigned("GET", f"{url}/public.txt")[0] == 403


def test_authenticated_read_and_public_bucket_listing(server: RunningServer) -> None:
    owner, other = new_account(server, "acl-auth"), new_account(server, "acl-auth-o")
    owner_s3, bucket = acl_bucket(server, owner.root)
    other_s3 = s3(server, other.root)
    owner_s3.put_object(Bucket=bucket, Key="members.txt", Body=b"m", ACL="authenticated-read")
    assert read(other_s3, bucket, "members.txt") == b"m"
    assert unsigned("GET", f"{server.endpoint}/{bucket}/members.txt")[0] == 403
    # The user context still counts: a user of the other account needs its own Allow.
    their_iam = client(server, "iam", other.root)
    _, bare = new_user(their_iam)
    _, reader = new_user(their_iam, inline=policy(allow("s3:GetObject", "*")))
    assert fails(s3(server, bare).get_object, Bucket=bucket, Key="members.txt") == ACCESS_DENIED
    assert read(s3(server, reader), bucket, "members.txt") == b"m"

    # Bucket READ lets anyone list; still no reading of private objects.
    assert fails(other_s3.list_objects_v2, Bucket=bucket) == ACCESS_DENIED
    owner_s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert [o["Key"] for o in other_s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["members.txt"]
    assert unsigned("GET", f"{server.endpoint}/{bucket}?list-type=2")[0] == 200


def test_grant_by_canonical_id_to_another_account(server: RunningServer) -> None:
    owner, other = new_account(server, "acl-id"), new_account(server, "acl-id-o")
    owner_s3, bucket = acl_bucket(server, owner.root)
    other_s3 = s3(server, other.root)
    their_id = canonical_id(other_s3)
    owner_s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"for you")
    assert fails(other_s3.get_object, Bucket=bucket, Key="doc.txt") == ACCESS_DENIED

    owner_s3.put_object_acl(Bucket=bucket, Key="doc.txt", GrantRead=f'id="{their_id}"')
    assert read(other_s3, bucket, "doc.txt") == b"for you"
    assert fails(other_s3.get_object_acl, Bucket=bucket, Key="doc.txt") == ACCESS_DENIED
    # A grant to an account is like a policy naming the account: its users need their own Allow.
    their_iam = client(server, "iam", other.root)
    _, bare = new_user(their_iam)
    _, reader = new_user(their_iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    assert fails(s3(server, bare).get_object, Bucket=bucket, Key="doc.txt") == ACCESS_DENIED
    assert read(s3(server, reader), bucket, "doc.txt") == b"for you"

    # READ_ACP and WRITE_ACP through the AccessControlPolicy document.
    mine = canonical_id(owner_s3)
    owner_s3.put_object_acl(Bucket=bucket, Key="doc.txt", AccessControlPolicy={
        "Owner": {"ID": mine},
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": mine}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "CanonicalUser", "ID": their_id}, "Permission": "READ_ACP"},
            {"Grantee": {"Type": "CanonicalUser", "ID": their_id}, "Permission": "WRITE_ACP"},
        ]})
    acl = other_s3.get_object_acl(Bucket=bucket, Key="doc.txt")
    assert grantees(acl) == {(mine, "FULL_CONTROL"), (their_id, "READ_ACP"), (their_id, "WRITE_ACP")}
    assert fails(other_s3.get_object, Bucket=bucket, Key="doc.txt") == ACCESS_DENIED  # READ was replaced
    other_s3.put_object_acl(Bucket=bucket, Key="doc.txt", ACL="public-read")
    assert unsigned("GET", f"{server.endpoint}/{bucket}/doc.txt") == (200, b"for you")


def test_bucket_write_grant_lets_another_account_put(server: RunningServer) -> None:
    owner, other = new_account(server, "acl-w"), new_account(server, "acl-w-o")
    owner_s3, bucket = acl_bucket(server, owner.root)
    other_s3 = s3(server, other.root)
    their_id, mine = canonical_id(other_s3), canonical_id(owner_s3)
    assert fails(other_s3.put_object, Bucket=bucket, Key="drop.txt", Body=b"x") == ACCESS_DENIED
    owner_s3.put_bucket_acl(Bucket=bucket, GrantWrite=f'id="{their_id}"', GrantFullControl=f'id="{mine}"')
    assert grantees(owner_s3.get_bucket_acl(Bucket=bucket)) == {(their_id, "WRITE"), (mine, "FULL_CONTROL")}
    other_s3.put_object(Bucket=bucket, Key="drop.txt", Body=b"dropped", ACL="bucket-owner-full-control")
    assert read(owner_s3, bucket, "drop.txt") == b"dropped"
    assert read(other_s3, bucket, "drop.txt") == b"dropped"  # the writer owns it
    assert fails(other_s3.list_objects_v2, Bucket=bucket) == ACCESS_DENIED  # WRITE is not READ
    assert fails(other_s3.get_bucket_acl, Bucket=bucket) == ACCESS_DENIED
    other_s3.delete_object(Bucket=bucket, Key="drop.txt")  # WRITE also deletes
    # Overwriting the owner's object with an ACL: the ACL is the new object's, WRITE suffices.
    owner_s3.put_object(Bucket=bucket, Key="theirs.txt", Body=b"old")
    assert fails(other_s3.put_object_acl, Bucket=bucket, Key="theirs.txt", ACL="public-read") == ACCESS_DENIED
    other_s3.put_object(Bucket=bucket, Key="theirs.txt", Body=b"new", ACL="bucket-owner-read")
    assert other_s3.get_object_acl(Bucket=bucket, Key="theirs.txt")["Owner"]["ID"] == their_id
    assert read(owner_s3, bucket, "theirs.txt") == b"new"


def test_bucket_acl_document_round_trip(server: RunningServer) -> None:
    owner, other = new_account(server, "acl-rt"), new_account(server, "acl-rt-o")
    owner_s3, bucket = acl_bucket(server, owner.root, "BucketOwnerPreferred")
    mine, theirs = canonical_id(owner_s3), canonical_id(s3(server, other.root))
    owner_s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": mine},
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": mine}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "CanonicalUser", "ID": theirs}, "Permission": "READ_ACP"},
            {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"},
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
             "Permission": "WRITE"},
        ]})
    acl = owner_s3.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == mine
    assert grantees(acl) == {(mine, "FULL_CONTROL"), (theirs, "READ_ACP"), (AUTHENTICATED, "READ"),
                             ("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE")}
    names = {g["Grantee"].get("DisplayName") for g in acl["Grants"]
             if g["Grantee"]["Type"] == "CanonicalUser"}
    assert acl["Owner"]["DisplayName"] in names
    assert grantees(s3(server, other.root).get_bucket_acl(Bucket=bucket)) == grantees(acl)
    owner_s3.put_bucket_acl(Bucket=bucket, ACL="log-delivery-write")
    assert ("http://acs.amazonaws.com/groups/s3/LogDelivery", "READ_ACP") in grantees(
        owner_s3.get_bucket_acl(Bucket=bucket))


def test_acl_requests_are_validated(server: RunningServer) -> None:
    owner = new_account(server, "acl-bad")
    owner_s3, bucket = acl_bucket(server, owner.root)
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    mine = canonical_id(owner_s3)
    assert fails(owner_s3.put_object, Bucket=bucket, Key="k2", Body=b"x", ACL="public-read",
                 GrantRead=f'id="{mine}"') == ("InvalidRequest", 400)
    assert fails(owner_s3.put_object, Bucket=bucket, Key="k2", Body=b"x", ACL="world-writable") == (
        "InvalidArgument", 400)
    assert fails(owner_s3.put_object_acl, Bucket=bucket, Key="k",
                 GrantRead='emailAddress="someone@example.com"') == ("UnresolvableGrantByEmailAddress", 400)
    assert fails(owner_s3.put_object_acl, Bucket=bucket, Key="k", GrantRead=f'id="{"0" * 64}"') == (
        "InvalidArgument", 400)
    assert fails(owner_s3.put_object_acl, Bucket=bucket, Key="k", GrantRead='uri="http://example.com/g"') == (
        "InvalidArgument", 400)
    assert fails(owner_s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": mine}, "Grants": [{"Grantee": {"Type": "CanonicalUser"}, "Permission": "READ"}]}) == (
        "MalformedACLError", 400)
    assert fails(owner_s3.put_bucket_acl, Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": mine}, "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": mine},
                                           "Permission": "EVERYTHING"}]}) == ("InvalidArgument", 400)
    assert fails(owner_s3.get_object_acl, Bucket=bucket, Key="missing") == ("NoSuchKey", 404)


def test_put_object_acl_needs_its_permission(server: RunningServer) -> None:
    owner = new_account(server, "acl-perm")
    owner_s3, bucket = acl_bucket(server, owner.root)
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    iam = client(server, "iam", owner.root)
    _, writer = new_user(iam, inline=policy(allow(["s3:PutObject", "s3:GetObject"], bucket_arn(bucket, "*"))))
    writer_s3 = s3(server, writer)
    assert fails(writer_s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read") == ACCESS_DENIED
    assert fails(writer_s3.put_object, Bucket=bucket, Key="k", Body=b"y", ACL="public-read") == ACCESS_DENIED
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k")[0] == 403


def test_put_object_acl_with_the_aws_cli(server: RunningServer, cli_env: dict[str, str],
                                         tmp_path: Path) -> None:
    owner = new_account(server, "acl-cli")
    env = {**cli_env, "AWS_ACCESS_KEY_ID": owner.root.access_key,
           "AWS_SECRET_ACCESS_KEY": owner.root.secret_key}
    bucket = unique("acl")
    aws(server, env, "s3api", "create-bucket", "--bucket", bucket, "--object-ownership", "ObjectWriter")
    aws(server, env, "s3api", "delete-public-access-block", "--bucket", bucket)
    (tmp_path / "f.txt").write_bytes(b"via cli")
    aws(server, env, "s3api", "put-object", "--bucket", bucket, "--key", "f.txt",
        "--body", str(tmp_path / "f.txt"))
    assert unsigned("GET", f"{server.endpoint}/{bucket}/f.txt")[0] == 403
    aws(server, env, "s3api", "put-object-acl", "--bucket", bucket, "--key", "f.txt", "--acl", "public-read")
    assert unsigned("GET", f"{server.endpoint}/{bucket}/f.txt") == (200, b"via cli")
    got = aws_json(server, env, "s3api", "get-object-acl", "--bucket", bucket, "--key", "f.txt")
    assert {"Type": "Group", "URI": ALL_USERS} in [g["Grantee"] for g in got["Grants"]], json.dumps(got)


def test_block_public_access_refuses_and_ignores_public_acls(server: RunningServer) -> None:
    owner = new_account(server, "acl-bpa")
    owner_s3 = s3(server, owner.root)
    bucket = unique("acl-bpa")
    owner_s3.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    # New buckets block public ACLs: writing one is refused, nothing changes.
    assert fails(owner_s3.put_object, Bucket=bucket, Key="k", Body=b"v", ACL="public-read") == ACCESS_DENIED
    owner_s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert fails(owner_s3.put_object_acl, Bucket=bucket, Key="k", ACL="public-read") == ACCESS_DENIED
    assert fails(owner_s3.put_bucket_acl, Bucket=bucket, ACL="public-read") == ACCESS_DENIED
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k")[0] == 403
    # With the block lifted the public-read ACL works...
    owner_s3.delete_public_access_block(Bucket=bucket)
    owner_s3.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k") == (200, b"v")
    # ...until IgnorePublicAcls: the stored ACL stays, and counts for nothing.
    owner_s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": False, "IgnorePublicAcls": True, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k")[0] == 403
    stored = owner_s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]
    assert ALL_USERS in {g["Grantee"].get("URI") for g in stored}
    # BlockPublicAcls alone refuses new public ACLs but leaves the existing one in force.
    owner_s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    assert unsigned("GET", f"{server.endpoint}/{bucket}/k") == (200, b"v")
    assert fails(owner_s3.put_object, Bucket=bucket, Key="k2", Body=b"v",
                 ACL="public-read-write") == ACCESS_DENIED
