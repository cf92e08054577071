"""Object Lock with boto3: retention modes, legal holds, bypass, defaults, and bad input."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration import iam_helpers as h
from tests.integration.server import RunningServer
from tests.integration.test_auth import _post, _presigned_post
from tests.integration.test_aws_cli import aws


def _later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def _lock_bucket(client: Any) -> str:
    name = h.unique("lock")
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def _put(client: Any, bucket: str, key: str = "k", body: bytes = b"data", **kw: Any) -> str:
    return str(client.put_object(Bucket=bucket, Key=key, Body=body, **kw)["VersionId"])


@pytest.fixture(scope="module")
def account(server: RunningServer) -> h.Account:
    return h.new_account(server, "lock")


@pytest.fixture(scope="module")
def root(server: RunningServer, account: h.Account) -> Any:
    return h.s3(server, account.root)


def test_lock_bucket_is_versioned_for_good(root: Any) -> None:
    bucket = _lock_bucket(root)
    assert root.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert root.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    assert h.fails(root.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Suspended"}) == ("InvalidBucketState", 409)


def test_compliance_binds_the_root_user(root: Any) -> None:
    bucket = _lock_bucket(root)
    until = _later(3600)
    v1 = _put(root, bucket, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
    head = root.head_object(Bucket=bucket, Key="k", VersionId=v1)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert abs((head["ObjectLockRetainUntilDate"] - until).total_seconds()) < 1
    assert h.fails(root.delete_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    # shorten, remove, change mode: refused; extend: allowed
    assert h.fails(root.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _later(60)}) == h.ACCESS_DENIED
    assert h.fails(root.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _later(7200)}) == h.ACCESS_DENIED
    assert h.fails(root.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   BypassGovernanceRetention=True, Retention={}) == h.ACCESS_DENIED
    root.put_object_retention(Bucket=bucket, Key="k", VersionId=v1,
                              Retention={"Mode": "COMPLIANCE", "RetainUntilDate": _later(7200)})
    got = root.get_object_retention(Bucket=bucket, Key="k", VersionId=v1)["Retention"]
    assert got["Mode"] == "COMPLIANCE" and got["RetainUntilDate"] > until
    # per version: a new write and a delete marker leave the locked version alone
    v2 = _put(root, bucket, body=b"new")
    marker = root.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    root.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])
    root.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert root.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"data"
    # DeleteObjects reports the refusal per key; the bucket cannot go
    result = root.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": v1}]})
    assert [e["Code"] for e in result["Errors"]] == ["AccessDenied"]
    assert h.fails(root.delete_bucket, Bucket=bucket) == ("BucketNotEmpty", 409)


@pytest.fixture(scope="module")
def users(server: RunningServer, account: h.Account) -> dict[str, Any]:
    iam = h.client(server, "iam", account.root)
    base = ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
            "s3:PutObjectRetention", "s3:GetObjectRetention", "s3:PutObjectLegalHold",
            "s3:GetObjectLegalHold", "s3:ListBucket", "s3:ListBucketVersions"]
    _, plain = h.new_user(iam, inline=h.policy(h.allow(base)))
    _, bypasser = h.new_user(iam, inline=h.policy(h.allow([*base, "s3:BypassGovernanceRetention"])))
    _, denied = h.new_user(iam, inline=h.policy(h.allow([*base, "s3:BypassGovernanceRetention"]),
                                                 h.deny("s3:BypassGovernanceRetention")))
    return {"plain": h.s3(server, plain), "bypass": h.s3(server, bypasser), "denied": h.s3(server, denied)}


def test_governance_needs_permission_and_header(root: Any, users: dict[str, Any]) -> None:
    bucket = _lock_bucket(root)
    v1 = _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(3600))
    plain, bypass, denied = users["plain"], users["bypass"], users["denied"]
    # without the permission, with or without the header
    assert h.fails(plain.delete_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    assert h.fails(plain.delete_object, Bucket=bucket, Key="k", VersionId=v1,
                   BypassGovernanceRetention=True) == h.ACCESS_DENIED
    # with the permission but without the header
    assert h.fails(bypass.delete_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    assert h.fails(bypass.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _later(60)}) == h.ACCESS_DENIED
    # an explicit Deny on the bypass action wins
    assert h.fails(denied.delete_object, Bucket=bucket, Key="k", VersionId=v1,
                   BypassGovernanceRetention=True) == h.ACCESS_DENIED
    # extending needs no bypass
    plain.put_object_retention(Bucket=bucket, Key="k", VersionId=v1,
                               Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _later(7200)})
    # permission + header: shortening and deleting work
    bypass.put_object_retention(Bucket=bucket, Key="k", VersionId=v1, BypassGovernanceRetention=True,
                                Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _later(60)})
    bypass.delete_object(Bucket=bucket, Key="k", VersionId=v1, BypassGovernanceRetention=True)
    assert h.fails(root.head_object, Bucket=bucket, Key="k", VersionId=v1)[1] == 404
    # DeleteObjects: the same two halves, per key
    v2 = _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(3600))
    batch = {"Objects": [{"Key": "k", "VersionId": v2}]}
    refused = bypass.delete_objects(Bucket=bucket, Delete=batch)["Errors"]
    assert [e["Code"] for e in refused] == ["AccessDenied"]
    refused = denied.delete_objects(Bucket=bucket, Delete=batch, BypassGovernanceRetention=True)["Errors"]
    assert [e["Code"] for e in refused] == ["AccessDenied"]
    done = bypass.delete_objects(Bucket=bucket, Delete=batch, BypassGovernanceRetention=True)
    assert [d["VersionId"] for d in done["Deleted"]] == [v2] and "Errors" not in done


def test_legal_hold_is_not_lifted_by_bypass(root: Any, users: dict[str, Any]) -> None:
    bucket = _lock_bucket(root)
    v1 = _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(3600),
              ObjectLockLegalHoldStatus="ON")
    assert root.head_object(Bucket=bucket, Key="k")["ObjectLockLegalHoldStatus"] == "ON"
    assert h.fails(users["bypass"].delete_object, Bucket=bucket, Key="k", VersionId=v1,
                   BypassGovernanceRetention=True) == h.ACCESS_DENIED
    v2 = _put(root, bucket, key="held")
    root.put_object_legal_hold(Bucket=bucket, Key="held", VersionId=v2, LegalHold={"Status": "ON"})
    assert root.get_object_legal_hold(Bucket=bucket, Key="held")["LegalHold"]["Status"] == "ON"
    assert h.fails(root.delete_object, Bucket=bucket, Key="held", VersionId=v2) == h.ACCESS_DENIED
    root.put_object_legal_hold(Bucket=bucket, Key="held", VersionId=v2, LegalHold={"Status": "OFF"})
    root.delete_object(Bucket=bucket, Key="held", VersionId=v2)


def test_expired_retention_becomes_deletable(root: Any) -> None:
    bucket = _lock_bucket(root)
    v1 = _put(root, bucket, ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=_later(2))
    assert h.fails(root.delete_object, Bucket=bucket, Key="k", VersionId=v1) == h.ACCESS_DENIED
    time.sleep(2.5)
    root.delete_object(Bucket=bucket, Key="k", VersionId=v1)


def test_default_retention_applies_to_new_versions(root: Any) -> None:
    bucket = _lock_bucket(root)
    root.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    got = root.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert got["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 1}
    v1 = _put(root, bucket)
    retention = root.get_object_retention(Bucket=bucket, Key="k", VersionId=v1)["Retention"]
    assert retention["Mode"] == "GOVERNANCE"
    left = (retention["RetainUntilDate"] - datetime.now(UTC)).total_seconds()
    assert 86000 < left <= 86400
    # multipart and copy get the default too
    upload = root.create_multipart_upload(Bucket=bucket, Key="mp", ObjectLockMode="COMPLIANCE",
                                          ObjectLockRetainUntilDate=_later(600))
    part = root.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    done = root.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                          MultipartUpload=parts)
    head = root.head_object(Bucket=bucket, Key="mp", VersionId=done["VersionId"])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    copied = root.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert root.head_object(Bucket=bucket, Key="copy",
                            VersionId=copied["VersionId"])["ObjectLockMode"] == "GOVERNANCE"
    assert h.fails(root.delete_object, Bucket=bucket, Key="mp",
                   VersionId=done["VersionId"]) == h.ACCESS_DENIED


def test_checksum_required(server: RunningServer, account: h.Account, root: Any) -> None:
    bucket = _lock_bucket(root)
    bare = h.client(server, "s3", account.root, request_checksum_calculation="when_required")
    assert h.fails(bare.put_object, Bucket=bucket, Key="k", Body=b"x") == ("InvalidRequest", 400)
    md5 = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    bare.put_object(Bucket=bucket, Key="k", Body=b"x", ContentMD5=md5)


def test_bad_input(root: Any) -> None:
    bucket = _lock_bucket(root)
    plain = h.unique("nolock")
    root.create_bucket(Bucket=plain)
    past = datetime.now(UTC) - timedelta(days=1)
    assert h.fails(root.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                   ObjectLockRetainUntilDate=past) == ("InvalidArgument", 400)
    assert h.fails(root.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="compliance",
                   ObjectLockRetainUntilDate=_later(60)) == ("InvalidArgument", 400)
    assert h.fails(root.put_object, Bucket=bucket, Key="k", Body=b"x",
                   ObjectLockRetainUntilDate=_later(60)) == ("InvalidArgument", 400)
    assert h.fails(root.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                   ObjectLockRetainUntilDate=_later(101 * 365 * 86400)) == ("InvalidArgument", 400)
    assert h.fails(root.put_object, Bucket=plain, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                   ObjectLockRetainUntilDate=_later(60)) == ("InvalidRequest", 400)
    assert h.fails(root.get_object_lock_configuration, Bucket=plain) == (
        "ObjectLockConfigurationNotFoundError", 404)
    assert h.fails(root.put_object_lock_configuration, Bucket=plain, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled"}) == ("InvalidBucketState", 409)
    for rule, code in (({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
                       ({"Mode": "GOVERNANCE"}, "MalformedXML"),
                       # a mode in the wrong case: InvalidArgument, as Amazon S3 answers
                       ({"Mode": "governance", "Days": 1}, "InvalidArgument"),
                       ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidArgument")):
        assert h.fails(root.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}}) == (code, 400)
    assert h.fails(root.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Years": 101}}}
    ) == ("InvalidArgument", 400)
    v1 = _put(root, bucket)
    assert h.fails(root.get_object_retention, Bucket=bucket, Key="k", VersionId=v1) == (
        "NoSuchObjectLockConfiguration", 404)
    assert h.fails(root.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past}) == ("InvalidArgument", 400)
    assert h.fails(root.put_object_legal_hold, Bucket=bucket, Key="k", VersionId=v1,
                   LegalHold={"Status": "on"}) == ("InvalidArgument", 400)
    assert h.fails(root.put_object_retention, Bucket=bucket, Key="k", VersionId=v1,
                   Retention={"Mode": "governance", "RetainUntilDate": _later(60)}
                   ) == ("InvalidArgument", 400)
    root.put_object(Bucket=plain, Key="k", Body=b"x")
    assert h.fails(root.get_object_retention, Bucket=plain, Key="k") == ("InvalidRequest", 400)


def test_condition_keys(server: RunningServer, account: h.Account, root: Any) -> None:
    """The documented example: cap retention at 10 days; and refuse COMPLIANCE and legal holds."""
    bucket = _lock_bucket(root)
    iam = h.client(server, "iam", account.root)
    _, creds = h.new_user(iam, inline=h.policy(
        h.allow(["s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:GetObject"]),
        h.deny("s3:PutObjectRetention", condition={
            "NumericGreaterThan": {"s3:object-lock-remaining-retention-days": "10"}}),
        h.deny("s3:PutObject", condition={"StringEquals": {"s3:object-lock-mode": "COMPLIANCE"}}),
        h.deny("s3:PutObjectLegalHold", condition={"StringEquals": {"s3:object-lock-legal-hold": "ON"}})))
    user = h.s3(server, creds)
    assert h.fails(user.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                   ObjectLockRetainUntilDate=_later(60)) == h.ACCESS_DENIED
    assert h.fails(user.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                   ObjectLockRetainUntilDate=_later(11 * 86400)) == h.ACCESS_DENIED
    v1 = _put(user, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(5 * 86400))
    assert h.fails(user.put_object_retention, Bucket=bucket, Key="k", VersionId=v1, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _later(20 * 86400)}) == h.ACCESS_DENIED
    user.put_object_retention(Bucket=bucket, Key="k", VersionId=v1, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _later(9 * 86400)})
    assert h.fails(user.put_object_legal_hold, Bucket=bucket, Key="k", VersionId=v1,
                   LegalHold={"Status": "ON"}) == h.ACCESS_DENIED
    user.put_object_legal_hold(Bucket=bucket, Key="k", VersionId=v1, LegalHold={"Status": "OFF"})


def test_lock_headers_need_read_permission(server: RunningServer, account: h.Account, root: Any) -> None:
    bucket = _lock_bucket(root)
    _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(600),
         ObjectLockLegalHoldStatus="ON")
    iam = h.client(server, "iam", account.root)
    _, creds = h.new_user(iam, inline=h.policy(h.allow("s3:GetObject")))
    head = h.s3(server, creds).head_object(Bucket=bucket, Key="k")
    assert "ObjectLockMode" not in head and "ObjectLockLegalHoldStatus" not in head


def test_object_lock_with_the_aws_cli(server: RunningServer, cli_env: dict[str, str], tmp_path: Any) -> None:
    bucket = h.unique("lockcli")

    def api(*args: str, check: bool = True) -> Any:
        proc = aws(server, cli_env, "s3api", *args, "--bucket", bucket, check=check)
        return json.loads(proc.stdout) if check and proc.stdout.strip() else proc

    api("create-bucket", "--object-lock-enabled-for-bucket")
    api("put-object-lock-configuration", "--object-lock-configuration",
        '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"COMPLIANCE","Days":1}}}')
    assert api("get-object-lock-configuration")["ObjectLockConfiguration"]["Rule"] == {
        "DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}
    source = tmp_path / "doc.txt"
    source.write_bytes(b"keep me")
    version = api("put-object", "--key", "doc.txt", "--body", str(source))["VersionId"]
    assert api("get-object-retention", "--key", "doc.txt", "--version-id", version)["Retention"]["Mode"] \
        == "COMPLIANCE"
    refused = api("delete-object", "--key", "doc.txt", "--version-id", version, check=False)
    assert refused.returncode != 0 and b"AccessDenied" in refused.stderr
    weaker = "Mode=GOVERNANCE,RetainUntilDate=2030-01-01"
    refused = api("put-object-retention", "--key", "doc.txt", "--version-id", version,
                  "--bypass-governance-retention", "--retention", weaker, check=False)
    assert refused.returncode != 0 and b"AccessDenied" in refused.stderr
    api("put-object-legal-hold", "--key", "doc.txt", "--version-id", version, "--legal-hold", "Status=ON")
    assert api("get-object-legal-hold", "--key", "doc.txt")["LegalHold"] == {"Status": "ON"}
    refused = api("put-object-retention", "--key", "doc.txt", "--retention",
                  "Mode=compliance,RetainUntilDate=2030-01-01", check=False)
    assert refused.returncode != 0
    refused = api("delete-bucket", check=False)
    assert refused.returncode != 0 and b"BucketNotEmpty" in refused.stderr


def test_allow_conditioned_on_the_body(server: RunningServer, account: h.Account, root: Any) -> None:
    """An Allow that tests the PutObjectRetention body's values: decided on those values."""
    bucket = _lock_bucket(root)
    v1 = _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(60))
    iam = h.client(server, "iam", account.root)
    _, creds = h.new_user(iam, inline=h.policy(
        h.allow("s3:PutObjectRetention", condition={
            "NumericLessThanEquals": {"s3:object-lock-remaining-retention-days": "10"}}),
        h.allow("s3:PutObjectLegalHold", condition={"StringEquals": {"s3:object-lock-legal-hold": "OFF"}})))
    user = h.s3(server, creds)
    user.put_object_retention(Bucket=bucket, Key="k", VersionId=v1, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _later(5 * 86400)})
    assert h.fails(user.put_object_retention, Bucket=bucket, Key="k", VersionId=v1, Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _later(30 * 86400)}) == h.ACCESS_DENIED
    user.put_object_legal_hold(Bucket=bucket, Key="k", VersionId=v1, LegalHold={"Status": "OFF"})
    assert h.fails(user.put_object_legal_hold, Bucket=bucket, Key="k", VersionId=v1,
                   LegalHold={"Status": "ON"}) == h.ACCESS_DENIED
    # no permission at all: AccessDenied, not whether the key exists
    _, nobody = h.new_user(iam, inline=h.policy(h.allow("s3:GetObject")))
    assert h.fails(h.s3(server, nobody).put_object_retention, Bucket=bucket, Key="missing", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": _later(60)}) == h.ACCESS_DENIED


def test_browser_post_gets_the_default_retention(server: RunningServer, s3: Any) -> None:
    bucket = _lock_bucket(s3)
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}}})
    status, body = _post(server, bucket, _presigned_post(server, bucket, "posted"), b"form data")
    assert status == 204, body
    version = s3.head_object(Bucket=bucket, Key="posted")
    assert version["ObjectLockMode"] == "COMPLIANCE"
    assert h.fails(s3.delete_object, Bucket=bucket, Key="posted",
                   VersionId=version["VersionId"]) == h.ACCESS_DENIED
    # lock form fields are not implemented: refused, not ignored
    fields = _presigned_post(server, bucket, "posted", Fields={"x-amz-object-lock-legal-hold": "ON"},
                             Conditions=[{"x-amz-object-lock-legal-hold": "ON"}])
    assert _post(server, bucket, fields, b"x")[0] == 501


def test_bucket_policy_deny_on_bypass_binds_the_root_user(root: Any) -> None:
    bucket = _lock_bucket(root)
    v1 = _put(root, bucket, ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=_later(3600))
    root.put_bucket_policy(Bucket=bucket, Policy=h.policy(h.deny(
        "s3:BypassGovernanceRetention", h.bucket_arn(bucket, "*"), principal="*")))
    assert h.fails(root.delete_object, Bucket=bucket, Key="k", VersionId=v1,
                   BypassGovernanceRetention=True) == h.ACCESS_DENIED
    root.delete_bucket_policy(Bucket=bucket)
    root.delete_object(Bucket=bucket, Key="k", VersionId=v1, BypassGovernanceRetention=True)
