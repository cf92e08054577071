"""Object metadata from headers: user metadata limits, system headers, directives, storage class."""

from __future__ import annotations

import pytest

from ironbucket.errors import InvalidArgument, InvalidStorageClass, MetadataTooLarge
from ironbucket.features.metadata import (
    Directive,
    metadata_directive,
    response_overrides,
    storage_class,
    system_metadata,
    tagging_directive,
    user_metadata,
    user_metadata_size,
)

USER_CASES: list[tuple[dict[str, str], dict[str, str]]] = [
    ({}, {}),
    ({"x-amz-meta-color": "blue"}, {"color": "blue"}),
    ({"x-amz-meta-a": "1", "x-amz-meta-b": "", "content-type": "text/plain"}, {"a": "1", "b": ""}),
    ({"x-amz-meta-spaces": "  kept as sent  "}, {"spaces": "  kept as sent  "}),
    ({"x-amz-meta-joined": "a,b"}, {"joined": "a,b"}),
    ({"x-amz-metadata-directive": "COPY", "x-amz-meta-": "empty name"}, {"": "empty name"}),
]


@pytest.mark.parametrize(("headers", "expected"), USER_CASES)
def test_user_metadata(headers: dict[str, str], expected: dict[str, str]) -> None:
    assert user_metadata(headers) == expected


@pytest.mark.parametrize(
    ("name", "value", "fits"),
    [
        ("k", "v" * 2047, True),  # 1 + 2047 = 2048: the prefix is not counted
        ("k", "v" * 2048, False),
        ("key", "é" * 1022, True),  # 3 + 2044 bytes of UTF-8
        ("key", "é" * 1023, False),
    ],
)
def test_user_metadata_limit(name: str, value: str, fits: bool) -> None:
    headers = {f"x-amz-meta-{name}": value}
    if fits:
        assert user_metadata(headers) == {name: value}
    else:
        with pytest.raises(MetadataTooLarge) as caught:
            user_metadata(headers)
        size = len(name) + len(value.encode())
        assert caught.value.fields == {"Size": str(size), "MaxSizeAllowed": "2048"}


def test_user_metadata_size_sums_names_and_values() -> None:
    assert user_metadata_size({"a": "bc", "é": "ü"}) == 3 + 4


SYSTEM_CASES: list[tuple[dict[str, str], dict[str, str]]] = [
    ({}, {}),
    (
        {
            "content-type": "text/plain",
            "cache-control": "no-cache",
            "content-disposition": 'attachment; filename="a.txt"',
            "content-encoding": "gzip",
            "content-language": "en",
            "expires": "Thu, 01 Dec 2094 16:00:00 GMT",
            "x-amz-meta-a": "not system",
            "content-length": "10",
        },
        {
            "content-type": "text/plain",
            "cache-control": "no-cache",
            "content-disposition": 'attachment; filename="a.txt"',
            "content-encoding": "gzip",
            "content-language": "en",
            "expires": "Thu, 01 Dec 2094 16:00:00 GMT",
        },
    ),
    ({"content-encoding": "aws-chunked"}, {}),
    ({"content-encoding": "aws-chunked,gzip"}, {"content-encoding": "gzip"}),
    ({"content-encoding": "gzip, AWS-Chunked"}, {"content-encoding": "gzip"}),
    ({"expires": "not a date"}, {"expires": "not a date"}),
]


@pytest.mark.parametrize(("headers", "expected"), SYSTEM_CASES)
def test_system_metadata(headers: dict[str, str], expected: dict[str, str]) -> None:
    assert system_metadata(headers) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(None, Directive.COPY), ("COPY", Directive.COPY), ("REPLACE", Directive.REPLACE)]
)
def test_directives(value: str | None, expected: Directive) -> None:
    for header, parse in (
        ("x-amz-metadata-directive", metadata_directive),
        ("x-amz-tagging-directive", tagging_directive),
    ):
        headers = {} if value is None else {header: value}
        assert parse(headers) is expected


@pytest.mark.parametrize("value", ["replace", "MOVE", "", " COPY"])
def test_unknown_directive(value: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        metadata_directive({"x-amz-metadata-directive": value})
    assert caught.value.message == "Unknown metadata directive."
    assert caught.value.fields == {"ArgumentName": "x-amz-metadata-directive", "ArgumentValue": value}
    with pytest.raises(InvalidArgument) as caught:
        tagging_directive({"x-amz-tagging-directive": value})
    assert caught.value.message == "Unknown tagging directive."


@pytest.mark.parametrize(
    "value",
    [
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
        "OUTPOSTS",
        "EXPRESS_ONEZONE",
        "SNOW",
    ],
)
def test_storage_class(value: str) -> None:
    assert storage_class({"x-amz-storage-class": value}) == value


def test_storage_class_default() -> None:
    assert storage_class({}) == "STANDARD"


@pytest.mark.parametrize("value", ["standard", "COLD", "", "FSX_ONTAP"])
def test_invalid_storage_class(value: str) -> None:
    with pytest.raises(InvalidStorageClass) as caught:
        storage_class({"x-amz-storage-class": value})
    assert caught.value.fields == {"StorageClassRequested": value}


def test_response_overrides() -> None:
    query = {
        "response-content-type": "application/json",
        "response-content-language": "fr",
        "response-expires": "Thu, 01 Dec 2094 16:00:00 GMT",
        "response-cache-control": "no-store",
        "response-content-disposition": "inline",
        "response-content-encoding": "identity",
        "response-other": "ignored",
        "versionId": "v1",
    }
    assert response_overrides(query) == {
        "Content-Type": "application/json",
        "Content-Language": "fr",
        "Expires": "Thu, 01 Dec 2094 16:00:00 GMT",
        "Cache-Control": "no-store",
        "Content-Disposition": "inline",
        "Content-Encoding": "identity",
    }
    assert response_overrides({}) == {}
