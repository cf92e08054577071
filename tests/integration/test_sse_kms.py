"""SSE-KMS as KMS governs it: the caller's own kms:GenerateDataKey / kms:Decrypt (cached keys
never stand in for a permission), disabled and pending-deletion keys, crypto-shredding once a
deleted key's window has passed, rotation, and the aws CLI."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.integration.iam_helpers import (
    Account,
    Creds,
    allow,
    bucket_arn,
    client,
    fails,
    new_user,
    policy,
    read,
    s3,
    unique,
)
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import aws, aws_json

DAY = 86400
DENIED = ("AccessDenied", 403)


def _kms(server: RunningServer, creds: Creds) -> Any:
    return client(server, "kms", creds)


@pytest.fixture(scope="module")
def key(server: RunningServer, account: Account) -> str:
    return str(_kms(server, account.root).create_key()["KeyMetadata"]["Arn"])


@pytest.fixture
def bkt(root_s3: Any) -> str:
    name = unique("ssekms")
    root_s3.create_bucket(Bucket=name)
    return name


def _s3_user(server: RunningServer, iam: Any, bucket: str, *kms_actions: str, key: str = "*") -> Any:
    statements = [allow(["s3:GetObject", "s3:PutObject"], bucket_arn(bucket, "*"))]
    if kms_actions:
        statements.append(allow(list(kms_actions), key))
    _, creds = new_user(iam, inline=policy(*statements))
    return s3(server, creds)


@pytest.mark.parametrize("bucket_key", [False, True])
def test_caller_needs_kms_permissions(server: RunningServer, iam: Any, root_s3: Any, bkt: str, key: str,
                                      bucket_key: bool) -> None:
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key, "BucketKeyEnabled": bucket_key}
    root_s3.put_object(Bucket=bkt, Key="secret", Body=b"kms data", **sse)
    root_s3.put_object(Bucket=bkt, Key="plain", Body=b"sse-s3 data")
    assert read(root_s3, bkt, "secret") == b"kms data"  # the root's read warms every cache
    s3_only = _s3_user(server, iam, bkt)
    assert read(s3_only, bkt, "plain") == b"sse-s3 data"
    assert fails(s3_only.get_object, Bucket=bkt, Key="secret") == DENIED
    assert fails(s3_only.put_object, Bucket=bkt, Key="new", Body=b"x", **sse) == DENIED
    assert s3_only.head_object(Bucket=bkt, Key="secret")["SSEKMSKeyId"] == key  # HEAD decrypts nothing
    reader = _s3_user(server, iam, bkt, "kms:Decrypt", key=key)
    assert read(reader, bkt, "secret") == b"kms data"
    assert fails(reader.put_object, Bucket=bkt, Key="new", Body=b"x", **sse) == DENIED
    writer = _s3_user(server, iam, bkt, "kms:GenerateDataKey", key=key)
    writer.put_object(Bucket=bkt, Key="new", Body=b"written", **sse)
    assert fails(writer.get_object, Bucket=bkt, Key="new") == DENIED
    assert read(reader, bkt, "new") == b"written"
    # Permission on another key does not help.
    other = _s3_user(server, iam, bkt, "kms:Decrypt", key=key.rsplit("/", 1)[0] + "/" + "0" * 36)
    assert fails(other.get_object, Bucket=bkt, Key="secret") == DENIED


def test_disabled_and_pending_deletion_keys(server: RunningServer, account: Account, root_s3: Any,
                                            bkt: str) -> None:
    k = _kms(server, account.root)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    body = os.urandom(150_000)
    root_s3.put_object(Bucket=bkt, Key="o", Body=body, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    k.disable_key(KeyId=key_id)
    assert fails(root_s3.get_object, Bucket=bkt, Key="o") == ("KMS.DisabledException", 400)
    assert fails(root_s3.put_object, Bucket=bkt, Key="p", Body=b"x", ServerSideEncryption="aws:kms",
                 SSEKMSKeyId=key_id) == ("KMS.DisabledException", 400)
    k.enable_key(KeyId=key_id)
    assert read(root_s3, bkt, "o") == body
    k.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert fails(root_s3.get_object, Bucket=bkt, Key="o") == ("KMS.KMSInvalidStateException", 400)
    k.cancel_key_deletion(KeyId=key_id)
    k.enable_key(KeyId=key_id)  # a cancelled deletion leaves the key disabled, as in AWS
    assert read(root_s3, bkt, "o") == body


def test_rotation_keeps_old_objects_readable(server: RunningServer, account: Account, root_s3: Any,
                                             bkt: str) -> None:
    k = _kms(server, account.root)
    key_id = k.create_key()["KeyMetadata"]["KeyId"]
    sse = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_id}
    root_s3.put_object(Bucket=bkt, Key="before", Body=b"old material", **sse)
    k.rotate_key_on_demand(KeyId=key_id)
    root_s3.put_object(Bucket=bkt, Key="after", Body=b"new material", **sse)
    assert read(root_s3, bkt, "before") == b"old material"
    assert read(root_s3, bkt, "after") == b"new material"


def test_deleted_key_shreds_its_objects(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        s3c = s3(server, Creds(server.access_key, server.secret_key))
        k = _kms(server, Creds(server.access_key, server.secret_key))
        key_id = k.create_key()["KeyMetadata"]["KeyId"]
        s3c.create_bucket(Bucket="shred")
        s3c.put_object(Bucket="shred", Key="gone", Body=b"x" * 200_000, ServerSideEncryption="aws:kms",
                       SSEKMSKeyId=key_id, BucketKeyEnabled=True)
        s3c.put_object(Bucket="shred", Key="kept", Body=b"still here")
        assert read(s3c, "shred", "gone") == b"x" * 200_000
        k.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    with running_server(data, extra_args=["--kms-test-clock-offset", str(8 * DAY)]) as server:
        s3c = s3(server, Creds(server.access_key, server.secret_key))
        code, status = fails(s3c.get_object, Bucket="shred", Key="gone")
        assert (code, status) == ("KMS.InvalidCiphertextException", 400)
        assert read(s3c, "shred", "kept") == b"still here"
    with running_server(data) as server:  # the clock back: the material is gone for good
        s3c = s3(server, Creds(server.access_key, server.secret_key))
        assert fails(s3c.get_object, Bucket="shred", Key="gone")[0] == "KMS.InvalidCiphertextException"


def test_aws_cli_sse_kms(server: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    created = aws_json(server, cli_env, "kms", "create-key", "--description", "cli")
    arn = created["KeyMetadata"]["Arn"]
    bucket = unique("cli-kms")
    aws(server, cli_env, "s3", "mb", f"s3://{bucket}")
    source = tmp_path / "f.bin"
    source.write_bytes(os.urandom(9 * 1024 * 1024))  # multipart through the CLI
    aws(server, cli_env, "s3", "cp", str(source), f"s3://{bucket}/f.bin", "--sse", "aws:kms",
        "--sse-kms-key-id", arn)
    head = aws_json(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "f.bin")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", arn)
    back = tmp_path / "back.bin"
    aws(server, cli_env, "s3", "cp", f"s3://{bucket}/f.bin", str(back))
    assert back.read_bytes() == source.read_bytes()
    aws(server, cli_env, "s3api", "put-bucket-encryption", "--bucket", bucket,
        "--server-side-encryption-configuration",
        '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"'
        + arn + '"}}]}')
    aws(server, cli_env, "s3", "cp", str(source), f"s3://{bucket}/g.bin")
    head = aws_json(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "g.bin")
    assert head["SSEKMSKeyId"] == arn
