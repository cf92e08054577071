"""Bucket operations as boto3 sees them."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, clean_env


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def status(exc: pytest.ExceptionInfo[ClientError]) -> int:
    return int(exc.value.response["ResponseMetadata"]["HTTPStatusCode"])


def other_account(server: RunningServer) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-m", "ironbucket", "admin", "--data-dir", str(server.data_dir), "account",
         "create", f"other-{uuid.uuid4().hex[:6]}", "--json"],
        capture_output=True, text=True, check=True, env=clean_env(), timeout=60)
    created: dict[str, str] = json.loads(out.stdout)
    return created


def test_create_head_list_delete(s3: Any) -> None:
    name = f"life-{uuid.uuid4().hex[:12]}"
    created = s3.create_bucket(Bucket=name)
    assert created["Location"] == f"/{name}"
    head = s3.head_bucket(Bucket=name)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert name in names
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=name)
    assert status(exc) == 404


def test_every_response_carries_request_ids(s3: Any, bucket: str) -> None:
    headers = s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]
    assert len(headers["x-amz-request-id"]) == 16
    assert headers["x-amz-id-2"]


def test_recreating_own_bucket_in_us_east_1_succeeds_as_aws_legacy(s3: Any, bucket: str) -> None:
    s3.create_bucket(Bucket=bucket)  # AWS answers 200 in us-east-1 only


def test_bucket_owned_by_another_account_already_exists(server: RunningServer, bucket: str) -> None:
    other = other_account(server)
    client = make_client(server, other["AccessKeyId"], other["SecretAccessKey"])
    with pytest.raises(ClientError) as exc:
        client.create_bucket(Bucket=bucket)
    assert error_code(exc) == "BucketAlreadyExists"
    assert status(exc) == 409
    # and the other account sees neither the bucket nor its objects
    assert bucket not in [b["Name"] for b in client.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as exc:
        client.list_objects_v2(Bucket=bucket)
    assert error_code(exc) == "AccessDenied"


@pytest.mark.parametrize("name", [
    "ab", "a" * 64, "UpperCase", "under_score", "-leading", "trailing-", "double..dot",
    "192.168.1.1", "xn--punycode", "ends-s3alias-s3alias", "sthree-bucket", "bad.-dot",
])
def test_invalid_bucket_names(s3: Any, name: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name)
    assert error_code(exc) == "InvalidBucketName"


def test_location_constraint_must_match_region(s3: Any) -> None:
    name = f"loc-{uuid.uuid4().hex[:12]}"
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert error_code(exc) == "IllegalLocationConstraintException"
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert error_code(exc) == "InvalidLocationConstraint"


def test_delete_non_empty_bucket(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as exc:
        s3.delete_bucket(Bucket=bucket)
    assert error_code(exc) == "BucketNotEmpty"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_missing_bucket(s3: Any) -> None:
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=f"missing-{uuid.uuid4().hex[:12]}")
    assert error_code(exc) == "NoSuchBucket"
    assert status(exc) == 404


def test_list_buckets_pagination_and_prefix(s3: Any) -> None:
    stem = f"page-{uuid.uuid4().hex[:8]}"
    names = sorted(f"{stem}-{i}" for i in range(5))
    for name in names:
        s3.create_bucket(Bucket=name)
    seen: list[str] = []
    token = None
    while True:
        kwargs: dict[str, Any] = {"MaxBuckets": 2, "Prefix": stem}
        if token:
            kwargs["ContinuationToken"] = token
        page = s3.list_buckets(**kwargs)
        seen += [b["Name"] for b in page["Buckets"]]
        assert all(b["BucketRegion"] == "us-east-1" for b in page["Buckets"])
        token = page.get("ContinuationToken")
        if not token:
            break
    assert seen == names


def test_bucket_tagging(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.get_bucket_tagging(Bucket=bucket)
    assert error_code(exc) == "NoSuchTagSet"
    tags = [{"Key": "team", "Value": "storage"}, {"Key": "cost-center", "Value": "42"}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags
    s3.delete_bucket_tagging(Bucket=bucket)
    with pytest.raises(ClientError):
        s3.get_bucket_tagging(Bucket=bucket)


def test_too_many_bucket_tags(s3: Any, bucket: str) -> None:
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert status(exc) == 400


def test_unimplemented_bucket_configuration_is_refused_not_stored(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "i.html"}})
    assert error_code(exc) == "NotImplemented"
    assert status(exc) == 501


def test_versioning_is_reported_unversioned(s3: Any, bucket: str) -> None:
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in answer


def test_bucket_acl_is_owner_full_control(s3: Any, bucket: str) -> None:
    acl = s3.get_bucket_acl(Bucket=bucket)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    assert acl["Grants"][0]["Grantee"]["ID"] == acl["Owner"]["ID"]
    with pytest.raises(ClientError) as exc:
        s3.create_bucket(Bucket=f"acl-{uuid.uuid4().hex[:12]}", ACL="public-read")
    # ACLs are disabled by default (BucketOwnerEnforced): AWS's answer since April 2023.
    assert error_code(exc) == "InvalidBucketAclWithObjectOwnership"
