"""The Range header: one range served, unparseable ones ignored, unsatisfiable ones 416."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbucket.errors import InvalidRange
from ironbucket.features.ranges import content_range, parse_range, unsatisfied_content_range

# (header, size, expected (start, end) or None for the whole object)
SERVED: list[tuple[str | None, int, tuple[int, int] | None]] = [
    (None, 10, None),
    ("bytes=0-0", 10, (0, 0)),
    ("bytes=0-9", 10, (0, 9)),
    ("bytes=2-5", 10, (2, 5)),
    ("bytes=2-100", 10, (2, 9)),  # end clamped
    ("bytes=9-", 10, (9, 9)),
    ("bytes=3-", 10, (3, 9)),
    ("bytes=-3", 10, (7, 9)),
    ("bytes=-10", 10, (0, 9)),
    ("bytes=-100", 10, (0, 9)),  # longer suffix than the object: all of it
    ("Bytes=1-2", 10, (1, 2)),  # range units are case-insensitive
    (" bytes=1-2 ", 10, (1, 2)),
    ("bytes= 1-2", 10, (1, 2)),
    # ignored, whole object:
    ("bytes=5-2", 10, None),  # last < first is invalid
    ("bytes=0-1,4-5", 10, None),  # S3 serves one range only
    ("bytes=-", 10, None),
    ("bytes=", 10, None),
    ("bytes=a-b", 10, None),
    ("bytes=1-2-3", 10, None),
    ("bytes=+1-2", 10, None),
    ("bytes=-1-2", 10, None),
    ("bytes=1", 10, None),
    ("bytes 1-2", 10, None),
    ("items=1-2", 10, None),
    ("", 10, None),
    ("bytes=\u0661-\u0662", 10, None),  # Arabic-Indic digits are not digits here
    ("bytes=-1", 0, None),  # suffix of an empty object: the empty object
    ("bytes=-5", 0, None),
    ("bytes=5-2", 0, None),  # invalid before unsatisfiable
]


@pytest.mark.parametrize(("header", "size", "expected"), SERVED)
def test_parse_range(header: str | None, size: int, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size) == expected


UNSATISFIABLE: list[tuple[str, int]] = [
    ("bytes=10-", 10),
    ("bytes=10-20", 10),
    ("bytes=100-200", 10),
    ("bytes=-0", 10),
    ("bytes=0-", 0),
    ("bytes=0-0", 0),
    ("bytes=-0", 0),
]


@pytest.mark.parametrize(("header", "size"), UNSATISFIABLE)
def test_parse_range_unsatisfiable(header: str, size: int) -> None:
    with pytest.raises(InvalidRange) as caught:
        parse_range(header, size)
    assert caught.value.status == 416
    assert caught.value.fields == {"ActualObjectSize": str(size), "RangeRequested": header}
    assert caught.value.headers == {"Content-Range": f"bytes */{size}"}


def test_content_range() -> None:
    assert content_range(0, 0, 1) == "bytes 0-0/1"
    assert content_range(7, 9, 10) == "bytes 7-9/10"
    assert unsatisfied_content_range(0) == "bytes */0"


def reference(first: int | None, last: int | None, size: int) -> tuple[int, int] | str | None:
    """RFC 9110 §14.1 written out the long way; "416" for unsatisfiable."""
    if first is None:
        assert last is not None
        if last == 0:
            return "416"
        if size == 0:
            return None
        return (size - min(last, size), size - 1)
    if last is not None and last < first:
        return None
    if first >= size:
        return "416"
    return (first, size - 1 if last is None else min(last, size - 1))


@given(
    size=st.integers(min_value=0, max_value=10_000),
    first=st.none() | st.integers(min_value=0, max_value=12_000),
    last=st.none() | st.integers(min_value=0, max_value=12_000),
)
def test_parse_range_agrees_with_reference(size: int, first: int | None, last: int | None) -> None:
    header = f"bytes={'' if first is None else first}-{'' if last is None else last}"
    if first is None and last is None:
        assert parse_range(header, size) is None
        return
    expected = reference(first, last, size)
    if expected == "416":
        with pytest.raises(InvalidRange):
            parse_range(header, size)
        return
    result = parse_range(header, size)
    assert result == expected
    if result is not None:
        start, end = result
        assert 0 <= start <= end < size
