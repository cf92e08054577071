"""Streaming multipart/form-data for PostObject."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.errors import S3Error
from ironbucket.http.form import MAX_PRE_DATA, ParsedForm, boundary_from_content_type, parse_form

BOUNDARY = "----WebKitFormBoundary7MA4YWxkTrZu0gW"


def form(
    fields: Sequence[tuple[str, str]],
    file: bytes | None = b"file content",
    *,
    filename: str = "photo.jpg",
    after: Sequence[tuple[str, str]] = (),
    boundary: str = BOUNDARY,
) -> bytes:
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    if file is not None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + file
            + b"\r\n"
        )
    for name, value in after:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)


async def stream(data: bytes, cuts: Sequence[int] = ()) -> AsyncIterator[bytes]:
    bounds = [0, *sorted(set(cuts)), len(data)]
    for start, end in itertools.pairwise(bounds):
        if end > start:
            yield data[start:end]


async def parse_all(
    data: bytes, cuts: Sequence[int] = (), **kwargs: Any
) -> tuple[dict[str, str], str | None, bytes]:
    parsed = await parse_form(stream(data, cuts), BOUNDARY, **kwargs)
    content = b"".join([piece async for piece in parsed.content])
    return parsed.fields, parsed.filename, content


def run(data: bytes, cuts: Sequence[int] = (), **kwargs: Any) -> tuple[dict[str, str], str | None, bytes]:
    return asyncio.run(parse_all(data, cuts, **kwargs))


def error_code(data: bytes, **kwargs: Any) -> str:
    try:
        run(data, **kwargs)
    except S3Error as error:
        return error.code
    return ""


FIELDS = [
    ("key", "user/${filename}"),
    ("acl", "public-read"),
    ("Content-Type", "image/jpeg"),
    ("x-amz-meta-ü", "ö"),
]


def test_fields_filename_and_content() -> None:
    fields, filename, content = run(form(FIELDS, b"\x00\r\n--not-the-boundary\r\n" * 3))
    assert fields == dict(FIELDS)
    assert filename == "photo.jpg"
    assert content == b"\x00\r\n--not-the-boundary\r\n" * 3


def test_fields_after_the_file_are_ignored() -> None:
    fields, _, content = run(form(FIELDS[:1], b"data", after=[("acl", "x"), ("evil", "y")]))
    assert fields == dict(FIELDS[:1]) and content == b"data"


def test_result_is_a_tuple() -> None:
    parsed = asyncio.run(parse_form(stream(form([], b"")), BOUNDARY))
    assert isinstance(parsed, ParsedForm)
    fields, filename, _ = parsed
    assert (fields, filename) == ({}, "photo.jpg")


@settings(max_examples=100, deadline=None)
@given(
    content=st.binary(max_size=3000),
    cuts=st.lists(st.integers(0, 4000), max_size=30),
)
def test_any_split_parses_the_same(content: bytes, cuts: list[int]) -> None:
    data = form(FIELDS, content)
    assert run(data, [c for c in cuts if c < len(data)]) == (dict(FIELDS), "photo.jpg", content)


def test_file_content_is_streamed_not_buffered() -> None:
    """A 64 MiB file in 64 KiB pieces: each piece is handed on before the next is read."""
    piece = b"x" * 65536
    count = 1024
    head = form(FIELDS, None)[: -len(f"--{BOUNDARY}--\r\n")]
    head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big"\r\n\r\n'.encode()
    read = 0

    async def source() -> AsyncIterator[bytes]:
        nonlocal read
        yield head
        for _ in range(count):
            read += 1
            yield piece
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    async def go() -> int:
        parsed = await parse_form(source(), BOUNDARY)
        total = 0
        async for chunk in parsed.content:
            assert read - total // len(piece) <= 2  # never more than a piece ahead
            total += len(chunk)
        return total

    assert asyncio.run(go()) == count * len(piece)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (form([("k", "v")], None), "InvalidArgument"),  # no file
        (form([("k", "v")])[:-40], "MalformedPOSTRequest"),  # truncated inside the file
        (form([("k", "v")]).replace(b"Content-Disposition", b"Content-Dispositio"), "MalformedPOSTRequest"),
        (form([("k", "v")]).replace(b"form-data;", b"attachment;", 1), "MalformedPOSTRequest"),
        (form([("k", "v")]).replace(b'name="k"', b'filename="k"'), "MalformedPOSTRequest"),
        (form([("k", "v")]).replace(b"v\r\n", b"\xff\r\n", 1), "MalformedPOSTRequest"),  # not UTF-8
        (b"no boundary at all", "MalformedPOSTRequest"),
        (b"", "MalformedPOSTRequest"),
        (
            form([("k", "v")]).replace(
                f"--{BOUNDARY}\r\nContent".encode(), f"--{BOUNDARY}xx\r\nContent".encode(), 1
            ),
            "MalformedPOSTRequest",
        ),
    ],
)
def test_malformed_forms(data: bytes, code: str) -> None:
    assert error_code(data) == code


def test_pre_data_is_bounded() -> None:
    big = "p" * (MAX_PRE_DATA - 500)
    assert run(form([("policy", big)]))[0]["policy"] == big
    assert error_code(form([("policy", big + "q" * 600)])) == "MaxPostPreDataLengthExceededError"
    many = [(f"x-amz-meta-{i}", "v" * 100) for i in range(200)]
    assert error_code(form(many)) == "MaxPostPreDataLengthExceededError"
    # A hostile endless header line is cut off too.
    endless = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="'.encode() + b"a" * 100_000
    assert error_code(endless) == "MaxPostPreDataLengthExceededError"
    assert error_code(form([("k", "v")]), max_pre_data=50) == "MaxPostPreDataLengthExceededError"


def test_repeated_fields_keep_the_first() -> None:
    assert run(form([("acl", "private"), ("acl", "public-read")]))[0] == {"acl": "private"}


def test_preamble_and_quoted_parameters() -> None:
    data = b"preamble\r\n" + form([("a", "1")], b"z", filename='we\\"ird;name.txt')
    fields, filename, content = run(data)
    assert fields == {"a": "1"} and filename == 'we"ird;name.txt' and content == b"z"


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (f"multipart/form-data; boundary={BOUNDARY}", BOUNDARY),
        ('Multipart/Form-Data; charset=utf-8; boundary="quoted boundary"', "quoted boundary"),
        ("multipart/form-data;boundary=x", "x"),
    ],
)
def test_boundary_from_content_type(content_type: str, expected: str) -> None:
    assert boundary_from_content_type(content_type) == expected


@pytest.mark.parametrize(
    ("content_type", "code"),
    [
        ("application/x-www-form-urlencoded", "PreconditionFailed"),
        (None, "PreconditionFailed"),
        ("multipart/form-data", "MalformedPOSTRequest"),
        ("multipart/form-data; boundary=" + "x" * 71, "MalformedPOSTRequest"),
    ],
)
def test_bad_content_types(content_type: str | None, code: str) -> None:
    with pytest.raises(S3Error) as raised:
        boundary_from_content_type(content_type)
    assert raised.value.code == code
