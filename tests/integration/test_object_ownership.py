"""Object Ownership: who owns an object another account writes, and whether ACLs count at all."""

from __future__ import annotations

from typing import Any

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    allow,
    bucket_arn,
    fails,
    new_account,
    policy,
    read,
    s3,
    unique,
)
from tests.integration.server import RunningServer


def set_ownership(client: Any, bucket: str, mode: str) -> None:
    client.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": mode}]})


def ownership(client: Any, bucket: str) -> str:
    rules = client.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    return str(rules[0]["ObjectOwnership"])


def canonical_id(client: Any) -> str:
    return str(client.list_buckets()["Owner"]["ID"])


def listed_owners(client: Any, bucket: str) -> dict[str, str]:
    listed = client.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]
    return {o["Key"]: o["Owner"]["ID"] for o in listed}


def shared_bucket(server: RunningServer, owner: Account, writer: Account) -> tuple[Any, Any, str]:
    """A bucket of ``owner`` whose policy lets ``writer``'s account put objects; (owner, writer, bucket)."""
    owner_s3, writer_s3 = s3(server, owner.root), s3(server, writer.root)
    bucket = unique("own")
    owner_s3.create_bucket(Bucket=bucket)
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow(["s3:PutObject", "s3:PutObjectAcl"], bucket_arn(bucket, "*"),
              principal={"AWS": writer.account_id}),
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal={"AWS": owner.account_id})))
    return owner_s3, writer_s3, bucket


def test_new_buckets_enforce_bucket_ownership(server: RunningServer) -> None:
    owner = new_account(server, "own-default")
    client = s3(server, owner.root)
    bucket = unique("own")
    client.create_bucket(Bucket=bucket)
    assert ownership(client, bucket) == "BucketOwnerEnforced"
    assert fails(client.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read") == (
        "AccessControlListNotSupported", 400)
    assert fails(client.put_bucket_acl, Bucket=bucket, ACL="public-read") == (
        "AccessControlListNotSupported", 400)
    # The owner-only ACLs stay accepted, as on AWS.
    client.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    # A bucket can be created with ACLs enabled, but not with a public one: new buckets block
    # public access until their owner says otherwise.
    other = unique("own")
    assert fails(client.create_bucket, Bucket=other, ObjectOwnership="ObjectWriter", ACL="public-read") == (
        "InvalidBucketAclWithBlockPublicAccessError", 400)
    client.create_bucket(Bucket=other, ObjectOwnership="ObjectWriter")
    assert ownership(client, other) == "ObjectWriter"
    client.delete_public_access_block(Bucket=other)
    client.put_bucket_acl(Bucket=other, ACL="public-read")
    grants = client.get_bucket_acl(Bucket=other)["Grants"]
    assert {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"} in [
        g["Grantee"] for g in grants]


def test_cross_account_writer_object_writer_vs_bucket_owner_enforced(server: RunningServer) -> None:
    """The issue's scenario: under ObjectWriter the bucket owner cannot read an object another
    account wrote without granting it; under BucketOwnerEnforced it owns and reads it."""
    owner, writer = new_account(server, "own-b"), new_account(server, "own-w")
    owner_s3, writer_s3, bucket = shared_bucket(server, owner, writer)
    set_ownership(owner_s3, bucket, "ObjectWriter")

    writer_s3.put_object(Bucket=bucket, Key="theirs.txt", Body=b"written by W")
    # W owns it: the bucket policy's Allow for the owner does not reach an object it does not own.
    assert fails(owner_s3.get_object, Bucket=bucket, Key="theirs.txt") == ACCESS_DENIED
    assert fails(owner_s3.get_object_acl, Bucket=bucket, Key="theirs.txt") == ACCESS_DENIED
    assert read(writer_s3, bucket, "theirs.txt") == b"written by W"
    acl = writer_s3.get_object_acl(Bucket=bucket, Key="theirs.txt")
    assert acl["Owner"]["ID"] == canonical_id(writer_s3)
    assert listed_owners(owner_s3, bucket) == {"theirs.txt": canonical_id(writer_s3)}

    # With bucket-owner-read / -full-control the writer grants the bucket owner.
    writer_s3.put_object(Bucket=bucket, Key="granted.txt", Body=b"for B", ACL="bucket-owner-read")
    assert read(owner_s3, bucket, "granted.txt") == b"for B"
    assert fails(owner_s3.put_object_acl, Bucket=bucket, Key="granted.txt", ACL="private") == ACCESS_DENIED
    writer_s3.put_object(Bucket=bucket, Key="full.txt", Body=b"all yours", ACL="bucket-owner-full-control")
    assert read(owner_s3, bucket, "full.txt") == b"all yours"
    owner_s3.put_object_acl(Bucket=bucket, Key="full.txt", ACL="private")  # FULL_CONTROL includes WRITE_ACP

    # BucketOwnerEnforced: ACLs off, the bucket owner owns every object and its policy decides.
    set_ownership(owner_s3, bucket, "BucketOwnerEnforced")
    assert read(owner_s3, bucket, "theirs.txt") == b"written by W"
    acl = owner_s3.get_object_acl(Bucket=bucket, Key="theirs.txt")
    assert acl["Owner"]["ID"] == canonical_id(owner_s3)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert set(listed_owners(owner_s3, bucket).values()) == {canonical_id(owner_s3)}
    # ...and W, no longer the owner and not allowed by the bucket policy, cannot read it.
    assert fails(writer_s3.get_object, Bucket=bucket, Key="theirs.txt") == ACCESS_DENIED

    # Enabling ACLs again restores the writer's ownership and ACL.
    set_ownership(owner_s3, bucket, "ObjectWriter")
    assert fails(owner_s3.get_object, Bucket=bucket, Key="theirs.txt") == ACCESS_DENIED
    # The bucket owner may still delete any object in its bucket.
    owner_s3.delete_object(Bucket=bucket, Key="theirs.txt")
    assert fails(writer_s3.get_object, Bucket=bucket, Key="theirs.txt")[1] in (403, 404)


def test_bucket_owner_preferred(server: RunningServer) -> None:
    owner, writer = new_account(server, "pref-b"), new_account(server, "pref-w")
    owner_s3, writer_s3, bucket = shared_bucket(server, owner, writer)
    set_ownership(owner_s3, bucket, "BucketOwnerPreferred")
    writer_s3.put_object(Bucket=bucket, Key="given.txt", Body=b"g", ACL="bucket-owner-full-control")
    writer_s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"k")
    assert owner_s3.get_object_acl(Bucket=bucket, Key="given.txt")["Owner"]["ID"] == canonical_id(owner_s3)
    assert read(owner_s3, bucket, "given.txt") == b"g"
    assert fails(owner_s3.get_object, Bucket=bucket, Key="kept.txt") == ACCESS_DENIED
    assert writer_s3.get_object_acl(Bucket=bucket, Key="kept.txt")["Owner"]["ID"] == canonical_id(writer_s3)


def test_multipart_and_copy_follow_ownership(server: RunningServer) -> None:
    owner, writer = new_account(server, "mpu-b"), new_account(server, "mpu-w")
    owner_s3, writer_s3, bucket = shared_bucket(server, owner, writer)
    set_ownership(owner_s3, bucket, "ObjectWriter")
    upload = writer_s3.create_multipart_upload(Bucket=bucket, Key="mp.bin", ACL="bucket-owner-read")
    etag = writer_s3.upload_part(Bucket=bucket, Key="mp.bin", UploadId=upload["UploadId"], PartNumber=1,
                                 Body=b"part")["ETag"]
    writer_s3.complete_multipart_upload(Bucket=bucket, Key="mp.bin", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert read(owner_s3, bucket, "mp.bin") == b"part"
    acl = writer_s3.get_object_acl(Bucket=bucket, Key="mp.bin")
    assert acl["Owner"]["ID"] == canonical_id(writer_s3)
    assert sorted(g["Permission"] for g in acl["Grants"]) == ["FULL_CONTROL", "READ"]
    # The writer copies its own object: the copy is its own, with a fresh (private) ACL.
    writer_s3.copy_object(Bucket=bucket, Key="copy.bin", CopySource={"Bucket": bucket, "Key": "mp.bin"})
    assert fails(owner_s3.get_object, Bucket=bucket, Key="copy.bin") == ACCESS_DENIED


def test_switching_to_enforced_needs_an_owner_only_bucket_acl(server: RunningServer) -> None:
    owner, other = new_account(server, "sw-b"), new_account(server, "sw-o")
    client = s3(server, owner.root)
    bucket = unique("own")
    client.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    client.put_bucket_acl(Bucket=bucket, GrantRead=f'id="{canonical_id(s3(server, other.root))}"')
    assert fails(set_ownership, client=client, bucket=bucket, mode="BucketOwnerEnforced") == (
        "InvalidBucketAclWithObjectOwnership", 400)
    assert ownership(client, bucket) == "ObjectWriter"
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    set_ownership(client, bucket, "BucketOwnerEnforced")
    assert ownership(client, bucket) == "BucketOwnerEnforced"


def test_deleted_controls_behave_as_object_writer(server: RunningServer) -> None:
    owner, writer = new_account(server, "del-b"), new_account(server, "del-w")
    owner_s3, writer_s3, bucket = shared_bucket(server, owner, writer)
    owner_s3.delete_bucket_ownership_controls(Bucket=bucket)
    assert fails(owner_s3.get_bucket_ownership_controls, Bucket=bucket) == (
        "OwnershipControlsNotFoundError", 404)
    writer_s3.put_object(Bucket=bucket, Key="w.txt", Body=b"w")
    assert fails(owner_s3.get_object, Bucket=bucket, Key="w.txt") == ACCESS_DENIED
    assert fails(owner_s3.put_bucket_ownership_controls, Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "Nobody"}]}) == ("MalformedXML", 400)


def test_ownership_controls_need_their_permission(server: RunningServer) -> None:
    owner, stranger = new_account(server, "perm-b"), new_account(server, "perm-s")
    owner_s3, stranger_s3 = s3(server, owner.root), s3(server, stranger.root)
    bucket = unique("own")
    owner_s3.create_bucket(Bucket=bucket)
    assert fails(set_ownership, client=stranger_s3, bucket=bucket, mode="ObjectWriter") == ACCESS_DENIED
    assert fails(stranger_s3.get_bucket_ownership_controls, Bucket=bucket) == ACCESS_DENIED
    assert ownership(owner_s3, bucket) == "BucketOwnerEnforced"


def test_policy_requiring_bucket_owner_full_control(server: RunningServer) -> None:
    """AWS's recipe for BucketOwnerPreferred: only uploads that hand the object over are allowed
    (the s3:x-amz-acl condition key comes from the request)."""
    owner, writer = new_account(server, "req-b"), new_account(server, "req-w")
    owner_s3, writer_s3 = s3(server, owner.root), s3(server, writer.root)
    bucket = unique("own")
    owner_s3.create_bucket(Bucket=bucket, ObjectOwnership="BucketOwnerPreferred")
    owner_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow(["s3:PutObject", "s3:PutObjectAcl"], bucket_arn(bucket, "*"),
              principal={"AWS": writer.account_id},
              condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}})))
    assert fails(writer_s3.put_object, Bucket=bucket, Key="k", Body=b"x") == ACCESS_DENIED
    assert fails(writer_s3.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read") == ACCESS_DENIED
    writer_s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert read(owner_s3, bucket, "k") == b"x"
    assert owner_s3.get_object_acl(Bucket=bucket, Key="k")["Owner"]["ID"] == canonical_id(owner_s3)
