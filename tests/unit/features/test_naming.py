"""Bucket naming rules for general purpose buckets, and object keys as data."""

from __future__ import annotations

import pytest

from ironbucket.errors import (
    InvalidArgument,
    InvalidBucketName,
    InvalidObjectName,
    KeyTooLongError,
    UserKeyMustBeSpecified,
)
from ironbucket.features.naming import is_valid_bucket_name, validate_bucket_name, validate_object_key

VALID_BUCKETS = [
    "abc",
    "a" * 63,
    "my-bucket",
    "my.bucket.name",
    "1bucket",
    "bucket1",
    "123",
    "a-b-c",
    "a--b",  # double hyphen in the middle is fine
    "docexamplebucket1",
    "log-delivery-write",
    "1.2.3",  # three numbers is not an IP address
    "1.2.3.4a",
    "xn-bucket",
    "sthree",
    "bucket-s3alias-not-at-end",
    "s3alias",
    "mrap",
    "bucket.mrap.x",
]

INVALID_BUCKETS = [
    ("", "empty"),
    ("ab", "too short"),
    ("a" * 64, "too long"),
    ("MyBucket", "uppercase"),
    ("my_bucket", "underscore"),
    ("my bucket", "space"),
    ("-bucket", "starts with hyphen"),
    ("bucket-", "ends with hyphen"),
    (".bucket", "starts with dot"),
    ("bucket.", "ends with dot"),
    ("my..bucket", "adjacent dots"),
    ("my-.bucket", "hyphen before dot"),
    ("my.-bucket", "hyphen after dot"),
    ("192.168.5.4", "IP address"),
    ("10.0.0.1", "IP address"),
    ("xn--bucket", "xn-- prefix"),
    ("sthree-bucket", "sthree- prefix"),
    ("sthree-configurator", "sthree- prefix"),
    ("amzn-s3-demo-bucket", "amzn-s3-demo- prefix"),
    ("bucket-s3alias", "-s3alias suffix"),
    ("bucket--ol-s3", "--ol-s3 suffix"),
    ("bucket.mrap", ".mrap suffix"),
    ("bucket--x-s3", "--x-s3 suffix"),
    ("bucket--use1-az4--x-s3", "directory bucket name"),
    ("bucket--table-s3", "--table-s3 suffix"),
    ("bück", "non-ASCII"),
    ("bucket\u0131", "dotless i"),
    ("b/ucket", "slash"),
    ("bucket\n", "newline"),
]


@pytest.mark.parametrize("name", VALID_BUCKETS)
def test_valid_bucket_names(name: str) -> None:
    assert is_valid_bucket_name(name)
    validate_bucket_name(name)


@pytest.mark.parametrize(("name", "why"), INVALID_BUCKETS, ids=[w for _, w in INVALID_BUCKETS])
def test_invalid_bucket_names(name: str, why: str) -> None:
    assert not is_valid_bucket_name(name)
    with pytest.raises(InvalidBucketName) as caught:
        validate_bucket_name(name)
    assert caught.value.fields == {"BucketName": name}
    assert caught.value.status == 400


VALID_KEYS = [
    "a",
    "../x",
    "a/../../b",
    "/leading/slash",
    "trailing/",
    "a//b",
    "\\",
    "..\\..\\windows",
    "\x00",
    "nul\x00inside",
    "\r\n\t",
    "./.",
    "..",
    "é" * 512,  # 1024 bytes exactly
    "x" * 1024,
    "😀" * 256,  # 1024 bytes exactly
    "%2e%2e/percent-looking",
    "?query#fragment",
]


@pytest.mark.parametrize("key", VALID_KEYS)
def test_keys_are_data_not_paths(key: str) -> None:
    validate_object_key(key)


@pytest.mark.parametrize(("key", "size"), [("x" * 1025, 1025), ("é" * 513, 1026), ("😀" * 257, 1028)])
def test_key_too_long_counts_utf8_bytes(key: str, size: int) -> None:
    with pytest.raises(KeyTooLongError) as caught:
        validate_object_key(key)
    assert caught.value.fields == {"Size": str(size), "MaxSizeAllowed": "1024"}


def test_empty_key() -> None:
    with pytest.raises(UserKeyMustBeSpecified):
        validate_object_key("")
    with pytest.raises(InvalidArgument):
        validate_object_key("", empty=InvalidArgument)


def test_key_without_utf8_form() -> None:
    with pytest.raises(InvalidObjectName):
        validate_object_key("broken\udcff")
