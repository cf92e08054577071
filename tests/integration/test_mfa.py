"""MFA devices (IAM) and MFA-authenticated sessions (STS), end to end with boto3."""

from __future__ import annotations

import base64
import time
from typing import Any

import pyotp

from tests.integration import iam_helpers as h
from tests.integration import mfa_helpers as mfa
from tests.integration.server import RunningServer


def _iam(server: RunningServer, account: h.Account) -> Any:
    return h.client(server, "iam", account.root)


def test_create_returns_seed_and_qr_png(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    made = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone", Path="/team/",
                                         Tags=[{"Key": "owner", "Value": "ops"}])["VirtualMFADevice"]
    assert made["Tags"] == [{"Key": "owner", "Value": "ops"}]
    assert made["SerialNumber"] == f"arn:aws:iam::{account.account_id}:mfa/team/phone"
    seed = made["Base32StringSeed"].decode()
    assert len(seed) == 64 and base64.b32decode(seed)
    assert made["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    assert h.fails(iam.create_virtual_mfa_device, VirtualMFADeviceName="phone",
                   Path="/team/") == ("EntityAlreadyExists", 409)
    listed = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in listed] == [made["SerialNumber"]]
    assert "Base32StringSeed" not in listed[0] and listed[0]["Tags"] == made["Tags"]


def test_enable_list_resync_deactivate_delete(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    _, _ = h.new_user(iam, "alice")
    device = mfa.create(iam)
    wrong = f"{(int(device.code(0)) + 1) % 1000000:06d}"
    assert h.fails(iam.enable_mfa_device, UserName="alice", SerialNumber=device.serial,
                   AuthenticationCode1=device.code(0), AuthenticationCode2=wrong
                   ) == ("InvalidAuthenticationCode", 403)
    # Two codes that are not consecutive steps are refused too.
    assert h.fails(iam.enable_mfa_device, UserName="alice", SerialNumber=device.serial,
                   AuthenticationCode1=device.code(-1), AuthenticationCode2=device.code(1)
                   ) == ("InvalidAuthenticationCode", 403)
    assert h.fails(iam.enable_mfa_device, UserName="nobody", SerialNumber=device.serial,
                   AuthenticationCode1=device.code(-1), AuthenticationCode2=device.code(0)
                   ) == ("NoSuchEntity", 404)
    first, second = mfa.pair(device)
    iam.enable_mfa_device(UserName="alice", SerialNumber=device.serial,
                          AuthenticationCode1=first, AuthenticationCode2=second)
    assert h.fails(iam.enable_mfa_device, UserName="alice", SerialNumber=device.serial,
                   AuthenticationCode1=device.code(0), AuthenticationCode2=device.code(1)
                   ) == ("EntityAlreadyExists", 409)
    listed = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("alice", device.serial)]
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "alice" and "EnableDate" in assigned[0]
    assert h.fails(iam.delete_virtual_mfa_device, SerialNumber=device.serial) == ("DeleteConflict", 409)
    # Resync with the codes already used (steps -1, 0) is a replay: refused.
    assert h.fails(iam.resync_mfa_device, UserName="alice", SerialNumber=device.serial,
                   AuthenticationCode1=device.code(-1), AuthenticationCode2=device.code(0)
                   ) == ("InvalidAuthenticationCode", 403)
    iam.deactivate_mfa_device(UserName="alice", SerialNumber=device.serial)
    assert iam.list_mfa_devices(UserName="alice")["MFADevices"] == []
    iam.delete_virtual_mfa_device(SerialNumber=device.serial)
    assert h.fails(iam.delete_virtual_mfa_device, SerialNumber=device.serial) == ("NoSuchEntity", 404)


def test_root_enables_its_own_device(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    device = mfa.enabled(iam, "root")
    listed = iam.list_mfa_devices()["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == [device.serial] and "UserName" not in listed[0]
    user = iam.list_virtual_mfa_devices()["VirtualMFADevices"][0]["User"]
    assert user["Arn"] == f"arn:aws:iam::{account.account_id}:root"


def test_mfa_session_passes_a_deny_unless_mfa_policy(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    root_s3 = h.s3(server, account.root)
    bucket = h.unique("mfa-bucket")
    root_s3.create_bucket(Bucket=bucket)
    root_s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    root_s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    document = h.policy(
        h.allow(["s3:GetObject", "s3:DeleteObject", "s3:PutObject"], h.bucket_arn(bucket, "*")),
        h.deny("s3:DeleteObject", h.bucket_arn(bucket, "*"),
               condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))
    _, creds = h.new_user(iam, "bob", inline=document)
    device = mfa.enabled(iam, "bob")
    assert h.fails(h.s3(server, creds).delete_object, Bucket=bucket, Key="a") == ("AccessDenied", 403)
    sts = h.client(server, "sts", creds)
    code = device.code(1)
    got = sts.get_session_token(SerialNumber=device.serial, TokenCode=code)["Credentials"]
    session = h.Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"])
    h.s3(server, session).delete_object(Bucket=bucket, Key="a")
    # The same code again is a replay.
    replay = h.failure(sts.get_session_token, SerialNumber=device.serial, TokenCode=code)
    assert replay.response["Error"]["Code"] == "AccessDenied"
    assert "invalid MFA one time pass code" in replay.response["Error"]["Message"]
    # A session without MFA stays denied.
    plain = sts.get_session_token()["Credentials"]
    plain_creds = h.Creds(plain["AccessKeyId"], plain["SecretAccessKey"], plain["SessionToken"])
    assert h.fails(h.s3(server, plain_creds).delete_object, Bucket=bucket, Key="b") == ("AccessDenied", 403)


def test_session_token_refuses_foreign_or_wrong_codes(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    _, creds = h.new_user(iam, "carol")
    root_device = mfa.enabled(iam, "root")
    sts = h.client(server, "sts", creds)
    # carol cannot use the root user's device, however good the code.
    assert h.fails(sts.get_session_token, SerialNumber=root_device.serial,
                   TokenCode=root_device.code(1)) == ("AccessDenied", 403)
    stale = pyotp.TOTP(root_device.seed).at(time.time() - 120)
    assert h.fails(h.client(server, "sts", account.root).get_session_token,
                   SerialNumber=root_device.serial, TokenCode=stale) == ("AccessDenied", 403)


def test_an_iam_user_named_root_is_not_the_root_user(server: RunningServer) -> None:
    """Devices belong to an owner id, not a name: an admin's IAM user called "root" gives the
    root user no MFA, and MFA Delete does not take its device."""
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    _, admin = h.new_user(iam, "admin", inline=h.policy(h.allow(["iam:*", "s3:*"])))
    admin_iam = h.client(server, "iam", admin)
    h.new_user(admin_iam, "root")
    fake = mfa.create(admin_iam)
    first, second = mfa.pair(fake)
    admin_iam.enable_mfa_device(UserName="root", SerialNumber=fake.serial,
                                AuthenticationCode1=first, AuthenticationCode2=second)
    assert iam.list_mfa_devices()["MFADevices"] == []  # the root user's own: none
    assert h.fails(h.client(server, "sts", account.root).get_session_token,
                   SerialNumber=fake.serial, TokenCode=fake.code(1)) == ("AccessDenied", 403)
    s3 = h.s3(server, account.root)
    bucket = h.unique("mfa-fake")
    s3.create_bucket(Bucket=bucket)
    # (MFA Delete over HTTPS refuses this device too: test_mfa_delete.py.)
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket, MFA=f"{fake.serial} {fake.code(1)}",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
                   ) == ("InvalidRequest", 400)  # x-amz-mfa over plain HTTP
    # A user with an MFA device cannot be deleted until it is deactivated.
    assert h.fails(admin_iam.delete_user, UserName="root") == ("DeleteConflict", 409)
    admin_iam.deactivate_mfa_device(UserName="root", SerialNumber=fake.serial)
    admin_iam.delete_access_key(UserName="root", AccessKeyId=admin_iam.list_access_keys(
        UserName="root")["AccessKeyMetadata"][0]["AccessKeyId"])
    admin_iam.delete_user(UserName="root")


def test_assume_role_with_mfa(server: RunningServer) -> None:
    account = h.new_account(server, "mfa")
    iam = _iam(server, account)
    user_arn, creds = h.new_user(iam, "dave", inline=h.policy(h.allow("sts:AssumeRole")))
    device = mfa.enabled(iam, "dave")
    bucket = h.unique("mfa-role")
    h.s3(server, account.root).create_bucket(Bucket=bucket)
    role = h.new_role(iam, h.trust({"AWS": user_arn},
                                   condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                      inline=h.policy(h.allow("s3:PutObject", h.bucket_arn(bucket, "*"),
                                              condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})))
    sts = h.client(server, "sts", creds)
    assert h.fails(sts.assume_role, RoleArn=role, RoleSessionName="ses") == ("AccessDenied", 403)
    code = device.code(1)
    _, session = h.assume(server, creds, role, SerialNumber=device.serial, TokenCode=code)
    h.s3(server, session).put_object(Bucket=bucket, Key="k", Body=b"x")  # the session carries MFA
    assert h.fails(sts.assume_role, RoleArn=role, RoleSessionName="ses", SerialNumber=device.serial,
                   TokenCode=code) == ("AccessDenied", 403)  # replayed
