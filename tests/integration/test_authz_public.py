"""Anonymous access through a public bucket policy, GetBucketPolicyStatus, and what a missing
key or a conditional request reveals to callers who may not list or read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    allow,
    bucket_arn,
    fails,
    new_user,
    policy,
    read,
    s3,
    unique,
    unsigned,
)
from tests.integration.server import RunningServer


@pytest.fixture
def bucket(root_s3: Any) -> str:
    name = unique("pub")
    root_s3.create_bucket(Bucket=name)
    root_s3.delete_public_access_block(Bucket=name)  # new buckets refuse public policies
    for key in ("public/x", "private/x"):
        root_s3.put_object(Bucket=name, Key=key, Body=key.encode())
    return name


def code_of(body: bytes) -> str:
    return body.decode().split("<Code>", 1)[1].split("</Code>", 1)[0] if b"<Code>" in body else ""


def test_anonymous_read_of_one_prefix(server: RunningServer, root_s3: Any, bucket: str) -> None:
    base = f"{server.endpoint}/{bucket}"
    assert unsigned("GET", f"{base}/public/x")[0] == 403  # no policy yet
    assert fails(root_s3.get_bucket_policy_status, Bucket=bucket) == ("NoSuchBucketPolicy", 404)
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "public/*"), principal="*")))
    assert unsigned("GET", f"{base}/public/x") == (200, b"public/x")
    status, body = unsigned("HEAD", f"{base}/public/x")
    assert status == 200
    for method, path, data in (("GET", "private/x", None), ("PUT", "public/y", b"data"),
                               ("DELETE", "public/x", None), ("GET", "?list-type=2", None),
                               ("GET", "?policy", None)):
        status, body = unsigned(method, f"{base}/{path}", data)
        assert (status, code_of(body)) == (403, "AccessDenied"), (method, path)
    # No s3:ListBucket for anyone: a missing public key is AccessDenied, not NoSuchKey.
    status, body = unsigned("GET", f"{base}/public/missing")
    assert (status, code_of(body)) == (403, "AccessDenied")
    assert read(root_s3, bucket, "public/x") == b"public/x"  # nothing was written or deleted
    assert fails(root_s3.head_object, Bucket=bucket, Key="public/y") == ("404", 404)
    assert root_s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True

    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "public/*"), principal="*",
              condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/24"}})))
    assert root_s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
    status, body = unsigned("GET", f"{base}/public/x")  # we are 127.0.0.1
    assert (status, code_of(body)) == (403, "AccessDenied")
    root_s3.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "public/*"), principal={"AWS": "*"},
              condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})))
    assert root_s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
    root_s3.delete_bucket_policy(Bucket=bucket)
    assert unsigned("GET", f"{base}/public/x")[0] == 403


def test_missing_key_is_403_without_list_permission(server: RunningServer, iam: Any, bucket: str) -> None:
    _, get_only = new_user(iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    _, get_and_list = new_user(iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*")),
                                                  allow("s3:ListBucket", bucket_arn(bucket))))
    no_list, can_list = s3(server, get_only), s3(server, get_and_list)
    assert fails(no_list.get_object, Bucket=bucket, Key="nope") == ACCESS_DENIED
    assert fails(no_list.head_object, Bucket=bucket, Key="nope") == ("403", 403)
    assert fails(can_list.get_object, Bucket=bucket, Key="nope") == ("NoSuchKey", 404)
    assert fails(can_list.head_object, Bucket=bucket, Key="nope") == ("404", 404)
    assert read(no_list, bucket, "private/x") == b"private/x"


def test_conditional_requests_are_authorized_first(server: RunningServer, iam: Any, root_s3: Any,
                                                   bucket: str) -> None:
    etag = root_s3.head_object(Bucket=bucket, Key="private/x")["ETag"]
    _, list_only = new_user(iam, inline=policy(allow("s3:ListBucket", bucket_arn(bucket))))
    _, reader = new_user(iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    outsider, allowed = s3(server, list_only), s3(server, reader)
    # The reader gets the conditional answers...
    assert fails(allowed.get_object, Bucket=bucket, Key="private/x", IfNoneMatch=etag) == ("304", 304)
    assert fails(allowed.get_object, Bucket=bucket, Key="private/x",
                 IfMatch='"0123456789abcdef0123456789abcdef"') == ("PreconditionFailed", 412)
    # ...someone who may not read gets AccessDenied, never 304 / 412.
    assert fails(outsider.get_object, Bucket=bucket, Key="private/x", IfNoneMatch=etag) == ACCESS_DENIED
    assert fails(outsider.head_object, Bucket=bucket, Key="private/x", IfNoneMatch=etag) == ("403", 403)
    assert fails(outsider.get_object, Bucket=bucket, Key="private/x",
                 IfMatch='"0123456789abcdef0123456789abcdef"') == ACCESS_DENIED
    assert fails(outsider.get_object, Bucket=bucket, Key="private/x",
                 IfModifiedSince="2100-01-01T00:00:00Z") == ACCESS_DENIED
    status, body = unsigned("GET", f"{server.endpoint}/{bucket}/private/x", headers={"If-None-Match": etag})
    assert (status, code_of(body)) == (403, "AccessDenied")
