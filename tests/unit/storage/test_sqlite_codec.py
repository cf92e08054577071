"""Key ranges over UTF-8 bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbucket.storage.sqlite.codec import KEY_MAX, after, key_range, prefix_end


@pytest.mark.parametrize(("prefix", "end"), [
    (b"", KEY_MAX), (b"a", b"b"), (b"a/", b"a0"), (b"\x00", b"\x01"), (b"a\xff", b"b"),
    ("é".encode(), b"\xc3\xaa"),
])
def test_prefix_end(prefix: bytes, end: bytes) -> None:
    assert prefix_end(prefix) == end


@pytest.mark.parametrize(("prefix", "start", "inclusive", "expected"), [
    ("", "", False, (b"", KEY_MAX)),
    ("a", "", False, (b"a", b"b")),
    ("a", "a/b", False, (b"a/b\x00", b"b")),
    ("a", "a/b", True, (b"a/b", b"b")),
    ("b", "a", False, (b"b", b"c")),
])
def test_key_range(prefix: str, start: str, inclusive: bool, expected: tuple[bytes, bytes]) -> None:
    assert key_range(prefix, start, inclusive) == expected


@given(st.text(st.characters(codec="utf-8")), st.text(st.characters(codec="utf-8")))
def test_range_bounds_agree_with_startswith(prefix: str, key: str) -> None:
    low, high = key_range(prefix, "", False)
    k = key.encode()
    assert (low <= k < high) == key.startswith(prefix)
    assert k < after(k) and not (k < after(k)[:-1])
