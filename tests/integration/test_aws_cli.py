"""The real ``aws`` CLI (v1): the high-level ``s3`` commands and ``s3api``, as a user runs them."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer
from tests.integration.test_buckets import error_code

MIB = 1024 * 1024
CLI_PART = 8 * MIB  # the CLI's default multipart_chunksize (and multipart_threshold)


def tool(name: str) -> str:
    """The executable next to this interpreter (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is not installed"
    return found


def aws(server: RunningServer, env: dict[str, str], *args: str, stdin: bytes | None = None,
        check: bool = True, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.run([tool("aws"), "--endpoint-url", server.endpoint, "--output", "json", *args],
                          env=env, input=stdin, capture_output=True, timeout=120, cwd=cwd, check=False)
    if check:
        assert proc.returncode == 0, (args, proc.stdout.decode(), proc.stderr.decode())
    return proc


def aws_json(server: RunningServer, env: dict[str, str], *args: str) -> Any:
    return json.loads(aws(server, env, *args).stdout)


def lines(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return proc.stdout.decode().splitlines()


def multipart_etag(data: bytes, part_size: int) -> str:
    digests = b"".join(hashlib.md5(data[i:i + part_size]).digest() for i in range(0, len(data), part_size))
    return f'"{hashlib.md5(digests).hexdigest()}-{-(-len(data) // part_size)}"'


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def keys(s3: Any, bucket: str, prefix: str = "") -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("aws-cli") / "big.bin"
    path.write_bytes(os.urandom(20 * MIB + 12345))  # 3 parts of the CLI's 8 MiB
    return path


def test_mb_ls_rb(server: RunningServer, cli_env: dict[str, str], s3: Any) -> None:
    name = f"cli-{uuid.uuid4().hex[:12]}"
    assert lines(aws(server, cli_env, "s3", "mb", f"s3://{name}")) == [f"make_bucket: {name}"]
    assert name in [line.split()[-1] for line in lines(aws(server, cli_env, "s3", "ls"))]
    s3.put_object(Bucket=name, Key="k", Body=b"x")
    refused = aws(server, cli_env, "s3", "rb", f"s3://{name}", check=False)
    assert refused.returncode != 0
    assert b"BucketNotEmpty" in refused.stderr
    removed = lines(aws(server, cli_env, "s3", "rb", f"s3://{name}", "--force"))
    assert removed == [f"delete: s3://{name}/k", f"remove_bucket: {name}"]
    with pytest.raises(ClientError) as exc:
        s3.head_bucket(Bucket=name)
    assert error_code(exc) == "404"


def test_cp_small_up_and_down(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str,
                              tmp_path: Path) -> None:
    source = tmp_path / "hello.txt"
    source.write_bytes(b"hello, ironbucket\n")
    up = aws(server, cli_env, "s3", "cp", "--no-progress", "hello.txt", f"s3://{bucket}/dir/hello.txt",
             cwd=tmp_path)
    assert lines(up) == [f"upload: ./hello.txt to s3://{bucket}/dir/hello.txt"]
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ETag"] == f'"{hashlib.md5(source.read_bytes()).hexdigest()}"'
    assert head["ContentType"] == "text/plain"  # guessed by the CLI from the extension
    target = tmp_path / "down.txt"
    aws(server, cli_env, "s3", "cp", "--no-progress", f"s3://{bucket}/dir/hello.txt", str(target))
    assert target.read_bytes() == source.read_bytes()
    # stdin and stdout streams, and a key that needs escaping everywhere
    key = "ünï cødé/sp ace+plus%25?#.txt"
    aws(server, cli_env, "s3", "cp", "-", f"s3://{bucket}/{key}", stdin=b"streamed bytes")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"streamed bytes"
    assert aws(server, cli_env, "s3", "cp", f"s3://{bucket}/{key}", "-").stdout == b"streamed bytes"


def test_cp_multipart_up_down_and_copy(server: RunningServer, cli_env: dict[str, str], s3: Any,
                                       bucket: str, big_file: Path, tmp_path: Path) -> None:
    data = big_file.read_bytes()
    aws(server, cli_env, "s3", "cp", "--no-progress", str(big_file), f"s3://{bucket}/big.bin")
    head = aws_json(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == multipart_etag(data, CLI_PART)  # CreateMultipartUpload + 3 UploadPart
    down = tmp_path / "down.bin"
    aws(server, cli_env, "s3", "cp", "--no-progress", f"s3://{bucket}/big.bin", str(down))  # ranged GETs
    assert down.read_bytes() == data
    # S3 to S3: the CLI copies a large object with UploadPartCopy over byte ranges
    aws(server, cli_env, "s3", "cp", "--no-progress", f"s3://{bucket}/big.bin", f"s3://{bucket}/copy.bin")
    assert s3.head_object(Bucket=bucket, Key="copy.bin")["ETag"] == multipart_etag(data, CLI_PART)
    assert s3.get_object(Bucket=bucket, Key="copy.bin")["Body"].read() == data
    # the CLI's composite CRC32, as GetObjectAttributes reports it: no "-N" suffix there
    attrs = aws_json(server, cli_env, "s3api", "get-object-attributes", "--bucket", bucket, "--key",
                     "big.bin", "--object-attributes", "ETag", "Checksum", "ObjectParts", "ObjectSize")
    assert attrs["ETag"] == multipart_etag(data, CLI_PART).strip('"')
    assert attrs["ObjectSize"] == len(data)
    assert attrs["Checksum"]["ChecksumType"] == "COMPOSITE"
    assert "-" not in attrs["Checksum"]["ChecksumCRC32"]
    assert attrs["ObjectParts"]["TotalPartsCount"] == 3
    sizes = [p["Size"] for p in attrs["ObjectParts"]["Parts"]]
    assert sizes == [CLI_PART, CLI_PART, len(data) - 2 * CLI_PART]


def test_sync_both_directions(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str,
                              tmp_path: Path) -> None:
    local = tmp_path / "local"
    files = {"a.txt": b"alpha", "sub/b.bin": os.urandom(200_000), "sub/deeper/c d.txt": b"gamma",
             "é/ü.txt": b"unicode"}
    write_tree(local, files)
    remote = f"s3://{bucket}/backup/"
    first = aws(server, cli_env, "s3", "sync", "--no-progress", "local", remote, cwd=tmp_path)
    assert sorted(lines(first)) == sorted(f"upload: local/{name} to {remote}{name}" for name in files)
    assert sorted(keys(s3, bucket)) == sorted(f"backup/{name}" for name in files)
    assert lines(aws(server, cli_env, "s3", "sync", "--no-progress", str(local), remote)) == []

    restored = tmp_path / "restored"
    down = aws(server, cli_env, "s3", "sync", "--no-progress", remote, str(restored))
    assert len(lines(down)) == len(files)
    assert read_tree(restored) == files
    assert lines(aws(server, cli_env, "s3", "sync", "--no-progress", remote, str(restored))) == []

    # a changed size is re-sent; a local deletion reaches the bucket only with --delete
    (local / "a.txt").write_bytes(b"alpha, longer now")
    (local / "sub" / "b.bin").unlink()
    changed = aws(server, cli_env, "s3", "sync", "--no-progress", "local", remote, cwd=tmp_path)
    assert lines(changed) == [f"upload: local/a.txt to {remote}a.txt"]
    assert "backup/sub/b.bin" in keys(s3, bucket)
    deleted = aws(server, cli_env, "s3", "sync", "--no-progress", "--delete", str(local), remote)
    assert lines(deleted) == [f"delete: {remote}sub/b.bin"]
    assert "backup/sub/b.bin" not in keys(s3, bucket)
    assert s3.get_object(Bucket=bucket, Key="backup/a.txt")["Body"].read() == b"alpha, longer now"

    (restored / "extra.txt").write_bytes(b"only here")
    aws(server, cli_env, "s3", "sync", "--no-progress", "--delete", remote, str(restored))
    assert read_tree(restored) == read_tree(local)


def test_ls_recursive_and_prefixes(server: RunningServer, cli_env: dict[str, str], s3: Any,
                                   bucket: str) -> None:
    for key, size in {"top.txt": 3, "a/1": 10, "a/2": 20, "b/c/3": 30}.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size)

    def ls(*args: str) -> list[list[str]]:
        return [line.split() for line in lines(aws(server, cli_env, "s3", "ls", *args))]

    root = ls(f"s3://{bucket}/")
    assert [row for row in root if row[0] == "PRE"] == [["PRE", "a/"], ["PRE", "b/"]]
    assert [row[2:] for row in root if row[0] != "PRE"] == [["3", "top.txt"]]
    assert [row[2:] for row in ls(f"s3://{bucket}/a/")] == [["10", "1"], ["20", "2"]]
    assert ls(f"s3://{bucket}/b") == [["PRE", "b/"]]  # a prefix without its slash
    assert [row[2:] for row in ls(f"s3://{bucket}", "--recursive")] == [
        ["10", "a/1"], ["20", "a/2"], ["30", "b/c/3"], ["3", "top.txt"]]
    summary = lines(aws(server, cli_env, "s3", "ls", f"s3://{bucket}", "--recursive", "--summarize"))
    assert "Total Objects: 4" in [line.strip() for line in summary]
    assert "Total Size: 63" in [line.strip() for line in summary]


def test_rm_recursive(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str) -> None:
    for key in ("logs/1", "logs/2", "logs/deep/3", "logsbook", "keep/4"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    removed = aws(server, cli_env, "s3", "rm", f"s3://{bucket}/logs/", "--recursive")
    assert sorted(lines(removed)) == [f"delete: s3://{bucket}/logs/{k}" for k in ("1", "2", "deep/3")]
    assert keys(s3, bucket) == ["keep/4", "logsbook"]
    one = aws(server, cli_env, "s3", "rm", f"s3://{bucket}/keep/4")
    assert lines(one) == [f"delete: s3://{bucket}/keep/4"]
    assert keys(s3, bucket) == ["logsbook"]


@pytest.mark.parametrize("signature_version", ["s3", "s3v4"])
def test_presign(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str, tmp_path: Path,
                 signature_version: str) -> None:
    # awscli v1 presigns with SigV2 ("s3") unless the profile asks for s3v4
    env = cli_env
    if signature_version == "s3v4":
        config = tmp_path / "config-s3v4"
        config.write_text("[default]\nregion = us-east-1\ns3 =\n    signature_version = s3v4\n")
        env = {**cli_env, "AWS_CONFIG_FILE": str(config)}
    body = os.urandom(300_000)
    s3.put_object(Bucket=bucket, Key="shared/file.bin", Body=body)
    url = aws(server, env, "s3", "presign", f"s3://{bucket}/shared/file.bin",
              "--expires-in", "300").stdout.decode().strip()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert ("X-Amz-Signature" in query) is (signature_version == "s3v4")
    assert ("Signature" in query) is (signature_version == "s3")

    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        assert response.read() == body

    # twice over one connection: a bodiless GET must not cost the client its keep-alive
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        for _ in range(2):
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            assert response.status == 200
            assert response.read() == body
            assert response.getheader("connection") is None
    finally:
        connection.close()

    tampered = url.replace("/shared/file.bin", "/shared/other.bin")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(tampered, timeout=30)
    assert exc.value.code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in exc.value.read()


def test_presign_expired(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    # Expires of 0 seconds: the URL is already past due when it is fetched
    url = aws(server, cli_env, "s3", "presign", f"s3://{bucket}/k", "--expires-in", "0").stdout.decode()
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url.strip(), timeout=30)
    assert exc.value.code == 403
    text = exc.value.read()
    assert b"<Code>AccessDenied</Code>" in text
    assert b"<Message>Request has expired</Message>" in text


def test_s3api_put_object_metadata_and_tagging(server: RunningServer, cli_env: dict[str, str],
                                                bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_bytes(b"tagged and described")
    put = aws_json(server, cli_env, "s3api", "put-object", "--bucket", bucket, "--key", "doc.txt",
                   "--body", str(source), "--metadata", "color=blue,owner=ops",
                   "--tagging", "project=iron&stage=test", "--content-type", "text/x-doc",
                   "--cache-control", "max-age=60")
    assert put["ETag"] == f'"{hashlib.md5(source.read_bytes()).hexdigest()}"'
    head = aws_json(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "doc.txt")
    assert head["Metadata"] == {"color": "blue", "owner": "ops"}
    assert head["ContentType"] == "text/x-doc"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentLength"] == len(source.read_bytes())
    assert head["ETag"] == put["ETag"]
    assert head["TagCount"] == 2
    tags = aws_json(server, cli_env, "s3api", "get-object-tagging", "--bucket", bucket, "--key", "doc.txt")
    assert tags["TagSet"] == [{"Key": "project", "Value": "iron"}, {"Key": "stage", "Value": "test"}]
    out = tmp_path / "range.out"
    got = aws_json(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "doc.txt",
                   "--range", "bytes=4-9", str(out))
    assert got["ContentRange"] == f"bytes 4-9/{len(source.read_bytes())}"
    assert out.read_bytes() == b"ed and"


def test_s3api_list_objects_v2_pagination(server: RunningServer, cli_env: dict[str, str], s3: Any,
                                          bucket: str) -> None:
    names = [f"p/{i:02d}" for i in range(7)] + ["q/x", "r"]
    for name in names:
        s3.put_object(Bucket=bucket, Key=name, Body=b"x")

    def page(*args: str) -> Any:
        return aws_json(server, cli_env, "s3api", "list-objects-v2", "--bucket", bucket, *args)

    first = page("--prefix", "p/", "--max-items", "3")
    assert [c["Key"] for c in first["Contents"]] == names[:3]
    second = page("--prefix", "p/", "--max-items", "3", "--starting-token", first["NextToken"])
    assert [c["Key"] for c in second["Contents"]] == names[3:6]
    third = page("--prefix", "p/", "--max-items", "3", "--starting-token", second["NextToken"])
    assert [c["Key"] for c in third["Contents"]] == names[6:7]
    assert "NextToken" not in third
    # --page-size: the CLI follows continuation tokens on its own, 2 keys a request
    everything = page("--page-size", "2")
    assert [c["Key"] for c in everything["Contents"]] == names
    assert {c["Size"] for c in everything["Contents"]} == {1}
    folders = page("--delimiter", "/")
    assert [p["Prefix"] for p in folders["CommonPrefixes"]] == ["p/", "q/"]
    assert [c["Key"] for c in folders["Contents"]] == ["r"]


def test_s3api_delete_objects(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str) -> None:
    for name in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=name, Body=b"x")
    request = json.dumps({"Objects": [{"Key": "a"}, {"Key": "c"}, {"Key": "never-existed"}]})
    answer = aws_json(server, cli_env, "s3api", "delete-objects", "--bucket", bucket, "--delete", request)
    assert sorted(d["Key"] for d in answer["Deleted"]) == ["a", "c", "never-existed"]
    assert "Errors" not in answer
    assert keys(s3, bucket) == ["b"]
    quiet = json.dumps({"Objects": [{"Key": "b"}], "Quiet": True})
    assert aws(server, cli_env, "s3api", "delete-objects", "--bucket", bucket, "--delete", quiet).stdout \
        .strip() in (b"", b"{}")
    assert keys(s3, bucket) == []


def test_s3api_multipart(server: RunningServer, cli_env: dict[str, str], bucket: str, tmp_path: Path) -> None:
    chunks = [os.urandom(5 * MIB), os.urandom(777)]
    created = aws_json(server, cli_env, "s3api", "create-multipart-upload", "--bucket", bucket,
                       "--key", "mp.bin", "--content-type", "application/x-mp", "--metadata", "k=v")
    assert created["Bucket"] == bucket
    assert created["Key"] == "mp.bin"
    upload_id = created["UploadId"]
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        path = tmp_path / f"part{number}"
        path.write_bytes(chunk)
        uploaded = aws_json(server, cli_env, "s3api", "upload-part", "--bucket", bucket, "--key", "mp.bin",
                            "--upload-id", upload_id, "--part-number", str(number), "--body", str(path))
        assert uploaded["ETag"] == f'"{hashlib.md5(chunk).hexdigest()}"'
        parts.append({"PartNumber": number, "ETag": uploaded["ETag"]})
    listed = aws_json(server, cli_env, "s3api", "list-parts", "--bucket", bucket, "--key", "mp.bin",
                      "--upload-id", upload_id)
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed["Parts"]] == [
        (1, 5 * MIB, parts[0]["ETag"]), (2, 777, parts[1]["ETag"])]
    done = aws_json(server, cli_env, "s3api", "complete-multipart-upload", "--bucket", bucket,
                    "--key", "mp.bin", "--upload-id", upload_id,
                    "--multipart-upload", json.dumps({"Parts": parts}))
    data = b"".join(chunks)
    assert done["ETag"] == multipart_etag(data, 5 * MIB)
    assert done["Key"] == "mp.bin"
    out = tmp_path / "mp.out"
    got = aws_json(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "mp.bin", str(out))
    assert out.read_bytes() == data
    assert got["ContentType"] == "application/x-mp"
    assert got["Metadata"] == {"k": "v"}
    attrs = aws_json(server, cli_env, "s3api", "get-object-attributes", "--bucket", bucket, "--key", "mp.bin",
                     "--object-attributes", "ETag", "ObjectSize", "ObjectParts", "StorageClass")
    assert attrs["ETag"] == done["ETag"].strip('"')
    assert attrs["ObjectSize"] == len(data)
    assert attrs["StorageClass"] == "STANDARD"
    assert attrs["ObjectParts"]["TotalPartsCount"] == 2
    uploads = aws_json(server, cli_env, "s3api", "list-multipart-uploads", "--bucket", bucket)
    assert "Uploads" not in uploads


def test_s3api_multipart_sha256_composite(server: RunningServer, cli_env: dict[str, str], bucket: str,
                                          tmp_path: Path) -> None:
    chunks = [os.urandom(5 * MIB), os.urandom(4321)]
    upload_id = aws_json(server, cli_env, "s3api", "create-multipart-upload", "--bucket", bucket,
                         "--key", "sha.bin", "--checksum-algorithm", "SHA256")["UploadId"]
    parts = []
    for number, chunk in enumerate(chunks, start=1):
        path = tmp_path / f"part{number}"
        path.write_bytes(chunk)
        uploaded = aws_json(server, cli_env, "s3api", "upload-part", "--bucket", bucket, "--key", "sha.bin",
                            "--upload-id", upload_id, "--part-number", str(number), "--body", str(path),
                            "--checksum-algorithm", "SHA256")
        assert uploaded["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(chunk).digest()).decode()
        parts.append({"PartNumber": number, "ETag": uploaded["ETag"],
                      "ChecksumSHA256": uploaded["ChecksumSHA256"]})
    done = aws_json(server, cli_env, "s3api", "complete-multipart-upload", "--bucket", bucket,
                    "--key", "sha.bin", "--upload-id", upload_id,
                    "--multipart-upload", json.dumps({"Parts": parts}))
    composite = base64.b64encode(hashlib.sha256(
        b"".join(hashlib.sha256(c).digest() for c in chunks)).digest()).decode()
    assert done["ChecksumSHA256"] == f"{composite}-2"
    assert done["ChecksumType"] == "COMPOSITE"
    head = aws_json(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "sha.bin",
                    "--checksum-mode", "ENABLED")
    assert head["ChecksumSHA256"] == f"{composite}-2"
    # GetObjectAttributes gives the same value without the part count (as S3 does)
    attrs = aws_json(server, cli_env, "s3api", "get-object-attributes", "--bucket", bucket,
                     "--key", "sha.bin", "--object-attributes", "Checksum", "ObjectParts")
    assert attrs["Checksum"] == {"ChecksumSHA256": composite, "ChecksumType": "COMPOSITE"}
    assert [(p["PartNumber"], p["Size"], p["ChecksumSHA256"]) for p in attrs["ObjectParts"]["Parts"]] == [
        (1, 5 * MIB, parts[0]["ChecksumSHA256"]), (2, 4321, parts[1]["ChecksumSHA256"])]


def test_errors_surface(server: RunningServer, cli_env: dict[str, str], bucket: str, tmp_path: Path) -> None:
    missing = aws(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "nope",
                  str(tmp_path / "out"), check=False)
    assert missing.returncode == 255
    assert b"An error occurred (NoSuchKey) when calling the GetObject operation" in missing.stderr
    assert not (tmp_path / "out").exists()
    head = aws(server, cli_env, "s3api", "head-object", "--bucket", bucket, "--key", "nope", check=False)
    assert head.returncode == 255
    assert b"An error occurred (404) when calling the HeadObject operation: Not Found" in head.stderr
    no_bucket = aws(server, cli_env, "s3", "ls", f"s3://{bucket}-missing", check=False)
    assert no_bucket.returncode == 255
    assert b"(NoSuchBucket)" in no_bucket.stderr
    bad_name = aws(server, cli_env, "s3", "mb", "s3://Bad_Name", check=False)
    assert bad_name.returncode == 1
    assert b"(InvalidBucketName)" in bad_name.stderr
    wrong_secret = aws(server, {**cli_env, "AWS_SECRET_ACCESS_KEY": "not-the-secret"}, "s3", "ls",
                       check=False)
    assert wrong_secret.returncode == 255
    assert b"(SignatureDoesNotMatch)" in wrong_secret.stderr
    unknown_key = aws(server, {**cli_env, "AWS_ACCESS_KEY_ID": "AKIANOSUCHKEY0000000"}, "s3", "ls",
                      check=False)
    assert unknown_key.returncode == 255
    assert b"(InvalidAccessKeyId)" in unknown_key.stderr
    missing_file = aws(server, cli_env, "s3", "cp", f"s3://{bucket}/nope", str(tmp_path / "x"), check=False)
    assert missing_file.returncode == 1
    assert b"(404)" in missing_file.stderr
