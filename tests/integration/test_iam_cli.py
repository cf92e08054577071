"""IAM with the real ``aws`` CLI (v1): the commands an administrator types."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws, aws_json


def test_iam_cli_flow(server: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    user = f"cli-{uuid.uuid4().hex[:8]}"
    created = aws_json(server, cli_env, "iam", "create-user", "--user-name", user, "--path", "/cli/",
                       "--tags", "Key=team,Value=ops")
    assert created["User"]["Arn"].endswith(f":user/cli/{user}")
    listed = aws_json(server, cli_env, "iam", "list-users", "--path-prefix", "/cli/")
    assert user in [u["UserName"] for u in listed["Users"]]
    key = aws_json(server, cli_env, "iam", "create-access-key", "--user-name", user)["AccessKey"]
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40
    document = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    (tmp_path / "policy.json").write_text(json.dumps(document, indent=2))
    aws(server, cli_env, "iam", "put-user-policy", "--user-name", user, "--policy-name", "read",
        "--policy-document", f"file://{tmp_path / 'policy.json'}")
    got = aws_json(server, cli_env, "iam", "get-user-policy", "--user-name", user, "--policy-name", "read")
    assert got["PolicyDocument"] == document
    policy = aws_json(server, cli_env, "iam", "create-policy", "--policy-name", f"{user}-managed",
                      "--policy-document", f"file://{tmp_path / 'policy.json'}")["Policy"]
    aws(server, cli_env, "iam", "attach-user-policy", "--user-name", user, "--policy-arn", policy["Arn"])
    attached = aws_json(server, cli_env, "iam", "list-attached-user-policies", "--user-name", user)
    assert attached["AttachedPolicies"] == [{"PolicyName": f"{user}-managed", "PolicyArn": policy["Arn"]}]
    # Deleting a user that still holds things fails with AWS's error and a non-zero exit.
    refused = aws(server, cli_env, "iam", "delete-user", "--user-name", user, check=False)
    assert refused.returncode != 0 and b"DeleteConflict" in refused.stderr
    nope = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Nope","Resource":"*"}]}'
    bad = aws(server, cli_env, "iam", "put-user-policy", "--user-name", user, "--policy-name", "bad",
              "--policy-document", nope, check=False)
    assert bad.returncode != 0 and b"MalformedPolicyDocument" in bad.stderr and b"s3:Nope" in bad.stderr
    aws(server, cli_env, "iam", "detach-user-policy", "--user-name", user, "--policy-arn", policy["Arn"])
    aws(server, cli_env, "iam", "delete-policy", "--policy-arn", policy["Arn"])
    aws(server, cli_env, "iam", "delete-user-policy", "--user-name", user, "--policy-name", "read")
    aws(server, cli_env, "iam", "delete-access-key", "--user-name", user,
        "--access-key-id", key["AccessKeyId"])
    aws(server, cli_env, "iam", "delete-user", "--user-name", user)
    missing = aws(server, cli_env, "iam", "get-user", "--user-name", user, check=False)
    assert missing.returncode != 0 and b"NoSuchEntity" in missing.stderr


def test_iam_cli_roles_and_groups(server: RunningServer, cli_env: dict[str, str]) -> None:
    suffix = uuid.uuid4().hex[:8]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    role = aws_json(server, cli_env, "iam", "create-role", "--role-name", f"role-{suffix}",
                    "--assume-role-policy-document", trust)["Role"]
    assert role["RoleId"].startswith("AROA")
    got = aws_json(server, cli_env, "iam", "get-role", "--role-name", f"role-{suffix}")["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(trust)
    aws(server, cli_env, "iam", "create-group", "--group-name", f"group-{suffix}")
    aws(server, cli_env, "iam", "create-user", "--user-name", f"member-{suffix}")
    aws(server, cli_env, "iam", "add-user-to-group", "--group-name", f"group-{suffix}",
        "--user-name", f"member-{suffix}")
    group = aws_json(server, cli_env, "iam", "get-group", "--group-name", f"group-{suffix}")
    assert [u["UserName"] for u in group["Users"]] == [f"member-{suffix}"]
    aws(server, cli_env, "iam", "remove-user-from-group", "--group-name", f"group-{suffix}",
        "--user-name", f"member-{suffix}")
    for args in (("delete-user", "--user-name", f"member-{suffix}"),
                 ("delete-group", "--group-name", f"group-{suffix}"),
                 ("delete-role", "--role-name", f"role-{suffix}")):
        aws(server, cli_env, "iam", *args)
