"""Multipart uploads with boto3: parts, copies, completion rules, checksums, listings."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_buckets import error_code

MIB = 1024 * 1024


def _upload(s3: Any, bucket: str, key: str, parts: list[bytes], **create: Any) -> dict[str, Any]:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create)["UploadId"]
    done = []
    for number, data in enumerate(parts, start=1):
        extra = {"ChecksumAlgorithm": create["ChecksumAlgorithm"]} if "ChecksumAlgorithm" in create else {}
        answer = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data,
                                **extra)
        entry = {"PartNumber": number, "ETag": answer["ETag"]}
        for name in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumSHA1", "ChecksumSHA256",
                     "ChecksumCRC64NVME"):
            if name in answer and "ChecksumAlgorithm" in create:
                entry[name] = answer[name]
        done.append(entry)
    result: dict[str, Any] = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done})
    return result


def test_multipart_round_trip_and_etag(s3: Any, bucket: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(5 * MIB), os.urandom(1234)]
    result = _upload(s3, bucket, "mp", parts, Metadata={"k": "v"}, ContentType="text/mp")
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    assert result["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-3"'
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == b"".join(parts)
    assert got["Metadata"] == {"k": "v"}
    assert got["ContentType"] == "text/mp"
    part2 = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert part2["Body"].read() == parts[1]
    assert part2["PartsCount"] == 3
    assert part2["ContentRange"] == f"bytes {5 * MIB}-{10 * MIB - 1}/{10 * MIB + 1234}"
    attrs = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"])
    assert attrs["ObjectParts"]["TotalPartsCount"] == 3


def test_parts_too_small(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="small")["UploadId"]
    etags = [s3.upload_part(Bucket=bucket, Key="small", UploadId=upload_id, PartNumber=n,
                            Body=b"x" * 100)["ETag"] for n in (1, 2)]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="small", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags, strict=True)]})
    assert error_code(exc) == "EntityTooSmall"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="small")


def test_completion_validation(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="v")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="v", UploadId=upload_id, PartNumber=1, Body=b"x")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="v", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]})
    assert error_code(exc) == "InvalidPart"
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="v", UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": etag}, {"PartNumber": 1, "ETag": etag}]})
    assert error_code(exc) == "InvalidPartOrder"
    s3.complete_multipart_upload(Bucket=bucket, Key="v", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="v")["Body"].read() == b"x"
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="v", UploadId=upload_id, PartNumber=1, Body=b"y")
    assert error_code(exc) == "NoSuchUpload"


@pytest.mark.parametrize("number", [0, 10001])
def test_part_number_bounds(s3: Any, bucket: str, number: int) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="n")["UploadId"]
    with pytest.raises(ClientError) as exc:
        s3.upload_part(Bucket=bucket, Key="n", UploadId=upload_id, PartNumber=number, Body=b"x")
    assert error_code(exc) == "InvalidArgument"


def test_abort_and_list(s3: Any, bucket: str) -> None:
    ids = [s3.create_multipart_upload(Bucket=bucket, Key=f"dir/{i}")["UploadId"] for i in range(3)]
    s3.create_multipart_upload(Bucket=bucket, Key="top")
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert len(listed["Uploads"]) == 4
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["dir/"]
    assert [u["Key"] for u in grouped["Uploads"]] == ["top"]
    paged = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert paged["IsTruncated"]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=paged["NextKeyMarker"],
                                     UploadIdMarker=paged["NextUploadIdMarker"])
    assert len(paged["Uploads"]) + len(rest["Uploads"]) == 4
    s3.upload_part(Bucket=bucket, Key="dir/0", UploadId=ids[0], PartNumber=1, Body=b"abc")
    s3.abort_multipart_upload(Bucket=bucket, Key="dir/0", UploadId=ids[0])
    with pytest.raises(ClientError) as exc:
        s3.list_parts(Bucket=bucket, Key="dir/0", UploadId=ids[0])
    assert error_code(exc) == "NoSuchUpload"


def test_list_parts_pagination(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="p")["UploadId"]
    for number in range(1, 6):
        s3.upload_part(Bucket=bucket, Key="p", UploadId=upload_id, PartNumber=number, Body=b"z" * number)
    first = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert first["IsTruncated"]
    rest = s3.list_parts(Bucket=bucket, Key="p", UploadId=upload_id,
                         PartNumberMarker=first["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in rest["Parts"]] == [3, 4, 5]
    assert [p["Size"] for p in rest["Parts"]] == [3, 4, 5]


def test_upload_part_copy_with_range(s3: Any, bucket: str) -> None:
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "src"},
                                CopySourceRange=f"bytes=0-{5 * MIB - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "src"},
                                 CopySourceRange=f"bytes={5 * MIB}-{6 * MIB - 1}")
    s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == source
    with pytest.raises(ClientError) as exc:
        s3.upload_part_copy(Bucket=bucket, Key="dst2", UploadId=upload_id, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange=f"bytes=0-{7 * MIB}")
    assert error_code(exc) in {"InvalidArgument", "NoSuchUpload"}


@pytest.mark.parametrize(("algorithm", "checksum_type"), [
    ("CRC32", "COMPOSITE"), ("CRC32C", "FULL_OBJECT"), ("SHA256", "COMPOSITE"), ("CRC64NVME", "FULL_OBJECT"),
])
def test_multipart_checksums(s3: Any, bucket: str, algorithm: str, checksum_type: str) -> None:
    parts = [os.urandom(5 * MIB), os.urandom(777)]
    result = _upload(s3, bucket, "ck", parts, ChecksumAlgorithm=algorithm, ChecksumType=checksum_type)
    assert result["ChecksumType"] == checksum_type
    value = result[f"Checksum{algorithm}"]
    if checksum_type == "COMPOSITE":
        assert value.endswith("-2")
    got = s3.get_object(Bucket=bucket, Key="ck", ChecksumMode="ENABLED")
    assert got["Body"].read() == b"".join(parts)
    assert got[f"Checksum{algorithm}"] == value
    if checksum_type == "FULL_OBJECT" and algorithm == "CRC32C":
        import awscrt.checksums

        whole = awscrt.checksums.crc32c(b"".join(parts)).to_bytes(4, "big")
        assert value == base64.b64encode(whole).decode()


def test_conditional_complete(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="exists", Body=b"x")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="exists")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="exists", UploadId=upload_id, PartNumber=1, Body=b"y")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key="exists", UploadId=upload_id, IfNoneMatch="*",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert s3.get_object(Bucket=bucket, Key="exists")["Body"].read() == b"x"
