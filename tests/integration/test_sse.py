"""Server-side encryption end to end with boto3: SSE-S3 by default, SSE-KMS, SSE-C (over
HTTPS, as AWS requires), ranges of every mode, multipart, copies changing the encryption, the
bucket policy that demands aws:kms, and no plaintext anywhere in the data directory."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import allow_sse_c, make_client
from tests.integration.iam_helpers import deny, fails, policy, unique
from tests.integration.kms_helpers import kms
from tests.integration.server import RunningServer, start_server

MiB = 1024 * 1024
SEGMENT = 64 * 1024


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("sse") / "data", tls=True)
    yield running.https()
    running.stop()


@pytest.fixture(scope="module")
def s3s(tls_server: RunningServer) -> Any:
    return make_client(tls_server)


@pytest.fixture(scope="module")
def key_arn(tls_server: RunningServer) -> str:
    return str(kms(tls_server).create_key(Description="sse tests")["KeyMetadata"]["Arn"])


@pytest.fixture
def bkt(s3s: Any) -> str:
    name = unique("sse")
    s3s.create_bucket(Bucket=name)
    allow_sse_c(s3s, name)
    return name


def customer(key: bytes, prefix: str = "SSECustomer") -> dict[str, Any]:
    return {f"{prefix}Algorithm": "AES256", f"{prefix}Key": key}


def modes(key_arn: str, ckey: bytes) -> dict[str, dict[str, Any]]:
    return {
        "sse-s3": {},
        "sse-kms": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn},
        "sse-kms-bucket-key": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key_arn,
                               "BucketKeyEnabled": True},
        "sse-c": customer(ckey),
    }


def read_kwargs(mode: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mode.items() if k.startswith("SSECustomer")}


@pytest.mark.parametrize("size", [0, 1, 4096, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * MiB + 5, 9 * MiB + 3])
def test_every_object_is_sse_s3_by_default(s3s: Any, bkt: str, size: int) -> None:
    body = os.urandom(size)
    put = s3s.put_object(Bucket=bkt, Key="k", Body=body)
    assert put["ServerSideEncryption"] == "AES256"
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3s.get_object(Bucket=bkt, Key="k")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == body
    assert s3s.head_object(Bucket=bkt, Key="k")["ServerSideEncryption"] == "AES256"
    if size > 2 * MiB:  # ranges across the blocks a GET reads (big blobs: around the page cache)
        start, end = MiB - 7, 2 * MiB + SEGMENT + 9
        ranged = s3s.get_object(Bucket=bkt, Key="k", Range=f"bytes={start}-{end}")["Body"].read()
        assert ranged == body[start:end + 1]


def test_each_mode_reports_its_encryption(s3s: Any, bkt: str, key_arn: str) -> None:
    ckey = os.urandom(32)
    body = os.urandom(100_000)
    for name, mode in modes(key_arn, ckey).items():
        put = s3s.put_object(Bucket=bkt, Key=name, Body=body, **mode)
        head = s3s.head_object(Bucket=bkt, Key=name, **read_kwargs(mode))
        got = s3s.get_object(Bucket=bkt, Key=name, **read_kwargs(mode))
        assert got["Body"].read() == body, name
        for answer in (put, head, got):
            if name == "sse-c":
                assert answer["SSECustomerAlgorithm"] == "AES256"
                assert answer["SSECustomerKeyMD5"] == base64.b64encode(hashlib.md5(ckey).digest()).decode()
                assert "ServerSideEncryption" not in answer
            elif name.startswith("sse-kms"):
                assert answer["ServerSideEncryption"] == "aws:kms"
                assert answer["SSEKMSKeyId"] == key_arn
                assert answer.get("BucketKeyEnabled", False) is name.endswith("bucket-key")
            else:
                assert answer["ServerSideEncryption"] == "AES256"


def test_managed_key_aws_s3_when_no_key_is_named(tls_server: RunningServer, s3s: Any, bkt: str) -> None:
    put = s3s.put_object(Bucket=bkt, Key="k", Body=b"x", ServerSideEncryption="aws:kms")
    alias = kms(tls_server).describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert put["SSEKMSKeyId"] == alias["Arn"] and alias["KeyManager"] == "AWS"
    dsse = s3s.put_object(Bucket=bkt, Key="d", Body=b"y", ServerSideEncryption="aws:kms:dsse")
    assert dsse["ServerSideEncryption"] == "aws:kms:dsse"
    assert s3s.get_object(Bucket=bkt, Key="d")["Body"].read() == b"y"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ranges_return_exactly_the_plaintext(s3s: Any, key_arn: str, data: st.DataObject) -> None:
    ckey = b"k" * 32
    bucket = "sse-ranges"
    if not any(b["Name"] == bucket for b in s3s.list_buckets()["Buckets"]):
        s3s.create_bucket(Bucket=bucket)
        allow_sse_c(s3s, bucket)
    size = data.draw(st.integers(1, 5 * SEGMENT + 17), label="size")
    name = data.draw(st.sampled_from(sorted(modes(key_arn, ckey))), label="mode")
    mode = modes(key_arn, ckey)[name]
    body = os.urandom(size)
    s3s.put_object(Bucket=bucket, Key=name, Body=body, **mode)
    for _ in range(3):
        start = data.draw(st.integers(0, size - 1), label="start")
        end = data.draw(st.integers(start, size - 1), label="end")
        got = s3s.get_object(Bucket=bucket, Key=name, Range=f"bytes={start}-{end}", **read_kwargs(mode))
        assert got["ContentRange"] == f"bytes {start}-{end}/{size}"
        assert got["Body"].read() == body[start:end + 1]
    suffix = data.draw(st.integers(1, size), label="suffix")
    got = s3s.get_object(Bucket=bucket, Key=name, Range=f"bytes=-{suffix}", **read_kwargs(mode))
    assert got["Body"].read() == body[-suffix:]


def test_customer_keys(s3s: Any, bkt: str) -> None:
    ckey, other = os.urandom(32), os.urandom(32)
    body = os.urandom(300_000)
    s3s.put_object(Bucket=bkt, Key="c", Body=body, **customer(ckey))
    assert fails(s3s.get_object, Bucket=bkt, Key="c") == ("InvalidRequest", 400)
    assert fails(s3s.head_object, Bucket=bkt, Key="c") == ("400", 400)
    assert fails(s3s.get_object, Bucket=bkt, Key="c", **customer(other)) == ("AccessDenied", 403)
    assert fails(s3s.head_object, Bucket=bkt, Key="c", **customer(other)) == ("403", 403)
    assert s3s.get_object(Bucket=bkt, Key="c", **customer(ckey))["Body"].read() == body
    # A customer key on an object that has none is refused too.
    s3s.put_object(Bucket=bkt, Key="plain", Body=b"p")
    assert fails(s3s.get_object, Bucket=bkt, Key="plain", **customer(ckey)) == ("InvalidRequest", 400)
    # A malformed key (wrong length) is refused before anything is stored.
    assert fails(s3s.put_object, Bucket=bkt, Key="bad", Body=b"x",
                 SSECustomerAlgorithm="AES256", SSECustomerKey=os.urandom(16)) == ("InvalidArgument", 400)
    assert fails(s3s.head_object, Bucket=bkt, Key="bad")[1] == 404


def test_a_bucket_can_block_sse_c_writes(s3s: Any, bkt: str) -> None:
    """BlockedEncryptionTypes SSE-C: every write asking for a customer key is 403 AccessDenied,
    other writes go on, and SSE-C objects written before stay readable with their key."""
    ckey = os.urandom(32)
    fresh = unique("sse-new")
    s3s.create_bucket(Bucket=fresh)  # a new bucket blocks SSE-C, as on S3 since April 2026
    assert fails(s3s.put_object, Bucket=fresh, Key="k", Body=b"x", **customer(ckey)) == ("AccessDenied", 403)
    s3s.put_object(Bucket=bkt, Key="before", Body=b"old", **customer(ckey))
    s3s.put_object(Bucket=bkt, Key="plain", Body=b"p")

    def block(types: list[str]) -> None:
        s3s.put_bucket_encryption(Bucket=bkt, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
             "BlockedEncryptionTypes": {"EncryptionType": types}}]})

    block(["SSE-C"])
    rule = s3s.get_bucket_encryption(Bucket=bkt)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["BlockedEncryptionTypes"] == {"EncryptionType": ["SSE-C"]}
    source = {"Bucket": bkt, "Key": "plain"}
    refused = [
        fails(s3s.put_object, Bucket=bkt, Key="new", Body=b"x", **customer(ckey)),
        fails(s3s.copy_object, Bucket=bkt, Key="new", CopySource=source, **customer(ckey)),
        fails(s3s.create_multipart_upload, Bucket=bkt, Key="new", **customer(ckey)),
    ]
    assert refused == [("AccessDenied", 403)] * 3
    assert fails(s3s.head_object, Bucket=bkt, Key="new")[1] == 404
    assert s3s.get_object(Bucket=bkt, Key="before", **customer(ckey))["Body"].read() == b"old"
    # a copy out of an SSE-C object (its key as the copy source's) into another encryption is no SSE-C write
    copied = s3s.copy_object(Bucket=bkt, Key="out", CopySource={"Bucket": bkt, "Key": "before"},
                             **customer(ckey, "CopySourceSSECustomer"))
    assert copied["ServerSideEncryption"] == "AES256"
    assert s3s.put_object(Bucket=bkt, Key="sse-s3", Body=b"s")["ServerSideEncryption"] == "AES256"
    block(["NONE"])
    s3s.put_object(Bucket=bkt, Key="new", Body=b"x", **customer(ckey))
    assert s3s.get_object(Bucket=bkt, Key="new", **customer(ckey))["Body"].read() == b"x"


def test_multipart_parts_are_encrypted_as_they_arrive(s3s: Any, bkt: str, key_arn: str) -> None:
    ckey = os.urandom(32)
    for name, mode in modes(key_arn, ckey).items():
        created = s3s.create_multipart_upload(Bucket=bkt, Key=name, **mode)
        upload = created["UploadId"]
        parts = [os.urandom(5 * MiB + 3), os.urandom(70_000)]
        etags = []
        for number, part in enumerate(parts, 1):
            answer = s3s.upload_part(Bucket=bkt, Key=name, UploadId=upload, PartNumber=number, Body=part,
                                     **read_kwargs(mode))
            etags.append({"PartNumber": number, "ETag": answer["ETag"]})
        if name == "sse-c":  # every part needs the upload's key
            assert fails(s3s.upload_part, Bucket=bkt, Key=name, UploadId=upload, PartNumber=3,
                         Body=b"x") == ("InvalidRequest", 400)
            assert fails(s3s.upload_part, Bucket=bkt, Key=name, UploadId=upload, PartNumber=3,
                         Body=b"x", **customer(os.urandom(32))) == ("InvalidRequest", 400)
            assert created["SSECustomerAlgorithm"] == "AES256"
        else:
            assert created["ServerSideEncryption"] == mode.get("ServerSideEncryption", "AES256")
        s3s.complete_multipart_upload(Bucket=bkt, Key=name, UploadId=upload, MultipartUpload={"Parts": etags})
        whole = b"".join(parts)
        assert s3s.get_object(Bucket=bkt, Key=name, **read_kwargs(mode))["Body"].read() == whole, name
        across = f"bytes={len(parts[0]) - 10}-{len(parts[0]) + 10}"
        got = s3s.get_object(Bucket=bkt, Key=name, Range=across, **read_kwargs(mode))["Body"].read()
        assert got == whole[len(parts[0]) - 10:len(parts[0]) + 11]
        second = s3s.get_object(Bucket=bkt, Key=name, PartNumber=2, **read_kwargs(mode))["Body"].read()
        assert second == parts[1]


def test_copies_take_the_encryption_the_request_asks_for(s3s: Any, bkt: str, key_arn: str) -> None:
    ckey, new_key = os.urandom(32), os.urandom(32)
    body = os.urandom(200_000)
    s3s.put_object(Bucket=bkt, Key="src", Body=body, **customer(ckey))
    source = {"Bucket": bkt, "Key": "src"}
    # Reading an SSE-C source needs its key under the copy-source headers.
    assert fails(s3s.copy_object, Bucket=bkt, Key="dst", CopySource=source) == ("InvalidRequest", 400)
    assert fails(s3s.copy_object, Bucket=bkt, Key="dst", CopySource=source,
                 **customer(new_key, "CopySourceSSECustomer")) == ("AccessDenied", 403)
    copied = s3s.copy_object(Bucket=bkt, Key="dst", CopySource=source, ServerSideEncryption="aws:kms",
                             SSEKMSKeyId=key_arn, **customer(ckey, "CopySourceSSECustomer"))
    assert copied["ServerSideEncryption"] == "aws:kms" and copied["SSEKMSKeyId"] == key_arn
    assert s3s.get_object(Bucket=bkt, Key="dst")["Body"].read() == body
    # In place: SSE-KMS → SSE-C under a new key, then back to the SSE-S3 default.
    s3s.copy_object(Bucket=bkt, Key="dst", CopySource={"Bucket": bkt, "Key": "dst"}, **customer(new_key))
    assert s3s.get_object(Bucket=bkt, Key="dst", **customer(new_key))["Body"].read() == body
    back = s3s.copy_object(Bucket=bkt, Key="dst", CopySource={"Bucket": bkt, "Key": "dst"},
                           **customer(new_key, "CopySourceSSECustomer"))
    assert back["ServerSideEncryption"] == "AES256"
    assert s3s.get_object(Bucket=bkt, Key="dst")["Body"].read() == body
    # UploadPartCopy opens an SSE-C source with its key and seals the part under the upload's.
    upload = s3s.create_multipart_upload(Bucket=bkt, Key="mp", ServerSideEncryption="aws:kms")["UploadId"]
    part = s3s.upload_part_copy(Bucket=bkt, Key="mp", UploadId=upload, PartNumber=1, CopySource=source,
                                CopySourceRange="bytes=100-999", **customer(ckey, "CopySourceSSECustomer"))
    s3s.complete_multipart_upload(Bucket=bkt, Key="mp", UploadId=upload, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert s3s.get_object(Bucket=bkt, Key="mp")["Body"].read() == body[100:1000]


def test_bucket_policy_requiring_sse_kms(s3s: Any, bkt: str, key_arn: str) -> None:
    s3s.put_bucket_policy(Bucket=bkt, Policy=policy(deny(
        "s3:PutObject", f"arn:aws:s3:::{bkt}/*", principal="*",
        condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}})))
    assert fails(s3s.put_object, Bucket=bkt, Key="k", Body=b"x") == ("AccessDenied", 403)
    assert fails(s3s.put_object, Bucket=bkt, Key="k", Body=b"x",
                 ServerSideEncryption="AES256") == ("AccessDenied", 403)
    put = s3s.put_object(Bucket=bkt, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    assert put["ServerSideEncryption"] == "aws:kms"


def test_bucket_default_encryption_applies_to_writes(s3s: Any, bkt: str, key_arn: str) -> None:
    s3s.put_bucket_encryption(Bucket=bkt, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
        "BucketKeyEnabled": True}]})
    put = s3s.put_object(Bucket=bkt, Key="k", Body=b"default")
    reported = (put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"])
    assert reported == ("aws:kms", key_arn, True)
    mp = s3s.create_multipart_upload(Bucket=bkt, Key="m")
    assert mp["ServerSideEncryption"] == "aws:kms" and mp["SSEKMSKeyId"] == key_arn
    # A request's own choice wins over the default.
    assert s3s.put_object(Bucket=bkt, Key="s", Body=b"s", ServerSideEncryption="AES256")[
        "ServerSideEncryption"] == "AES256"
    # aws:kms without a key takes the default's key.
    named = s3s.put_object(Bucket=bkt, Key="n", Body=b"n", ServerSideEncryption="aws:kms")
    assert named["SSEKMSKeyId"] == key_arn
    s3s.delete_bucket_encryption(Bucket=bkt)
    assert s3s.put_object(Bucket=bkt, Key="k2", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3s.get_object(Bucket=bkt, Key="k")["Body"].read() == b"default"


def test_bad_encryption_headers_are_refused(s3s: Any, bkt: str) -> None:
    assert fails(s3s.put_object, Bucket=bkt, Key="k", Body=b"x", ServerSideEncryption="rot13")[1] == 400
    assert fails(s3s.put_object, Bucket=bkt, Key="k", Body=b"x", SSEKMSKeyId="some-key") == (
        "InvalidArgument", 400)
    assert fails(s3s.put_object, Bucket=bkt, Key="k", Body=b"x", ServerSideEncryption="aws:kms",
                 SSEKMSKeyId="alias/no-such-key") == ("KMS.NotFoundException", 400)
    context = base64.b64encode(json.dumps({"project": "x"}).encode()).decode()
    put = s3s.put_object(Bucket=bkt, Key="ctx", Body=b"c", ServerSideEncryption="aws:kms",
                         SSEKMSEncryptionContext=context)
    assert put["ServerSideEncryption"] == "aws:kms"
    assert s3s.get_object(Bucket=bkt, Key="ctx")["Body"].read() == b"c"
    assert fails(s3s.head_object, Bucket=bkt, Key="k")[1] == 404  # nothing was stored


def test_writes_echo_the_encryption_context_the_request_gave(s3s: Any, bkt: str) -> None:
    """As S3 does: the request's own context (without the aws:s3:arn pair S3 adds), and no
    context header at all when the request gave none."""
    given = {"project": "x", "team": "storage"}
    context = base64.b64encode(json.dumps(given).encode()).decode()
    kms = {"ServerSideEncryption": "aws:kms", "SSEKMSEncryptionContext": context}
    echoed = [
        s3s.put_object(Bucket=bkt, Key="ctx", Body=b"c", **kms),
        s3s.put_object(Bucket=bkt, Key="ctx-bk", Body=b"c", BucketKeyEnabled=True, **kms),
        s3s.copy_object(Bucket=bkt, Key="ctx-copy", CopySource={"Bucket": bkt, "Key": "ctx"}, **kms),
        s3s.create_multipart_upload(Bucket=bkt, Key="ctx-mpu", **kms),
    ]
    for answer in echoed:
        assert json.loads(base64.b64decode(answer["SSEKMSEncryptionContext"])) == given
    for answer in (s3s.put_object(Bucket=bkt, Key="plain-kms", Body=b"c", ServerSideEncryption="aws:kms"),
                   s3s.put_object(Bucket=bkt, Key="sse-s3", Body=b"c")):
        assert "SSEKMSEncryptionContext" not in answer
    assert "SSEKMSEncryptionContext" not in s3s.head_object(Bucket=bkt, Key="ctx")


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def test_no_plaintext_in_the_data_directory(tls_server: RunningServer, s3s: Any, bkt: str,
                                            key_arn: str) -> None:
    marker = b"IRONBUCKET-PLAINTEXT-MARKER-" + os.urandom(8).hex().encode()
    small = marker * 4  # inline in the metadata row
    large = (marker + os.urandom(100)) * 20_000  # a blob
    s3s.put_object(Bucket=bkt, Key="small", Body=small)
    s3s.put_object(Bucket=bkt, Key="kms", Body=small, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    s3s.put_object(Bucket=bkt, Key="large", Body=large)
    s3s.put_object(Bucket=bkt, Key="c", Body=large, **customer(os.urandom(32)))
    upload = s3s.create_multipart_upload(Bucket=bkt, Key="mp")["UploadId"]
    etag = s3s.upload_part(Bucket=bkt, Key="mp", UploadId=upload, PartNumber=1, Body=large)["ETag"]
    s3s.complete_multipart_upload(Bucket=bkt, Key="mp", UploadId=upload,
                                  MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3s.get_object(Bucket=bkt, Key="large")["Body"].read() == large
    needle = marker[:24]
    found = [str(p) for p in _files(tls_server.data_dir) if needle in p.read_bytes()]
    assert found == []
    # The check can fail: the bytes really are what the objects hold.
    assert needle in large and needle in small
