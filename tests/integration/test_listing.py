"""Listing: V1, V2, versions — pagination, delimiters, encodings."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.test_buckets import error_code

KEYS = sorted([
    "a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "b/c/4.txt", "d/5.txt", "e.txt", "f/g/h/6.txt",
    "photos/2024/jan.jpg", "photos/2024/feb.jpg", "photos/2025/mar.jpg", "z",
])


@pytest.fixture
def filled(s3: Any, bucket: str) -> str:
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def _v2_all(s3: Any, bucket: str, **kwargs: Any) -> tuple[list[str], list[str], int]:
    keys: list[str] = []
    prefixes: list[str] = []
    pages = 0
    token = None
    while True:
        args = dict(kwargs)
        if token:
            args["ContinuationToken"] = token
        page = s3.list_objects_v2(Bucket=bucket, **args)
        pages += 1
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] == len(page.get("Contents", [])) + len(page.get("CommonPrefixes", []))
        if not page["IsTruncated"]:
            return keys, prefixes, pages
        token = page["NextContinuationToken"]


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 1000])
def test_v2_pages_cover_everything_once(s3: Any, filled: str, page_size: int) -> None:
    keys, prefixes, _ = _v2_all(s3, filled, MaxKeys=page_size)
    assert keys == KEYS
    assert prefixes == []


@pytest.mark.parametrize("page_size", [1, 2, 1000])
def test_v2_delimiter(s3: Any, filled: str, page_size: int) -> None:
    keys, prefixes, _ = _v2_all(s3, filled, Delimiter="/", MaxKeys=page_size)
    assert keys == ["a.txt", "e.txt", "z"]
    assert prefixes == ["b/", "d/", "f/", "photos/"]
    keys, prefixes, _ = _v2_all(s3, filled, Delimiter="/", Prefix="photos/", MaxKeys=page_size)
    assert keys == []
    assert prefixes == ["photos/2024/", "photos/2025/"]
    keys, prefixes, _ = _v2_all(s3, filled, Delimiter="/", Prefix="b/", MaxKeys=page_size)
    assert keys == ["b/1.txt", "b/2.txt"]
    assert prefixes == ["b/c/"]


def test_v2_start_after_and_owner(s3: Any, filled: str) -> None:
    page = s3.list_objects_v2(Bucket=filled, StartAfter="d/5.txt", FetchOwner=True)
    assert [o["Key"] for o in page["Contents"]] == KEYS[KEYS.index("d/5.txt") + 1:]
    assert page["StartAfter"] == "d/5.txt"
    assert all(o["Owner"]["ID"] for o in page["Contents"])
    assert "Owner" not in s3.list_objects_v2(Bucket=filled)["Contents"][0]


def test_v2_entry_fields(s3: Any, filled: str) -> None:
    entry = s3.list_objects_v2(Bucket=filled, Prefix="a.txt")["Contents"][0]
    assert entry["Size"] == len("a.txt")
    assert entry["StorageClass"] == "STANDARD"
    assert entry["ETag"].startswith('"')


def test_v1_markers(s3: Any, filled: str) -> None:
    seen: list[str] = []
    marker = ""
    while True:
        page = s3.list_objects(Bucket=filled, Marker=marker, MaxKeys=4)
        seen += [o["Key"] for o in page.get("Contents", [])]
        if not page["IsTruncated"]:
            break
        marker = seen[-1]
    assert seen == KEYS


def test_v1_delimiter_next_marker(s3: Any, filled: str) -> None:
    keys: list[str] = []
    prefixes: list[str] = []
    marker = ""
    while True:
        page = s3.list_objects(Bucket=filled, Delimiter="/", Marker=marker, MaxKeys=2)
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    assert keys == ["a.txt", "e.txt", "z"]
    assert prefixes == ["b/", "d/", "f/", "photos/"]


def test_max_keys_zero_and_bad_values(s3: Any, filled: str) -> None:
    page = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert page["KeyCount"] == 0
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, MaxKeys=-1)
    assert error_code(exc) == "InvalidArgument"


def test_bad_continuation_token(s3: Any, filled: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="not-a-token!")
    assert error_code(exc) == "InvalidArgument"


def test_url_encoding_type_round_trip(s3: Any, bucket: str) -> None:
    odd = ["plus+sign", "space key", "percent%25", "uni-ü-€", "ctrl\x01char", "amp&lt;"]
    for key in odd:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert sorted(listed, key=lambda k: k.encode()) == listed
    assert set(listed) == set(odd)
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url")
    assert raw["EncodingType"] == "url"
    assert "space%20key" in [o["Key"] for o in raw["Contents"]]


def test_utf8_binary_order(s3: Any, bucket: str) -> None:
    keys = ["\u00e9", "z", "\U0001f600", "\uffee", "A", "a"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_list_object_versions_without_versioning(s3: Any, filled: str) -> None:
    page = s3.list_object_versions(Bucket=filled, Prefix="b/")
    versions = page["Versions"]
    assert [v["Key"] for v in versions] == [k for k in KEYS if k.startswith("b/")]
    assert all(v["VersionId"] == "null" and v["IsLatest"] for v in versions)
    keys: list[str] = []
    key_marker = ""
    while True:
        page = s3.list_object_versions(Bucket=filled, MaxKeys=3, KeyMarker=key_marker)
        keys += [v["Key"] for v in page.get("Versions", [])]
        if not page["IsTruncated"]:
            break
        key_marker = page["NextKeyMarker"]
    assert keys == KEYS
    delimited = s3.list_object_versions(Bucket=filled, Delimiter="/")
    assert [p["Prefix"] for p in delimited["CommonPrefixes"]] == ["b/", "d/", "f/", "photos/"]
