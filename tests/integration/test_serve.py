"""`ironbucket serve`: first start, credentials, configuration sources, one server per data dir."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import clean_env, free_port, running_server, start_server
from tests.integration.test_buckets import error_code


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_generates_root_keys_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data, root_keys=False) as server:
        banner = server.log()
        key = re.search(r"AWS_ACCESS_KEY_ID=(\S+)", banner)
        secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", banner)
        assert key and secret, banner
        assert f"endpoint : {server.endpoint}" in banner and "region   : us-east-1" in banner
        assert "aws --endpoint-url" in banner
        saved = json.loads((data / "root-credentials.json").read_text())
        assert (saved["AccessKeyId"], saved["SecretAccessKey"]) == (key.group(1), secret.group(1))
        assert re.fullmatch(r"\d{12}", saved["AccountId"])
        assert _mode(data / "root-credentials.json") == 0o600
        assert _mode(data / "master.key") == 0o600
        client = make_client(server, key.group(1), secret.group(1))
        client.create_bucket(Bucket="first-start")
        # the secret is sealed at rest: it appears in no metadata file
        for path in (data / "meta").iterdir():
            assert secret.group(1).encode() not in path.read_bytes(), path
    with running_server(data, root_keys=False) as again:
        assert "AWS_SECRET_ACCESS_KEY=" not in again.log().split("Use it with")[0]
        client = make_client(again, key.group(1), secret.group(1))
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["first-start"]


def test_region_and_toml_config(tmp_path: Path) -> None:
    port = free_port()
    config = tmp_path / "ironbucket.toml"
    config.write_text(f'address = "127.0.0.1:{port}"\nregion = "eu-west-1"\n')
    server = start_server(tmp_path / "data", port=port, extra_args=["--config", str(config)])
    try:
        client = make_client(server)
        with pytest.raises(ClientError) as exc:  # signed for us-east-1, served as eu-west-1
            client.list_buckets()
        assert error_code(exc) == "AuthorizationHeaderMalformed"
        eu = boto3.client("s3", endpoint_url=server.endpoint, region_name="eu-west-1",
                          aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key)
        with pytest.raises(ClientError) as exc:
            eu.create_bucket(Bucket="no-constraint")
        assert error_code(exc) == "IllegalLocationConstraintException"
        eu.create_bucket(Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert eu.get_bucket_location(Bucket="eu-bucket")["LocationConstraint"] == "eu-west-1"
        with pytest.raises(ClientError) as exc:
            eu.create_bucket(Bucket="eu-bucket",
                             CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert error_code(exc) == "BucketAlreadyOwnedByYou"
    finally:
        server.stop()


def test_environment_configures_the_server(tmp_path: Path) -> None:
    port = free_port()
    server = start_server(tmp_path / "data", port=port,
                          env={"IRONBUCKET_ADDRESS": f"127.0.0.1:{port}", "IRONBUCKET_WORKERS": "2"})
    try:
        assert "workers  : 2" in server.log()
        make_client(server).create_bucket(Bucket="from-env")
    finally:
        server.stop()


def test_one_server_per_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data):
        second = subprocess.run(
            [sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(data), "--address",
             f"127.0.0.1:{free_port()}"], capture_output=True, text=True, timeout=30,
            env=clean_env(), check=False)
        assert second.returncode == 1
        assert "in use by another ironbucket server" in second.stderr


def test_bad_option_is_reported(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(tmp_path),
                             "--workers", "zero"], capture_output=True, text=True, timeout=30,
                            env=clean_env(), check=False)
    assert result.returncode == 2
    assert "--workers" in result.stderr
