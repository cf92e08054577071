"""`aws iam simulate-principal-policy` / `simulate-custom-policy` run the enforcing engine."""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import boto3

from tests.integration.server import RunningServer

READ = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::sim/*"},
    {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::sim/secret/*"},
]}


def _iam(server: RunningServer) -> Any:
    return boto3.client("iam", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key)


def test_simulate_principal_policy(server: RunningServer) -> None:
    iam = _iam(server)
    name = f"sim-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=json.dumps(READ))
    results = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:GetObject", "s3:PutObject"],
        ResourceArns=["arn:aws:s3:::sim/a", "arn:aws:s3:::sim/secret/b"])["EvaluationResults"]
    decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}
    assert decisions == {
        ("s3:GetObject", "arn:aws:s3:::sim/a"): "allowed",
        ("s3:GetObject", "arn:aws:s3:::sim/secret/b"): "explicitDeny",
        ("s3:PutObject", "arn:aws:s3:::sim/a"): "implicitDeny",
        ("s3:PutObject", "arn:aws:s3:::sim/secret/b"): "implicitDeny",
    }
    allowed = next(r for r in results if r["EvalDecision"] == "allowed")
    assert allowed["MatchedStatements"][0]["SourcePolicyId"] == f"user/{name}/inline/read"


def test_simulate_custom_policy_with_context_via_cli(server: RunningServer,
                                                    cli_env: dict[str, str]) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::sim",
        "Condition": {"StringLike": {"s3:prefix": "home/*"}}}]}
    base = ["aws", "--endpoint-url", server.endpoint, "iam", "simulate-custom-policy", "--policy-input-list",
            json.dumps(policy), "--action-names", "s3:ListBucket", "--resource-arns", "arn:aws:s3:::sim",
            "--query", "EvaluationResults[0].EvalDecision", "--output", "text"]

    def run(prefix: str) -> str:
        entries = f"ContextKeyName=s3:prefix,ContextKeyValues={prefix},ContextKeyType=string"
        out = subprocess.run([*base, "--context-entries", entries], env=cli_env, capture_output=True,
                             text=True, timeout=60, check=True)
        return out.stdout.strip()

    assert run("home/alice/") == "allowed"
    assert run("other/") == "implicitDeny"
