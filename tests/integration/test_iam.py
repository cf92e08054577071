"""IAM with boto3 against the real server: users, groups, roles, access keys, and IAM users'
keys authenticating requests. Each module works in an account of its own."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, clean_env, running_server

TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ALLOW_S3 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@dataclass(frozen=True)
class Account:
    account_id: str
    access_key: str
    secret_key: str


def fresh_account(data_dir: Path, name: str = "test") -> Account:
    """A new account, created with the admin CLI while the server runs."""
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "admin", "--data-dir", str(data_dir),
                           "account", "create", name, "--json"], env=clean_env(), capture_output=True,
                          timeout=60, check=True)
    created = json.loads(proc.stdout)
    return Account(created["AccountId"], created["AccessKeyId"], created["SecretAccessKey"])


def iam_client(server: RunningServer, access_key: str, secret_key: str) -> Any:
    return boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = exc.value.response
    return (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"],
            response["Error"]["Message"])


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def account(server: RunningServer) -> Account:
    return fresh_account(server.data_dir, "iam-tests")


@pytest.fixture(scope="module")
def iam(server: RunningServer, account: Account) -> Any:
    return iam_client(server, account.access_key, account.secret_key)


def test_users_create_list_paginate_delete(iam: Any, account: Account) -> None:
    path = f"/{unique('t')}/"
    created = iam.create_user(UserName="Alice", Path=path, Tags=[{"Key": "team", "Value": "core"}])["User"]
    assert created["Arn"] == f"arn:aws:iam::{account.account_id}:user{path}Alice"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    for i in range(4):
        iam.create_user(UserName=f"user{i}", Path=path)
    got = iam.get_user(UserName="alice")["User"]
    assert got["UserName"] == "Alice" and got["Tags"] == [{"Key": "team", "Value": "core"}]
    pages = list(iam.get_paginator("list_users").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [u["UserName"] for p in pages for u in p["Users"]] == ["Alice", "user0", "user1", "user2", "user3"]
    with pytest.raises(ClientError) as exists:
        iam.create_user(UserName="ALICE")
    assert error(exists)[:2] == ("EntityAlreadyExists", 409)
    iam.update_user(UserName="alice", NewUserName="Alicia")
    with pytest.raises(ClientError) as missing:
        iam.get_user(UserName="Alice")
    assert error(missing) == ("NoSuchEntity", 404, "The user with name Alice cannot be found.")
    for name in ("Alicia", "user0", "user1", "user2", "user3"):
        iam.delete_user(UserName=name)
    assert iam.list_users(PathPrefix=path)["Users"] == []


def test_validation_errors(iam: Any) -> None:
    with pytest.raises(ClientError) as bad_name:
        iam.create_user(UserName="no spaces please")
    code, status, message = error(bad_name)
    assert (code, status) == ("ValidationError", 400) and "userName" in message
    with pytest.raises(ClientError) as bad_path:
        iam.create_group(GroupName=unique("g"), Path="relative/")
    assert error(bad_path)[:2] == ("ValidationError", 400)
    with pytest.raises(ClientError) as bad_duration:
        iam.create_role(RoleName=unique("r"), AssumeRolePolicyDocument=json.dumps(TRUST),
                        MaxSessionDuration=50000)
    assert error(bad_duration)[:2] == ("ValidationError", 400)


def test_groups_and_membership(iam: Any) -> None:
    group, users = unique("devs"), [unique("u") for _ in range(3)]
    assert iam.create_group(GroupName=group)["Group"]["GroupId"].startswith("AGPA")
    for user in users:
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName=group, UserName=user)
    pages = list(iam.get_paginator("get_group").paginate(GroupName=group, PaginationConfig={"PageSize": 2}))
    assert sorted(u["UserName"] for p in pages for u in p["Users"]) == sorted(users)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=users[0])["Groups"]] == [group]
    with pytest.raises(ClientError) as in_use:
        iam.delete_group(GroupName=group)
    assert error(in_use)[:2] == ("DeleteConflict", 409)
    with pytest.raises(ClientError) as member:
        iam.delete_user(UserName=users[0])
    assert error(member)[:2] == ("DeleteConflict", 409)
    for user in users:
        iam.remove_user_from_group(GroupName=group, UserName=user)
        iam.delete_user(UserName=user)
    iam.delete_group(GroupName=group)
    with pytest.raises(ClientError) as gone:
        iam.get_group(GroupName=group)
    assert error(gone)[:2] == ("NoSuchEntity", 404)


def test_roles(iam: Any, account: Account) -> None:
    name = unique("app")
    role = iam.create_role(RoleName=name, Path="/svc/", AssumeRolePolicyDocument=json.dumps(TRUST),
                           Description="the app", MaxSessionDuration=7200,
                           Tags=[{"Key": "env", "Value": "prod"}])["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account.account_id}:role/svc/{name}"
    assert role["RoleId"].startswith("AROA")
    got = iam.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"] == TRUST  # botocore decodes the URL-encoded JSON
    assert (got["Description"], got["MaxSessionDuration"]) == ("the app", 7200)
    iam.update_role(RoleName=name, Description="changed", MaxSessionDuration=3600)
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(TRUST))
    assert iam.get_role(RoleName=name)["Role"]["Description"] == "changed"
    assert name in [r["RoleName"] for r in iam.list_roles(PathPrefix="/svc/")["Roles"]]
    with pytest.raises(ClientError) as not_trust:
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(ALLOW_S3))
    assert error(not_trust)[:2] == ("MalformedPolicyDocument", 400)
    iam.tag_role(RoleName=name, Tags=[{"Key": "k", "Value": "v"}])
    iam.untag_role(RoleName=name, TagKeys=["env"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.delete_role(RoleName=name)


def test_access_keys(iam: Any) -> None:
    user = unique("keys")
    iam.create_user(UserName=user)
    first = iam.create_access_key(UserName=user)["AccessKey"]
    assert first["AccessKeyId"].startswith("AKIA") and len(first["SecretAccessKey"]) == 40
    iam.create_access_key(UserName=user)
    with pytest.raises(ClientError) as limit:
        iam.create_access_key(UserName=user)
    assert error(limit) == ("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")
    listed = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert len(listed) == 2 and all("SecretAccessKey" not in k for k in listed)
    iam.update_access_key(UserName=user, AccessKeyId=first["AccessKeyId"], Status="Inactive")
    metadata = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    statuses = {k["AccessKeyId"]: k["Status"] for k in metadata}
    assert statuses[first["AccessKeyId"]] == "Inactive"
    with pytest.raises(ClientError) as conflict:
        iam.delete_user(UserName=user)
    assert error(conflict) == ("DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
    for key in listed:
        iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user)


def _authenticates(exc: ClientError | None) -> bool:
    """True when a request got past authentication (it may still be denied by policy)."""
    return exc is None or exc.response["Error"]["Code"] == "AccessDenied"


def _try(call: Any, **kwargs: Any) -> ClientError | None:
    try:
        call(**kwargs)
    except ClientError as exc:
        return exc
    return None


def test_user_keys_authenticate_until_deactivated(server: RunningServer, iam: Any, account: Account) -> None:
    user = unique("caller")
    iam.create_user(UserName=user, Path="/callers/")
    iam.put_user_policy(UserName=user, PolicyName="s3", PolicyDocument=json.dumps(ALLOW_S3))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    s3 = make_client(server, key["AccessKeyId"], key["SecretAccessKey"])
    as_user = iam_client(server, key["AccessKeyId"], key["SecretAccessKey"])
    assert _authenticates(_try(s3.list_buckets))
    who = _try(as_user.get_user)
    assert _authenticates(who)
    if who is None:
        assert as_user.get_user()["User"]["Arn"] == f"arn:aws:iam::{account.account_id}:user/callers/{user}"
    wrong = make_client(server, key["AccessKeyId"], "x" * 40)
    refused = _try(wrong.list_buckets)
    assert refused is not None and refused.response["Error"]["Code"] == "SignatureDoesNotMatch"
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    inactive = _try(s3.list_buckets)
    assert inactive is not None and inactive.response["Error"]["Code"] == "InvalidAccessKeyId"
    iam.update_access_key(UserName=user, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert _authenticates(_try(s3.list_buckets))
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    deleted = _try(s3.list_buckets)
    assert deleted is not None and deleted.response["Error"]["Code"] == "InvalidAccessKeyId"
    iam.delete_user_policy(UserName=user, PolicyName="s3")
    iam.delete_user(UserName=user)


def test_last_used_is_recorded(server: RunningServer, iam: Any) -> None:
    user = unique("used")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    never = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert never["UserName"] == user and "LastUsedDate" not in never["AccessKeyLastUsed"]
    assert never["AccessKeyLastUsed"]["ServiceName"] == "N/A"
    _try(iam_client(server, key["AccessKeyId"], key["SecretAccessKey"]).get_user)
    deadline = time.monotonic() + 10
    used: dict[str, Any] = {}
    while time.monotonic() < deadline:
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
        if "LastUsedDate" in used:
            break
        time.sleep(0.2)
    assert used.get("ServiceName") == "iam" and used.get("Region") == "us-east-1" and "LastUsedDate" in used
    iam.delete_access_key(UserName=user, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=user)


def test_root_get_user_and_own_keys(iam: Any, account: Account) -> None:
    me = iam.get_user()["User"]
    assert me["Arn"] == f"arn:aws:iam::{account.account_id}:root" and me["UserId"] == account.account_id
    own = [k["AccessKeyId"] for k in iam.list_access_keys()["AccessKeyMetadata"]]
    assert account.access_key in own


def test_accounts_are_separate(server: RunningServer, iam: Any) -> None:
    other = fresh_account(server.data_dir, "other")
    theirs = iam_client(server, other.access_key, other.secret_key)
    name = unique("same-name")
    iam.create_user(UserName=name)
    theirs.create_user(UserName=name)  # names are unique per account only
    assert theirs.get_user(UserName=name)["User"]["Arn"].startswith(f"arn:aws:iam::{other.account_id}:")
    assert [u["UserName"] for u in theirs.list_users()["Users"]] == [name]
    iam.delete_user(UserName=name)
    assert theirs.get_user(UserName=name)["User"]["UserName"] == name


def test_deactivation_reaches_every_worker(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", workers=2) as server:
        root = iam_client(server, server.access_key, server.secret_key)
        root.create_user(UserName="w")
        key = root.create_access_key(UserName="w")["AccessKey"]
        s3 = make_client(server, key["AccessKeyId"], key["SecretAccessKey"])
        for _ in range(6):  # warm both workers' caches
            assert _authenticates(_try(s3.list_buckets))
        root.update_access_key(UserName="w", AccessKeyId=key["AccessKeyId"], Status="Inactive")
        for _ in range(6):
            refused = _try(s3.list_buckets)
            assert refused is not None and refused.response["Error"]["Code"] == "InvalidAccessKeyId"
