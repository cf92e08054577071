"""rclone against the server: an S3 remote configured only through environment variables."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import keys, multipart_etag, read_tree, tool, write_tree
from tests.integration.test_buckets import error_code

MIB = 1024 * 1024
RCLONE_CHUNK = 5 * MIB  # rclone's default --s3-chunk-size

# rclone's defaults, and "always multipart": every upload (even an empty file) and every
# server-side copy goes through CreateMultipartUpload / UploadPart(Copy) / Complete; the latter
# also signed with SigV2, which rclone words differently from botocore ("/bucket", "?uploads").
ALWAYS_MULTIPART = ["--s3-upload-cutoff", "0", "--s3-copy-cutoff", "5Mi"]
MODES = {"defaults": [], "multipart": ALWAYS_MULTIPART,
         "sigv2-multipart": ["--s3-v2-auth", *ALWAYS_MULTIPART]}


class Rclone:
    def __init__(self, env: dict[str, str], flags: list[str], cwd: Path) -> None:
        self.env, self.flags, self.cwd = env, flags, cwd
        self.multipart = "--s3-upload-cutoff" in flags

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([tool("rclone"), "--retries", "1", "--low-level-retries", "1", *self.flags,
                               *args], env=self.env, cwd=self.cwd, capture_output=True, text=True,
                              timeout=120, check=False)
        if check:
            assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        return proc

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args).stdout)


def rclone_env(server: RunningServer, cli_env: dict[str, str], tmp_path: Path,
               secret_key: str | None = None) -> dict[str, str]:
    return {
        **cli_env,
        "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),  # never read: the remote is all in env
        "RCLONE_CONFIG_IB_TYPE": "s3",
        "RCLONE_CONFIG_IB_PROVIDER": "Other",
        "RCLONE_CONFIG_IB_ENDPOINT": server.endpoint,
        "RCLONE_CONFIG_IB_ACCESS_KEY_ID": server.access_key,
        "RCLONE_CONFIG_IB_SECRET_ACCESS_KEY": secret_key or server.secret_key,
        "RCLONE_CONFIG_IB_REGION": "us-east-1",
    }


@pytest.fixture(params=list(MODES))
def rclone(request: pytest.FixtureRequest, server: RunningServer, cli_env: dict[str, str],
           tmp_path: Path) -> Rclone:
    work = tmp_path / "work"
    work.mkdir()
    return Rclone(rclone_env(server, cli_env, tmp_path), MODES[request.param], work)


@pytest.fixture(scope="module")
def big_data() -> bytes:
    return os.urandom(30 * MIB + 999)  # 7 parts of 5 MiB when rclone goes multipart


def md5_lines(files: dict[str, bytes]) -> list[str]:
    return sorted(f"{hashlib.md5(data).hexdigest()}  {name}" for name, data in files.items())


def test_mkdir_copyto_cat_lsjson(rclone: Rclone, s3: Any, big_data: bytes) -> None:
    name = f"rclone-{uuid.uuid4().hex[:12]}"
    rclone.run("mkdir", f"ib:{name}")
    s3.head_bucket(Bucket=name)
    (rclone.cwd / "small.txt").write_bytes(b"small and plain")
    (rclone.cwd / "big.bin").write_bytes(big_data)
    rclone.run("copyto", "small.txt", f"ib:{name}/docs/small.txt")
    rclone.run("copyto", "big.bin", f"ib:{name}/big.bin")

    big_etag = s3.head_object(Bucket=name, Key="big.bin")["ETag"]
    small_etag = s3.head_object(Bucket=name, Key="docs/small.txt")["ETag"]
    if rclone.multipart:
        assert big_etag == multipart_etag(big_data, RCLONE_CHUNK)
        assert small_etag == multipart_etag(b"small and plain", RCLONE_CHUNK)  # one part
    else:  # below rclone's 200 MiB default cutoff: single PUTs
        assert big_etag == f'"{hashlib.md5(big_data).hexdigest()}"'
        assert small_etag == f'"{hashlib.md5(b"small and plain").hexdigest()}"'

    assert rclone.run("cat", f"ib:{name}/docs/small.txt").stdout == "small and plain"
    assert rclone.run("cat", "--offset", "6", "--count", "3", f"ib:{name}/docs/small.txt").stdout == "and"
    listing = {e["Path"]: e for e in rclone.json("lsjson", "-R", "--hash", f"ib:{name}")}
    assert sorted(listing) == ["big.bin", "docs", "docs/small.txt"]
    assert listing["docs"]["IsDir"] is True
    assert listing["big.bin"]["Size"] == len(big_data)
    # the MD5 of a multipart object comes from rclone's own X-Amz-Meta-Md5chksum
    assert listing["big.bin"]["Hashes"]["md5"] == hashlib.md5(big_data).hexdigest()
    assert listing["docs/small.txt"]["Hashes"]["md5"] == hashlib.md5(b"small and plain").hexdigest()

    rclone.run("copyto", f"ib:{name}/big.bin", "big.back")
    assert (rclone.cwd / "big.back").read_bytes() == big_data
    rclone.run("purge", f"ib:{name}")
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=name)
    assert error_code(exc) == "404"


def test_sync_check_and_hashes(rclone: Rclone, s3: Any, bucket: str) -> None:
    files = {"a.txt": b"alpha", "empty": b"", "sub/b.bin": os.urandom(300_000),
             "sub/deep/c d+é.txt": b"gamma", "sub/six.bin": os.urandom(6 * MIB)}
    write_tree(rclone.cwd / "tree", files)
    rclone.run("sync", "tree", f"ib:{bucket}/t")
    assert sorted(keys(s3, bucket)) == sorted(f"t/{n}" for n in files)
    check = rclone.run("check", "tree", f"ib:{bucket}/t")
    assert "0 differences found" in check.stderr
    assert f"{len(files)} matching files" in check.stderr
    # rclone's MD5s (ETag or its metadata) agree with the local files, and with `check --download`
    assert sorted(rclone.run("md5sum", f"ib:{bucket}/t").stdout.splitlines()) == md5_lines(files)
    assert sorted(rclone.run("hashsum", "md5", f"ib:{bucket}/t").stdout.splitlines()) == md5_lines(files)
    assert "0 differences found" in rclone.run("check", "--download", "tree", f"ib:{bucket}/t").stderr
    if rclone.multipart:
        assert s3.head_object(Bucket=bucket, Key="t/sub/six.bin")["ETag"].endswith('-2"')

    # a second sync moves nothing; a change and a deletion are carried over
    unchanged = rclone.run("sync", "-v", "tree", f"ib:{bucket}/t")
    assert "Copied" not in unchanged.stderr
    assert "Deleted" not in unchanged.stderr
    (rclone.cwd / "tree" / "a.txt").write_bytes(b"alpha, changed")
    (rclone.cwd / "tree" / "sub" / "b.bin").unlink()
    rclone.run("sync", "tree", f"ib:{bucket}/t")
    assert "t/sub/b.bin" not in keys(s3, bucket)
    assert s3.get_object(Bucket=bucket, Key="t/a.txt")["Body"].read() == b"alpha, changed"
    assert "0 differences found" in rclone.run("check", "tree", f"ib:{bucket}/t").stderr

    rclone.run("sync", f"ib:{bucket}/t", "restored")
    assert read_tree(rclone.cwd / "restored") == read_tree(rclone.cwd / "tree")

    # a difference is reported, and makes check fail
    s3.put_object(Bucket=bucket, Key="t/a.txt", Body=b"tampered")
    differs = rclone.run("check", "tree", f"ib:{bucket}/t", check=False)
    assert differs.returncode == 1
    assert "1 differences found" in differs.stderr


def test_lsf_delete_purge_and_server_side_copy(rclone: Rclone, s3: Any, bucket: str,
                                               big_data: bytes) -> None:
    for key in ("keep.txt", "d/1", "d/2", "d/e/3"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    s3.put_object(Bucket=bucket, Key="big", Body=big_data)
    assert rclone.run("lsf", f"ib:{bucket}").stdout.splitlines() == ["big", "d/", "keep.txt"]
    assert rclone.run("lsf", "-R", "--files-only", f"ib:{bucket}/d").stdout.splitlines() == [
        "1", "2", "e/3"]

    # server-side: CopyObject, or UploadPartCopy ranges past --s3-copy-cutoff
    rclone.run("copyto", f"ib:{bucket}/big", f"ib:{bucket}/big-copy")
    copied = s3.head_object(Bucket=bucket, Key="big-copy")["ETag"]
    expected = multipart_etag(big_data, RCLONE_CHUNK) if rclone.multipart \
        else f'"{hashlib.md5(big_data).hexdigest()}"'
    assert copied == expected
    assert s3.get_object(Bucket=bucket, Key="big-copy")["Body"].read() == big_data
    rclone.run("moveto", f"ib:{bucket}/keep.txt", f"ib:{bucket}/moved é.txt")

    rclone.run("delete", f"ib:{bucket}/d")
    assert sorted(keys(s3, bucket)) == ["big", "big-copy", "moved é.txt"]
    rclone.run("purge", f"ib:{bucket}")
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=bucket)
    assert error_code(exc) == "404"


def test_errors_surface(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str,
                        tmp_path: Path) -> None:
    ok = Rclone(rclone_env(server, cli_env, tmp_path), [], tmp_path)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    not_empty = ok.run("rmdir", f"ib:{bucket}", check=False)
    assert not_empty.returncode != 0
    assert "api error BucketNotEmpty" in not_empty.stderr
    missing = ok.run("lsjson", f"ib:{bucket}-missing", check=False)
    assert missing.returncode == 3  # rclone's "directory not found"
    wrong = Rclone(rclone_env(server, cli_env, tmp_path, secret_key="not-the-secret"), [], tmp_path)
    denied = wrong.run("lsf", f"ib:{bucket}", check=False)
    assert denied.returncode != 0
    assert "StatusCode: 403" in denied.stderr
    assert "api error SignatureDoesNotMatch" in denied.stderr
