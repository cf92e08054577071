"""S3 MFA Delete with boto3 and the aws CLI: only the bucket owner's root user, with a fresh code
of one of its MFA devices, turns it on, permanently deletes versions and changes versioning.
``x-amz-mfa`` needs HTTPS, so these run against a server with a TLS listener."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration import iam_helpers as h
from tests.integration import mfa_helpers as mfa
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import aws, aws_json


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with both listeners; this view speaks plain HTTP."""
    with running_server(tmp_path_factory.mktemp("mfa-tls") / "data", tls=True) as running:
        yield running


@pytest.fixture(scope="module")
def tls(plain: RunningServer) -> RunningServer:
    return plain.https()


def _versioned(s3: Any) -> str:
    bucket = h.unique("mfa-delete")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def _on(s3: Any, bucket: str, device: mfa.Device, code: str | None = None) -> None:
    s3.put_bucket_versioning(Bucket=bucket, MFA=f"{device.serial} {code or device.code(1)}",
                             VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})


def test_mfa_delete_scenarios(tls: RunningServer) -> None:
    server = tls
    account = h.new_account(server, "mfadel")
    iam = h.client(server, "iam", account.root)
    s3 = h.s3(server, account.root)
    bucket = _versioned(s3)
    first, second, third, fourth = (mfa.enabled(iam, "root") for _ in range(4))
    enable = {"Status": "Enabled", "MFADelete": "Enabled"}
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration=enable) == ("AccessDenied", 403)  # no x-amz-mfa
    bad = f"{first.serial} {(int(first.code(1)) + 1) % 1000000:06d}"
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket, MFA=bad,
                   VersioningConfiguration=enable) == ("AccessDenied", 403)
    assert "MFADelete" not in s3.get_bucket_versioning(Bucket=bucket)
    _on(s3, bucket, first)
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert (got["Status"], got["MFADelete"]) == ("Enabled", "Enabled")

    v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
    # Permanent deletion without the header: refused, singly and in a batch.
    assert h.fails(s3.delete_object, Bucket=bucket, Key="k", VersionId=v1) == ("AccessDenied", 403)
    assert h.fails(s3.delete_objects, Bucket=bucket, Delete={"Objects": [
        {"Key": "k", "VersionId": v1}, {"Key": "other"}]}) == ("AccessDenied", 403)
    # A delete marker needs nothing.
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    # A fresh code of a root device: the version goes.
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v1, MFA=f"{second.serial} {second.code(1)}")
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in versions["Versions"]] == [v2]
    # DeleteObjects with a fresh code: version entries go too.
    v3 = s3.put_object(Bucket=bucket, Key="k3", Body=b"three")["VersionId"]
    done = s3.delete_objects(Bucket=bucket, MFA=f"{fourth.serial} {fourth.code(1)}", Delete={
        "Objects": [{"Key": "k3", "VersionId": v3}]})
    assert [(d["Key"], d["VersionId"]) for d in done["Deleted"]] == [("k3", v3)]
    # The same code again is a replay.
    assert h.fails(s3.delete_object, Bucket=bucket, Key="k", VersionId=v2,
                   MFA=f"{second.serial} {second.code(1)}") == ("AccessDenied", 403)
    # Changing the versioning state needs MFA too.
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Suspended"}) == ("AccessDenied", 403)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, MFA=f"{third.serial} {third.code(1)}",
                             VersioningConfiguration={"Status": "Suspended", "MFADelete": "Disabled"})
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert (got["Status"], got["MFADelete"]) == ("Suspended", "Disabled")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)  # MFA Delete is off again


def test_only_the_owner_root_user_uses_mfa_delete(tls: RunningServer) -> None:
    server = tls
    account = h.new_account(server, "mfadel")
    iam = h.client(server, "iam", account.root)
    root_s3 = h.s3(server, account.root)
    bucket = _versioned(root_s3)
    _, admin = h.new_user(iam, "admin", inline=h.policy(h.allow(["s3:*", "iam:*"])))
    admin_device = mfa.enabled(iam, "admin")
    admin_s3 = h.s3(server, admin)
    assert h.fails(admin_s3.put_bucket_versioning, Bucket=bucket,
                   MFA=f"{admin_device.serial} {admin_device.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("InvalidRequest", 400)
    # An MFA session of the admin is still not the root user.
    got = h.client(server, "sts", admin).get_session_token(
        SerialNumber=admin_device.serial, TokenCode=admin_device.code(1))["Credentials"]
    session_s3 = h.s3(server, h.Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"]))
    root_device = mfa.enabled(iam, "root")
    assert h.fails(session_s3.put_bucket_versioning, Bucket=bucket,
                   MFA=f"{root_device.serial} {root_device.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("InvalidRequest", 400)
    # Another account's root user cannot use its device on this bucket either.
    other = h.new_account(server, "mfadel")
    other_device = mfa.enabled(h.client(server, "iam", other.root), "root")
    root_s3.put_bucket_policy(Bucket=bucket, Policy=h.policy(h.allow(
        "s3:PutBucketVersioning", h.bucket_arn(bucket), principal={"AWS": other.arn()})))
    assert h.fails(h.s3(server, other.root).put_bucket_versioning, Bucket=bucket,
                   MFA=f"{other_device.serial} {other_device.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("InvalidRequest", 400)
    # The owner's root user with a device of the other account: refused.
    assert h.fails(root_s3.put_bucket_versioning, Bucket=bucket,
                   MFA=f"{other_device.serial} {other_device.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("AccessDenied", 403)
    assert "MFADelete" not in root_s3.get_bucket_versioning(Bucket=bucket)


def test_mfa_with_the_aws_cli(tls: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    server = tls
    account = h.new_account(server, "mfacli")
    env = {**cli_env, "AWS_ACCESS_KEY_ID": account.root.access_key,
           "AWS_SECRET_ACCESS_KEY": account.root.secret_key, "AWS_CA_BUNDLE": str(server.verify)}
    seed_file = tmp_path / "seed.txt"
    made = aws_json(server, env, "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli",
                    "--outfile", str(seed_file), "--bootstrap-method", "Base32StringSeed")
    serial = made["VirtualMFADevice"]["SerialNumber"]
    device = mfa.Device(serial, seed_file.read_text().strip())
    assert base64.b32decode(device.seed)
    first, second = mfa.pair(device)
    aws(server, env, "iam", "enable-mfa-device", "--user-name", "root", "--serial-number", serial,
        "--authentication-code1", first, "--authentication-code2", second)
    code = device.code(1)
    creds = aws_json(server, env, "sts", "get-session-token", "--serial-number", serial,
                     "--token-code", code)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    replay = aws(server, env, "sts", "get-session-token", "--serial-number", serial, "--token-code", code,
                 check=False)
    assert replay.returncode != 0 and b"AccessDenied" in replay.stderr
    # MFA Delete through the CLI: a second device gives a fresh code at once.
    other = mfa.enabled(h.client(server, "iam", account.root), "root")
    bucket = h.unique("mfa-cli")
    aws(server, env, "s3api", "create-bucket", "--bucket", bucket)
    aws(server, env, "s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration",
        "Status=Enabled,MFADelete=Enabled", "--mfa", f"{other.serial} {other.code(1)}")
    got = aws_json(server, env, "s3api", "get-bucket-versioning", "--bucket", bucket)
    assert got == {"Status": "Enabled", "MFADelete": "Enabled"}


def test_x_amz_mfa_needs_https(plain: RunningServer, tls: RunningServer) -> None:
    """The same server over plain HTTP refuses the header before looking at the code."""
    account = h.new_account(tls, "mfadel")
    device = mfa.enabled(h.client(tls, "iam", account.root), "root")
    bucket = _versioned(h.s3(tls, account.root))
    s3 = h.s3(plain, account.root)
    code = device.code(1)
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket, MFA=f"{device.serial} {code}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("InvalidRequest", 400)
    assert "MFADelete" not in s3.get_bucket_versioning(Bucket=bucket)
    # The code was not used up: the same request over HTTPS succeeds.
    _on(h.s3(tls, account.root), bucket, device, code)
    assert s3.get_bucket_versioning(Bucket=bucket)["MFADelete"] == "Enabled"


def test_a_device_of_an_iam_user_named_root_is_no_root_device(tls: RunningServer) -> None:
    account = h.new_account(tls, "mfadel")
    iam = h.client(tls, "iam", account.root)
    _, admin = h.new_user(iam, "admin", inline=h.policy(h.allow(["iam:*", "s3:*"])))
    admin_iam = h.client(tls, "iam", admin)
    h.new_user(admin_iam, "root")
    fake = mfa.enabled(admin_iam, "root")
    s3 = h.s3(tls, account.root)
    bucket = _versioned(s3)
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket, MFA=f"{fake.serial} {fake.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("AccessDenied", 403)
