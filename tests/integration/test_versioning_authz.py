"""Versioning and authorization: the version actions (s3:GetObjectVersion, s3:DeleteObjectVersion,
...) are checked apart from the plain ones, and a delete marker is not revealed to callers who
may not list the bucket."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration import iam_helpers as h
from tests.integration.server import RunningServer
from tests.integration.test_versioning import _headers, _put, _versioned


@pytest.fixture(scope="module")
def reader(server: RunningServer) -> tuple[Any, Any]:
    """(root client, a user allowed s3:GetObject / s3:DeleteObject / s3:ListBucket* but not the
    version actions) in a fresh account."""
    account = h.new_account(server, "versioning")
    iam = h.client(server, "iam", account.root)
    _, creds = h.new_user(iam, inline=h.policy(h.allow(
        ["s3:GetObject", "s3:DeleteObject", "s3:ListBucket", "s3:ListBucketVersions",
         "s3:GetObjectTagging"])))
    return h.s3(server, account.root), h.s3(server, creds)


def test_version_actions_are_authorized_separately(reader: tuple[Any, Any]) -> None:
    root, user = reader
    bucket = h.unique("vauth")
    root.create_bucket(Bucket=bucket)
    _versioned(root, bucket)
    v1 = _put(root, bucket, "k", b"one")
    _put(root, bucket, "k", b"two")
    assert user.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert h.fails(user.get_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    assert h.fails(user.head_object, Bucket=bucket, Key="k", VersionId=v1)[1] == 403
    assert h.fails(user.get_object_tagging, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    assert h.fails(user.delete_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    assert h.fails(user.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Suspended"}) == h.ACCESS_DENIED
    result = user.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": v1},
                                                                    {"Key": "k"}]})
    assert [(e["Key"], e["VersionId"], e["Code"]) for e in result["Errors"]] == [("k", v1, "AccessDenied")]
    assert result["Deleted"][0]["DeleteMarker"] is True  # s3:DeleteObject suffices for a marker
    assert root.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"


def test_marker_headers_only_for_callers_who_may_list(server: RunningServer, reader: tuple[Any, Any]) -> None:
    root, user = reader
    bucket = h.unique("vmark")
    root.create_bucket(Bucket=bucket)
    _versioned(root, bucket)
    _put(root, bucket, "k", b"one")
    root.delete_object(Bucket=bucket, Key="k")
    # the reader may list: NoSuchKey with the marker headers
    error = h.failure(user.get_object, Bucket=bucket, Key="k")
    assert error.response["Error"]["Code"] == "NoSuchKey"
    assert _headers(error)["x-amz-delete-marker"] == "true"
    # a caller allowed only s3:GetObject learns nothing, not even that a marker is there
    other = h.new_account(server, "vblind")
    root.put_bucket_policy(Bucket=bucket, Policy=h.policy(h.allow(
        "s3:GetObject", h.bucket_arn(bucket, "*"), principal={"AWS": other.arn()})))
    blind = h.s3(server, other.root)
    _put(root, bucket, "live", b"visible")
    assert blind.get_object(Bucket=bucket, Key="live")["Body"].read() == b"visible"  # the grant works
    error = h.failure(blind.get_object, Bucket=bucket, Key="k")
    assert error.response["Error"]["Code"] == "AccessDenied"
    assert "x-amz-delete-marker" not in _headers(error) and "x-amz-version-id" not in _headers(error)
