from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from tests.integration import iam_helpers
from tests.integration.iam_helpers import Account, client, new_account
from tests.integration.server import RunningServer, clean_env, start_server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("ironbucket") / "data")
    yield running
    running.stop()


def make_client(server: RunningServer, access_key: str | None = None, secret_key: str | None = None,
                **config: Any) -> Any:
    """A boto3 S3 client with the installed botocore's default settings (checksums included)."""
    session = boto3.session.Session(
        aws_access_key_id=access_key or server.access_key,
        aws_secret_access_key=secret_key or server.secret_key,
        region_name="us-east-1",
    )
    return session.client("s3", endpoint_url=server.endpoint, verify=server.verify,
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config))


def allow_sse_c(client: Any, bucket: str) -> None:
    """New buckets block SSE-C writes (as on S3 since April 2026): unblock them."""
    client.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
         "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]})


@pytest.fixture(scope="session")
def s3(server: RunningServer) -> Any:
    return make_client(server)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"test-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def cli_env(server: RunningServer, tmp_path: Path) -> dict[str, str]:
    """Environment for the aws CLI, s3cmd and rclone, isolated from the machine's config."""
    config_file = tmp_path / "aws-config"
    config_file.write_text("[default]\nregion = us-east-1\n")
    return clean_env({
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
        "HOME": str(tmp_path),
    })


@pytest.fixture
def no_proxy_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients that reach the server as their HTTP proxy (S3 Control, virtual hosts): a NO_PROXY
    naming 127.0.0.1 would also match "<account>.127.0.0.1" and bypass the proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


# One account per test module, with its IAM and S3 clients under the root user's keys.
@pytest.fixture(scope="module")
def account(server: RunningServer, request: pytest.FixtureRequest) -> Account:
    return new_account(server, request.module.__name__.rsplit(".", 1)[-1].replace("_", "-"))


@pytest.fixture(scope="module")
def iam(server: RunningServer, account: Account) -> Any:
    return client(server, "iam", account.root)


@pytest.fixture(scope="module")
def root_s3(server: RunningServer, account: Account) -> Any:
    return iam_helpers.s3(server, account.root)
