"""Keys of any shape, UTF-8 binary order, prefixes and paging."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ironbucket.storage.interfaces import ObjectVersion
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, bucket, run, version

STRANGE_KEYS = [
    "\x00", "a\x00b", "a\x00", "../../etc/passwd", "..", ".", "/", "//double", "back\\slash",
    "dir/", "emoji-😀", "ünïcödé", "中文/键", "\ufeffbom", "\U0010ffff", "tab\tnew\nline", " ",
    "%2F..%2F", "x" * 1024, "é" * 512, "😀" * 256,
]

_counter = itertools.count()


def _utf8_order(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: k.encode("utf-8"))


async def test_strange_keys_round_trip_and_sort_by_utf8(meta: SqliteMetadataStore) -> None:
    for k in STRANGE_KEYS:
        assert len(k.encode()) <= 1024
        await meta.put_version(version(k, data=k.encode()))
    for k in STRANGE_KEYS:
        got = await meta.get_version(BUCKET, k)
        assert got is not None and got.key == k and got.data == k.encode()
    listed = [v.key for v in await meta.list_current(BUCKET, "", "", False, 1000)]
    assert listed == _utf8_order(STRANGE_KEYS)
    # UTF-16 order (Java, JavaScript) would put the astral character first; S3 does not.
    assert listed.index("\ufeffbom") < listed.index("\U0010ffff")


async def test_nul_prefix_is_not_a_terminator(meta: SqliteMetadataStore) -> None:
    for k in ("a", "a\x00", "a\x00b", "a\x01", "b"):
        await meta.put_version(version(k))
    assert [v.key for v in await meta.list_current(BUCKET, "a\x00", "", False, 10)] == ["a\x00", "a\x00b"]
    assert [v.key for v in await meta.list_current(BUCKET, "", "a", False, 10)] == [
        "a\x00", "a\x00b", "a\x01", "b"]


LIST_CASES = [
    # prefix, start, inclusive, limit, expected
    ("", "", False, 100, ["a", "a/b", "a/c", "ab", "b", "c/d"]),
    ("a", "", False, 100, ["a", "a/b", "a/c", "ab"]),
    ("a/", "", False, 100, ["a/b", "a/c"]),
    ("a", "a/b", False, 100, ["a/c", "ab"]),
    ("a", "a/b", True, 100, ["a/b", "a/c", "ab"]),
    ("", "a/", True, 2, ["a/b", "a/c"]),
    ("b", "a", False, 100, ["b"]),  # start before the prefix: the prefix wins
    ("a", "b", False, 100, []),  # start after the prefix
    ("", "", False, 0, []),
    ("zzz", "", False, 10, []),
]


@pytest.mark.parametrize(("prefix", "start", "inclusive", "limit", "expected"), LIST_CASES)
async def test_list_current_ranges(meta: SqliteMetadataStore, prefix: str, start: str, inclusive: bool,
                                   limit: int, expected: list[str]) -> None:
    for k in ("a", "a/b", "a/c", "ab", "b", "c/d"):
        await meta.put_version(version(k))
    await meta.put_version(version("deleted", data=None, is_delete_marker=True))
    page = await meta.list_current(BUCKET, prefix, start, inclusive, limit)
    assert [v.key for v in page] == expected
    assert all(v.data is None for v in page)


keys_strategy = st.lists(
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(lambda k: len(k.encode()) <= 1024),
    min_size=1, max_size=40, unique=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(keys=keys_strategy, page=st.integers(min_value=1, max_value=7))
def test_list_current_order_is_utf8_and_pages_cover_everything(meta: SqliteMetadataStore, keys: list[str],
                                                                page: int) -> None:
    name = f"h{next(_counter)}"

    async def scenario() -> list[str]:
        await meta.create_bucket(bucket(name))
        for k in keys:
            await meta.put_version(version(k, bucket_name=name))
        seen: list[str] = []
        start = ""
        while True:
            batch = await meta.list_current(name, "", start, False, page)
            seen += [v.key for v in batch]
            if len(batch) < page:
                return seen
            start = batch[-1].key

    assert run(scenario()) == _utf8_order(keys)


def _version_pages(meta: SqliteMetadataStore, name: str, prefix: str, rng: random.Random
                   ) -> list[tuple[str, str]]:
    async def scenario() -> list[tuple[str, str]]:
        seen: list[tuple[str, str]] = []
        km = vim = ""
        while True:
            size = rng.randint(1, 5)
            batch: list[ObjectVersion] = await meta.list_versions(name, prefix, km, vim, size)
            seen += [(v.key, v.version_id) for v in batch]
            if len(batch) < size:
                return seen
            km, vim = batch[-1].key, batch[-1].version_id
    return run(scenario())


@pytest.mark.parametrize("seed", range(5))
def test_list_versions_pages_cover_every_version_once(meta: SqliteMetadataStore, seed: int) -> None:
    rng = random.Random(seed)
    name = f"v{seed}"
    keys = _utf8_order(rng.sample(["a", "a/1", "a/2", "b", "é", "\x00", "z" * 300, "ab", "c"], 7))
    expected: list[tuple[str, str]] = []

    async def fill() -> None:
        await meta.create_bucket(bucket(name))
        for k in keys:
            ids = [f"{k[:3]}-{i}" for i in range(rng.randint(1, 6))]
            for vid in ids:
                marker = rng.random() < 0.2
                await meta.put_version(version(k, vid, bucket_name=name, is_delete_marker=marker,
                                               data=None if marker else b"x"))
            expected.extend((k, vid) for vid in reversed(ids))

    run(fill())
    assert _version_pages(meta, name, "", rng) == expected
    assert _version_pages(meta, name, "a", rng) == [e for e in expected if e[0].startswith("a")]


async def test_list_versions_is_latest_flags_across_pages(meta: SqliteMetadataStore) -> None:
    for vid in ("1", "2", "3"):
        await meta.put_version(version("k", vid))
    first = await meta.list_versions(BUCKET, "", "", "", 1)
    rest = await meta.list_versions(BUCKET, "", "k", first[-1].version_id, 10)
    assert [(v.version_id, v.is_latest) for v in first + rest] == [("3", True), ("2", False), ("1", False)]


async def test_list_versions_with_vanished_marker_resumes_at_next_key(meta: SqliteMetadataStore) -> None:
    for k, vid in (("a", "1"), ("a", "2"), ("b", "1")):
        await meta.put_version(version(k, vid))
    assert [(v.key, v.version_id) for v in await meta.list_versions(BUCKET, "", "a", "gone", 10)] == [
        ("b", "1")]
