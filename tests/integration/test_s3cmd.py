"""s3cmd against the server, signing with SigV4 and with SigV2, path-style addressing."""

from __future__ import annotations

import hashlib
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import keys, multipart_etag, read_tree, tool, write_tree

MIB = 1024 * 1024


class S3cmd:
    def __init__(self, server: RunningServer, env: dict[str, str], config: Path, cwd: Path) -> None:
        self.server, self.env, self.config, self.cwd = server, env, config, cwd

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([tool("s3cmd"), "-c", str(self.config), "--no-progress", *args], env=self.env,
                              cwd=self.cwd, capture_output=True, text=True, timeout=120, check=False)
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def rows(self, *args: str) -> list[list[str]]:
        """``ls``/``la`` output as [date, time, size, uri] rows, or ["DIR", uri]."""
        return [line.split(None, 3) if not line.lstrip().startswith("DIR") else line.split(None, 1)
                for line in self.run(*args).stdout.splitlines() if line.strip()]


def write_config(path: Path, server: RunningServer, *, signature_v2: bool,
                 secret_key: str | None = None) -> Path:
    host = f"{server.host}:{server.port}"
    path.write_text(
        "[default]\n"
        f"access_key = {server.access_key}\n"
        f"secret_key = {secret_key or server.secret_key}\n"
        f"host_base = {host}\n"
        f"host_bucket = {host}\n"  # path style: no DNS needed for bucket.localhost
        "use_https = False\n"
        f"signature_v2 = {signature_v2}\n"
        "bucket_location = us-east-1\n"
    )
    return path


@pytest.fixture(params=[False, True], ids=["sigv4", "sigv2"])
def s3cmd(request: pytest.FixtureRequest, server: RunningServer, cli_env: dict[str, str],
          tmp_path: Path) -> S3cmd:
    # only the config file speaks for s3cmd: no AWS_* variables it could fall back on
    env = {k: v for k, v in cli_env.items() if not k.startswith("AWS_")}
    config = write_config(tmp_path / "s3cfg", server, signature_v2=request.param)
    work = tmp_path / "work"
    work.mkdir()
    return S3cmd(server, env, config, work)


def test_signs_with_the_configured_version(s3cmd: S3cmd, bucket: str) -> None:
    debug = s3cmd.run("--debug", "ls", f"s3://{bucket}").stderr
    scheme = "'Authorization': 'AWS " if "signature_v2 = True" in s3cmd.config.read_text() \
        else "'Authorization': 'AWS4-HMAC-SHA256 "
    assert scheme in debug


def test_mb_ls_info_rb(s3cmd: S3cmd, s3: Any) -> None:
    name = f"s3cmd-{uuid.uuid4().hex[:12]}"
    assert s3cmd.run("mb", f"s3://{name}").stdout.strip() == f"Bucket 's3://{name}/' created"
    assert f"s3://{name}" in [row[-1] for row in s3cmd.rows("ls")]
    info = s3cmd.run("info", f"s3://{name}").stdout
    assert "Location:  us-east-1" in info
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    refused = s3cmd.run("rb", f"s3://{name}", check=False)
    assert refused.returncode != 0
    assert "409 (BucketNotEmpty)" in refused.stderr
    s3.delete_object(Bucket=name, Key="k")
    assert s3cmd.run("rb", f"s3://{name}").stdout.strip() == f"Bucket 's3://{name}/' removed"
    assert f"s3://{name}" not in [row[-1] for row in s3cmd.rows("ls")]


def test_put_get_small_and_multipart(s3cmd: S3cmd, s3: Any, bucket: str) -> None:
    small = os.urandom(1000)
    big = os.urandom(12 * MIB + 4321)  # 5 MiB chunks: 3 parts
    (s3cmd.cwd / "small.bin").write_bytes(small)
    (s3cmd.cwd / "big.bin").write_bytes(big)
    key = "dir/ü spaced+name.bin"
    s3cmd.run("put", "small.bin", f"s3://{bucket}/{key}")
    s3cmd.run("put", "--multipart-chunk-size-mb=5", "big.bin", f"s3://{bucket}/big.bin")
    assert s3.head_object(Bucket=bucket, Key=key)["ETag"] == f'"{hashlib.md5(small).hexdigest()}"'
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ETag"] == multipart_etag(big, 5 * MIB)
    assert head["ContentLength"] == len(big)

    s3cmd.run("get", f"s3://{bucket}/{key}", "small.out")
    s3cmd.run("get", f"s3://{bucket}/big.bin", "big.out")
    assert (s3cmd.cwd / "small.out").read_bytes() == small
    assert (s3cmd.cwd / "big.out").read_bytes() == big

    listed = s3cmd.rows("ls", f"s3://{bucket}")
    assert [row[2:] for row in listed if row[0] != "DIR"] == [[str(len(big)), f"s3://{bucket}/big.bin"]]
    assert ["DIR", f"s3://{bucket}/dir/"] in listed
    recursive = s3cmd.rows("ls", "--recursive", f"s3://{bucket}")
    assert [row[2:] for row in recursive] == [[str(len(big)), f"s3://{bucket}/big.bin"],
                                              [str(len(small)), f"s3://{bucket}/{key}"]]
    info = s3cmd.run("info", f"s3://{bucket}/big.bin").stdout
    assert f"File size: {len(big)}" in info
    # s3cmd keeps the real MD5 in its own x-amz-meta-s3cmd-attrs, which must come back intact
    assert f"MD5 sum:   {hashlib.md5(big).hexdigest()}" in info


def test_la_lists_every_bucket(s3cmd: S3cmd, tmp_path: Path) -> None:
    # `la` walks every bucket of the account: a private server, so no other test's bucket can
    # vanish halfway through the walk
    with running_server(tmp_path / "private") as private:
        client = make_client(private)
        for name, key in (("la-one", "a/1"), ("la-two", "top")):
            client.create_bucket(Bucket=name)
            client.put_object(Bucket=name, Key=key, Body=b"12345")
        v2 = "signature_v2 = True" in s3cmd.config.read_text()
        config = write_config(tmp_path / "private.cfg", private, signature_v2=v2)
        rows = S3cmd(private, s3cmd.env, config, s3cmd.cwd).rows("la")
        assert [row[-1] for row in rows] == ["s3://la-one/a/", "s3://la-two/top"]
        assert rows[1][2] == "5"
        recursive = S3cmd(private, s3cmd.env, config, s3cmd.cwd).rows("la", "--recursive")
        assert [row[2:] for row in recursive] == [["5", "s3://la-one/a/1"], ["5", "s3://la-two/top"]]


def test_sync_both_directions(s3cmd: S3cmd, s3: Any, bucket: str) -> None:
    files = {"a.txt": b"alpha", "sub/b.bin": os.urandom(150_000), "sub/deep/c d+é.txt": b"gamma"}
    write_tree(s3cmd.cwd / "tree", files)
    first = s3cmd.run("sync", "tree/", f"s3://{bucket}/t/").stdout
    assert first.count("upload: ") == len(files)
    assert sorted(keys(s3, bucket)) == sorted(f"t/{name}" for name in files)
    again = s3cmd.run("sync", "tree/", f"s3://{bucket}/t/").stdout
    assert "upload: " not in again

    s3cmd.run("sync", f"s3://{bucket}/t/", "restored/")
    assert read_tree(s3cmd.cwd / "restored") == files

    (s3cmd.cwd / "tree" / "a.txt").write_bytes(b"alpha changed")
    (s3cmd.cwd / "tree" / "sub" / "b.bin").unlink()
    changed = s3cmd.run("sync", "--delete-removed", "tree/", f"s3://{bucket}/t/").stdout
    assert "upload: 'tree/a.txt' -> " in changed
    assert f"delete: 's3://{bucket}/t/sub/b.bin'" in changed
    assert sorted(keys(s3, bucket)) == ["t/a.txt", "t/sub/deep/c d+é.txt"]
    assert s3.get_object(Bucket=bucket, Key="t/a.txt")["Body"].read() == b"alpha changed"


def test_del_and_recursive_del(s3cmd: S3cmd, s3: Any, bucket: str) -> None:
    for key in ("x/1", "x/2", "x/y/3", "xz", "keep"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert s3cmd.run("del", f"s3://{bucket}/keep").stdout.strip() == f"delete: 's3://{bucket}/keep'"
    removed = s3cmd.run("del", "--recursive", "--force", f"s3://{bucket}/x/").stdout.splitlines()
    assert sorted(removed) == [f"delete: 's3://{bucket}/x/{k}'" for k in ("1", "2", "y/3")]
    assert keys(s3, bucket) == ["xz"]


def test_copy_move_and_modify(s3cmd: S3cmd, s3: Any, bucket: str) -> None:
    body = os.urandom(70_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, ContentType="text/x-src")
    s3cmd.run("cp", f"s3://{bucket}/src", f"s3://{bucket}/copy")
    s3cmd.run("mv", f"s3://{bucket}/copy", f"s3://{bucket}/moved é")
    assert keys(s3, bucket) == ["moved é", "src"]
    assert s3.get_object(Bucket=bucket, Key="moved é")["Body"].read() == body
    # modify is an in-place CopyObject with x-amz-metadata-directive: REPLACE
    s3cmd.run("modify", "--add-header=Cache-Control:max-age=5", f"s3://{bucket}/src")
    head = s3.head_object(Bucket=bucket, Key="src")
    assert head["CacheControl"] == "max-age=5"
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == body
    usage = s3cmd.run("du", f"s3://{bucket}").stdout.split()
    assert usage[:3] == [str(2 * len(body)), "2", "objects"]


def test_errors_surface(s3cmd: S3cmd, server: RunningServer, bucket: str) -> None:
    missing = s3cmd.run("info", f"s3://{bucket}/nope", check=False)
    assert missing.returncode != 0
    assert "404 (NoSuchKey)" in missing.stderr
    no_bucket = s3cmd.run("ls", f"s3://{bucket}-missing", check=False)
    assert no_bucket.returncode != 0
    assert "404 (NoSuchBucket)" in no_bucket.stderr
    v2 = "signature_v2 = True" in s3cmd.config.read_text()
    wrong = write_config(s3cmd.cwd / "wrong.cfg", server, signature_v2=v2, secret_key="not-the-secret")
    denied = S3cmd(server, s3cmd.env, wrong, s3cmd.cwd).run("ls", check=False)
    assert denied.returncode != 0
    assert "403 (SignatureDoesNotMatch)" in denied.stderr
