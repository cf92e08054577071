"""Helpers for the authorization scenario tests: accounts, principals with keys, policies, and
clients for S3 / IAM / STS under any credentials (long-term or temporary)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer, clean_env

VERSION = "2012-10-17"
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


@dataclass(frozen=True)
class Creds:
    access_key: str
    secret_key: str
    token: str | None = None


@dataclass(frozen=True)
class Account:
    account_id: str
    root: Creds

    def arn(self, resource: str = "root") -> str:
        return f"arn:aws:iam::{self.account_id}:{resource}"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def new_account(server: RunningServer, name: str = "authz") -> Account:
    """A new account, created with the admin CLI while the server runs."""
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "admin", "--data-dir", str(server.data_dir),
                           "account", "create", unique(name), "--json"], env=clean_env(),
                          capture_output=True, timeout=60, check=True)
    created = json.loads(proc.stdout)
    return Account(created["AccountId"], Creds(created["AccessKeyId"], created["SecretAccessKey"]))


def client(server: RunningServer, service: str, creds: Creds, **config: Any) -> Any:
    return boto3.client(service, endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key,
                        aws_session_token=creds.token, verify=server.verify,
                        config=NO_RETRIES.merge(Config(**config)) if config else NO_RETRIES)


def s3(server: RunningServer, creds: Creds, headers: dict[str, str] | None = None) -> Any:
    """An S3 client; ``headers`` are added to every request (and signed)."""
    made = client(server, "s3", creds)
    if headers:
        def add(request: Any, **_: Any) -> None:
            for name, value in headers.items():
                request.headers[name] = value
        made.meta.events.register("before-sign.s3.*", add)
    return made


def control(server: RunningServer, creds: Creds) -> Any:
    """An S3 Control client. botocore sends S3 Control requests to ``<account>.<endpoint host>``,
    which does not resolve for 127.0.0.1: the client reaches the server as its HTTP proxy
    (the server accepts absolute-form request targets). Needs no NO_PROXY naming 127.0.0.1:
    use the ``no_proxy_bypass`` fixture."""
    return client(server, "s3control", creds, proxies={"http": server.endpoint})


def proxy_cli_env(server: RunningServer, account: Account) -> dict[str, str]:
    """Environment for the aws CLI under ``account``'s root keys, reaching the server as its
    HTTP proxy (see ``control``): pass it to ``aws`` from test_aws_cli with the server."""
    env = clean_env({"AWS_ACCESS_KEY_ID": account.root.access_key,
                     "AWS_SECRET_ACCESS_KEY": account.root.secret_key, "AWS_DEFAULT_REGION": "us-east-1",
                     "HTTP_PROXY": server.endpoint})
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        env.pop(name, None)
    return env


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": VERSION, "Statement": list(statements)})


def statement(effect: str, actions: str | list[str], resources: str | list[str] = "*", *,
              principal: Any = None, condition: dict[str, Any] | None = None,
              sid: str | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"Effect": effect, "Action": actions, "Resource": resources}
    if sid is not None:
        made["Sid"] = sid
    if principal is not None:
        made["Principal"] = principal
    if condition is not None:
        made["Condition"] = condition
    return made


def allow(actions: str | list[str], resources: str | list[str] = "*", **kw: Any) -> dict[str, Any]:
    return statement("Allow", actions, resources, **kw)


def deny(actions: str | list[str], resources: str | list[str] = "*", **kw: Any) -> dict[str, Any]:
    return statement("Deny", actions, resources, **kw)


def trust(principal: Any, actions: str | list[str] = "sts:AssumeRole",
          condition: dict[str, Any] | None = None) -> str:
    made: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": actions}
    if condition is not None:
        made["Condition"] = condition
    return json.dumps({"Version": VERSION, "Statement": [made]})


def bucket_arn(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}" if key is None else f"arn:aws:s3:::{bucket}/{key}"


def new_user(iam: Any, name: str | None = None, *, inline: str | None = None,
             boundary: str | None = None, tags: dict[str, str] | None = None) -> tuple[str, Creds]:
    """A user with an access key (and optionally an inline policy / boundary); (arn, creds)."""
    name = name or unique("user")
    extra: dict[str, Any] = {}
    if boundary is not None:
        extra["PermissionsBoundary"] = boundary
    if tags:
        extra["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    arn = iam.create_user(UserName=name, **extra)["User"]["Arn"]
    if inline is not None:
        iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=inline)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return str(arn), Creds(key["AccessKeyId"], key["SecretAccessKey"])


def new_role(iam: Any, trust_policy: str, *, name: str | None = None, inline: str | None = None,
             **extra: Any) -> str:
    """A role (optionally with an inline policy); its ARN."""
    name = name or unique("role")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust_policy, **extra)["Role"]["Arn"]
    if inline is not None:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=inline)
    return str(arn)


def role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def assume(server: RunningServer, caller: Creds, role_arn: str, session: str = "session",
           **kwargs: Any) -> tuple[str, Creds]:
    """AssumeRole as ``caller``; (assumed-role ARN, temporary credentials)."""
    got = client(server, "sts", caller).assume_role(RoleArn=role_arn, RoleSessionName=session, **kwargs)
    c = got["Credentials"]
    creds = Creds(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    return str(got["AssumedRoleUser"]["Arn"]), creds


def fails(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int]:
    """(error code, HTTP status) of a call that must fail."""
    try:
        call(**kwargs)
    except ClientError as exc:
        return str(exc.response["Error"]["Code"]), int(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError(f"{getattr(call, '__name__', call)}({kwargs}) succeeded; expected an error")


def failure(call: Callable[..., Any], **kwargs: Any) -> ClientError:
    """The ClientError of a call that must fail (for its request id, message...)."""
    try:
        call(**kwargs)
    except ClientError as exc:
        return exc
    raise AssertionError(f"{getattr(call, '__name__', call)}({kwargs}) succeeded; expected an error")


ACCESS_DENIED = ("AccessDenied", 403)


def read(s3_client: Any, bucket: str, key: str) -> bytes:
    body: bytes = s3_client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def unsigned(method: str, url: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """An anonymous HTTP request with urllib; (status, body)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())


def explain(data_dir: Path, request_id: str, *, wait: float = 1.5, timeout: float = 5.0) -> str:
    """``ironbucket explain REQUEST-ID`` output, after ``wait`` seconds for the decision log's flush
    (traces are written within a second)."""
    deadline = time.monotonic() + timeout
    time.sleep(wait)
    while True:
        proc = subprocess.run([sys.executable, "-m", "ironbucket", "explain", request_id,
                               "--data-dir", str(data_dir)], env=clean_env(), capture_output=True,
                              text=True, timeout=60, check=False)
        if proc.returncode == 0 or time.monotonic() > deadline:
            assert proc.returncode == 0, proc.stderr
            return proc.stdout
        time.sleep(0.3)
