"""One authorization flow entirely through the real ``aws`` CLI (v1): a role, its policy, a user
assuming it, a bucket policy, and what the session may and may not do."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.iam_helpers import Creds, allow, bucket_arn, client, deny, new_user, policy, s3, unique
from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws, aws_json


def as_creds(env: dict[str, str], creds: Creds) -> dict[str, str]:
    changed = {**env, "AWS_ACCESS_KEY_ID": creds.access_key, "AWS_SECRET_ACCESS_KEY": creds.secret_key}
    changed.pop("AWS_SESSION_TOKEN", None)
    if creds.token:
        changed["AWS_SESSION_TOKEN"] = creds.token
    return changed


def test_role_flow_through_the_cli(server: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    root = Creds(server.access_key, server.secret_key)
    account_id = client(server, "sts", root).get_caller_identity()["Account"]
    bucket, role = unique("cli-authz"), unique("cli-reader")
    root_s3 = s3(server, root)
    root_s3.create_bucket(Bucket=bucket)
    root_s3.put_object(Bucket=bucket, Key="docs/readme.txt", Body=b"hello from the cli")
    root_s3.put_object(Bucket=bucket, Key="docs/secret/plan.txt", Body=b"secret")

    files = {
        "trust.json": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "sts:AssumeRole"}]}),
        "read.json": policy(allow(["s3:GetObject", "s3:ListBucket"],
                                  [bucket_arn(bucket), bucket_arn(bucket, "*")])),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    created = aws_json(server, cli_env, "iam", "create-role", "--role-name", role,
                       "--assume-role-policy-document", f"file://{tmp_path / 'trust.json'}")["Role"]
    role_arn = created["Arn"]
    assert role_arn == f"arn:aws:iam::{account_id}:role/{role}"
    aws(server, cli_env, "iam", "put-role-policy", "--role-name", role, "--policy-name", "read",
        "--policy-document", f"file://{tmp_path / 'read.json'}")

    _, user = new_user(client(server, "iam", root), inline=policy(allow("sts:AssumeRole", role_arn)))
    assumed = aws_json(server, as_creds(cli_env, user), "sts", "assume-role", "--role-arn", role_arn,
                       "--role-session-name", "cli-session")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{account_id}:assumed-role/{role}/cli-session"
    c = assumed["Credentials"]
    session_env = as_creds(cli_env, Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]))

    (tmp_path / "bucket.json").write_text(policy(
        deny("s3:GetObject", bucket_arn(bucket, "docs/secret/*"), principal={"AWS": role_arn})))
    aws(server, cli_env, "s3api", "put-bucket-policy", "--bucket", bucket,
        "--policy", f"file://{tmp_path / 'bucket.json'}")
    status = aws_json(server, cli_env, "s3api", "get-bucket-policy-status", "--bucket", bucket)
    assert status == {"PolicyStatus": {"IsPublic": False}}

    got = aws(server, session_env, "s3", "cp", f"s3://{bucket}/docs/readme.txt", "-")
    assert got.stdout == b"hello from the cli"
    (tmp_path / "upload.txt").write_text("not allowed")
    upload = aws(server, session_env, "s3", "cp", str(tmp_path / "upload.txt"), f"s3://{bucket}/docs/up.txt",
                 check=False)
    assert upload.returncode == 1 and b"AccessDenied" in upload.stderr, upload.stderr
    secret = aws(server, session_env, "s3api", "get-object", "--bucket", bucket, "--key",
                 "docs/secret/plan.txt", str(tmp_path / "plan.txt"), check=False)
    assert secret.returncode != 0 and b"AccessDenied" in secret.stderr, secret.stderr
    assert not (tmp_path / "plan.txt").exists()
