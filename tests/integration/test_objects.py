"""Object reads and writes as boto3 sees them."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_buckets import error_code, status


def test_put_get_head_delete_round_trip(s3: Any, bucket: str) -> None:
    body = os.urandom(300_000)  # above the inline threshold: stored as a blob
    put = s3.put_object(Bucket=bucket, Key="dir/file.bin", Body=body, ContentType="application/x-test",
                        Metadata={"color": "blue"}, CacheControl="max-age=60",
                        ContentDisposition="attachment", ContentLanguage="en",
                        Expires=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test"
    assert got["Metadata"] == {"color": "blue"}
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en"
    assert got["ETag"] == put["ETag"]
    head = s3.head_object(Bucket=bucket, Key="dir/file.bin")
    assert head["ContentLength"] == len(body)
    s3.delete_object(Bucket=bucket, Key="dir/file.bin")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert error_code(exc) == "NoSuchKey"


def test_small_and_empty_objects(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentLength"] == 0
    assert got["ContentType"] == "binary/octet-stream"
    s3.put_object(Bucket=bucket, Key="small", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="small")["Body"].read() == b"hello"


def test_overwrite_replaces(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two" * 100_000)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two" * 100_000
    s3.put_object(Bucket=bucket, Key="k", Body=b"three")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"three"


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-9", (0, 9)), ("bytes=10-", (10, 999)), ("bytes=-5", (995, 999)),
    ("bytes=990-5000", (990, 999)),
])
def test_ranges(s3: Any, bucket: str, header: str, expected: tuple[int, int]) -> None:
    body = os.urandom(1000)
    s3.put_object(Bucket=bucket, Key="r", Body=body)
    got = s3.get_object(Bucket=bucket, Key="r", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == body[expected[0]: expected[1] + 1]
    assert got["ContentRange"] == f"bytes {expected[0]}-{expected[1]}/1000"


def test_range_across_blob_blocks(s3: Any, bucket: str) -> None:
    body = os.urandom(3 * 1024 * 1024 + 17)
    s3.put_object(Bucket=bucket, Key="big", Body=body)
    start, end = 1024 * 1024 - 3, 2 * 1024 * 1024 + 5
    got = s3.get_object(Bucket=bucket, Key="big", Range=f"bytes={start}-{end}")
    assert got["Body"].read() == body[start: end + 1]


def test_unsatisfiable_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"abc")
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="r", Range="bytes=10-20")
    assert error_code(exc) == "InvalidRange"
    assert status(exc) == 416


def test_conditional_reads(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"data")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"data"
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfMatch='"nope"')
    assert status(exc) == 412
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert status(exc) == 304
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=past)
    assert status(exc) == 412
    # modified-since a moment that is after the write but not in the future
    time.sleep(1.1)
    after_write = dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=50)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key="c", IfModifiedSince=after_write)
    assert status(exc) == 304
    # a date in the future is not a valid validator (RFC 9110 §13.1.3) and is ignored
    assert s3.head_object(Bucket=bucket, Key="c", IfModifiedSince=future)["ContentLength"] == 4
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=past)["Body"].read() == b"data"


def test_conditional_writes(s3: Any, bucket: str) -> None:
    first = s3.put_object(Bucket=bucket, Key="cw", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="cw", Body=b"2", IfNoneMatch="*")
    assert status(exc) == 412
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="cw", Body=b"2", IfMatch='"0123"')
    assert status(exc) == 412
    s3.put_object(Bucket=bucket, Key="cw", Body=b"3", IfMatch=first["ETag"])
    assert s3.get_object(Bucket=bucket, Key="cw")["Body"].read() == b"3"


def test_response_overrides(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x", ContentType="text/plain")
    got = s3.get_object(Bucket=bucket, Key="o", ResponseContentType="image/png",
                        ResponseContentDisposition="inline; filename=a.png",
                        ResponseCacheControl="no-cache")
    assert got["ContentType"] == "image/png"
    assert got["ContentDisposition"] == "inline; filename=a.png"
    assert got["CacheControl"] == "no-cache"


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two")
    assert s3.head_object(Bucket=bucket, Key="t")["ResponseMetadata"]["HTTPHeaders"][
        "x-amz-tagging-count"] == "2"
    tags = s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == {"a": "1", "b": "two"}
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "c", "Value": "3"}]
    assert s3.get_object(Bucket=bucket, Key="t")["Body"].read() == b"x"  # data untouched
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []


def test_too_many_object_tags(s3: Any, bucket: str) -> None:
    tagging = "&".join(f"k{i}=v" for i in range(11))
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging=tagging)
    assert status(exc) == 400
    with pytest.raises(ClientError) as exc:
        s3.put_object_tagging(Bucket=bucket, Key="nope",
                              Tagging={"TagSet": [{"Key": "k" * 129, "Value": "v"}]})
    assert error_code(exc) == "InvalidTag"


def test_copy_object_directives(s3: Any, bucket: str) -> None:
    body = os.urandom(200_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, Metadata={"m": "1"}, Tagging="t=1",
                  ContentType="text/a")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    copied = s3.get_object(Bucket=bucket, Key="copy")
    assert copied["Body"].read() == body
    assert copied["Metadata"] == {"m": "1"}
    assert copied["ContentType"] == "text/a"
    assert s3.get_object_tagging(Bucket=bucket, Key="copy")["TagSet"] == [{"Key": "t", "Value": "1"}]
    s3.copy_object(Bucket=bucket, Key="copy2", CopySource={"Bucket": bucket, "Key": "src"},
                   MetadataDirective="REPLACE", Metadata={"n": "2"}, ContentType="text/b",
                   TaggingDirective="REPLACE", Tagging="u=2")
    replaced = s3.head_object(Bucket=bucket, Key="copy2")
    assert replaced["Metadata"] == {"n": "2"}
    assert replaced["ContentType"] == "text/b"
    assert s3.get_object_tagging(Bucket=bucket, Key="copy2")["TagSet"] == [{"Key": "u", "Value": "2"}]


def test_copy_in_place_needs_a_change(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="self", Body=b"x", Metadata={"a": "1"})
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"})
    assert error_code(exc) == "InvalidRequest"
    s3.copy_object(Bucket=bucket, Key="self", CopySource={"Bucket": bucket, "Key": "self"},
                   MetadataDirective="REPLACE", Metadata={"a": "2"})
    assert s3.head_object(Bucket=bucket, Key="self")["Metadata"] == {"a": "2"}


def test_copy_source_conditions(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="s", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket, "Key": "s"},
                       CopySourceIfMatch='"other"')
    assert status(exc) == 412
    s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket, "Key": "s"},
                   CopySourceIfMatch=etag)
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket, "Key": "s"},
                       CopySourceIfNoneMatch=etag)
    assert status(exc) == 412


def test_copy_missing_source(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.copy_object(Bucket=bucket, Key="d", CopySource={"Bucket": bucket, "Key": "missing"})
    assert error_code(exc) == "NoSuchKey"


def test_delete_objects_quiet_and_verbose(s3: Any, bucket: str) -> None:
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"d/{i}", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"d/{i}"} for i in range(3)]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["d/0", "d/1", "d/2"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d/3"}, {"Key": "d/4"}],
                                                     "Quiet": True})
    assert "Deleted" not in quiet
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_limit(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": f"k{i}"} for i in range(1001)]})
    assert error_code(exc) == "MalformedXML"


def test_get_object_attributes(s3: Any, bucket: str) -> None:
    body = b"attributes"
    s3.put_object(Bucket=bucket, Key="a", Body=body, ChecksumAlgorithm="SHA256")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="a",
                                     ObjectAttributes=["ETag", "Checksum", "ObjectSize", "StorageClass"])
    assert attrs["ETag"] == hashlib.md5(body).hexdigest()
    assert attrs["ObjectSize"] == len(body)
    assert attrs["StorageClass"] == "STANDARD"
    assert "ChecksumSHA256" in attrs["Checksum"]


def test_key_too_long(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(exc) == "KeyTooLongError"
    s3.put_object(Bucket=bucket, Key="k" * 1024, Body=b"x")


def test_metadata_too_large(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"big": "v" * 2100})
    assert error_code(exc) == "MetadataTooLarge"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="m")


@pytest.mark.parametrize("key", [
    "../x", "a/../../b", "%2e%2e/", "..\\..\\windows", "\\", "nul\x00byte", "é" * 512,
    "./.", "/leading-slash", "trailing/", "a//b", " spaces and+plus", "?query#frag&amp;",
])
def test_traversal_shaped_keys_are_ordinary_keys(s3: Any, bucket: str, key: str) -> None:
    body = key.encode("utf-8", "surrogatepass") * 3
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body
    # botocore asks for encoding-type=url itself and decodes the answer
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert key in listed
    s3.delete_object(Bucket=bucket, Key=key)


def test_unsupported_settings_are_refused(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", WebsiteRedirectLocation="/other")
    assert error_code(exc) == "NotImplemented"
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert error_code(exc) == "AccessControlListNotSupported"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")
