"""Object versions: put, get, update, delete, preconditions, blob references."""

from __future__ import annotations

import dataclasses

import pytest

from ironbucket.errors import NoSuchBucket, NoSuchKey, NoSuchVersion, PreconditionFailed
from ironbucket.storage.interfaces import NULL_VERSION, WritePrecondition
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, blob_id, blob_version, rich_version, version


async def test_every_field_round_trips(meta: SqliteMetadataStore) -> None:
    v = rich_version()
    await meta.put_version(v)
    got = await meta.get_version(BUCKET, v.key, "v1")
    assert got == v
    assert got is not None and got.extra["sse"]["key"] == b"\x01\x02"


@pytest.mark.parametrize("data", [b"", b"\x00\xff" * 1000, None])
async def test_inline_data(meta: SqliteMetadataStore, data: bytes | None) -> None:
    await meta.put_version(version("k", data=data))
    got = await meta.get_version(BUCKET, "k")
    assert got is not None and got.data == data
    light = await meta.get_version(BUCKET, "k", with_data=False)
    assert light is not None and light.data is None


async def test_missing(meta: SqliteMetadataStore) -> None:
    assert await meta.get_version(BUCKET, "nope") is None
    assert await meta.get_version(BUCKET, "nope", "v1") is None
    assert await meta.get_version("no-bucket", "k") is None


async def test_put_into_missing_bucket(meta: SqliteMetadataStore) -> None:
    with pytest.raises(NoSuchBucket):
        await meta.put_version(version("k", bucket_name="no-bucket"))


async def test_unversioned_overwrite_replaces_null_version(meta: SqliteMetadataStore) -> None:
    assert await meta.put_version(blob_version("k", blob_id(1))) == []
    freed = await meta.put_version(blob_version("k", blob_id(2), etag="second"))
    assert freed == [blob_id(1)]
    got = await meta.get_version(BUCKET, "k")
    assert got is not None and got.etag == "second" and got.is_latest
    assert [v.etag for v in await meta.list_versions(BUCKET, "", "", "", 10)] == ["second"]


async def test_replacing_with_the_same_blob_frees_nothing(meta: SqliteMetadataStore) -> None:
    await meta.put_version(blob_version("k", blob_id(1)))
    assert await meta.put_version(blob_version("k", blob_id(1), etag="again")) == []
    assert await meta.referenced_blobs([blob_id(1)]) == {blob_id(1)}


async def test_new_versions_stack_newest_first(meta: SqliteMetadataStore) -> None:
    for vid in ("v1", "v2", "v3"):
        await meta.put_version(version("k", vid))
    listed = await meta.list_versions(BUCKET, "", "", "", 10)
    assert [(v.version_id, v.is_latest) for v in listed] == [("v3", True), ("v2", False), ("v1", False)]
    got = await meta.get_version(BUCKET, "k")
    assert got is not None and got.version_id == "v3"
    old = await meta.get_version(BUCKET, "k", "v1")
    assert old is not None and not old.is_latest and old.data == b"hello"


async def test_null_version_moves_to_the_top_when_rewritten(meta: SqliteMetadataStore) -> None:
    # Versioning suspended after v1: a new write replaces the null version and becomes latest.
    await meta.put_version(version("k", NULL_VERSION))
    await meta.put_version(version("k", "v1"))
    await meta.put_version(version("k", NULL_VERSION, etag="new-null"))
    listed = await meta.list_versions(BUCKET, "", "", "", 10)
    assert [(v.version_id, v.etag, v.is_latest) for v in listed] == [
        (NULL_VERSION, "new-null", True), ("v1", "etag-k-v1", False)]


async def test_delete_marker_is_latest_but_not_current(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1"))
    await meta.put_version(version("k", "dm", data=None, is_delete_marker=True))
    latest = await meta.get_version(BUCKET, "k")
    assert latest is not None and latest.is_delete_marker
    assert await meta.list_current(BUCKET, "", "", False, 10) == []


async def test_delete_latest_promotes_next_newest(meta: SqliteMetadataStore) -> None:
    await meta.put_version(blob_version("k", blob_id(1), version_id="v1"))
    await meta.put_version(blob_version("k", blob_id(2), version_id="v2"))
    removed, freed = await meta.delete_version(BUCKET, "k", "v2")
    assert removed is not None and removed.version_id == "v2" and removed.is_latest
    assert freed == [blob_id(2)]
    got = await meta.get_version(BUCKET, "k")
    assert got is not None and got.version_id == "v1" and got.is_latest
    assert [v.key for v in await meta.list_current(BUCKET, "", "", False, 10)] == ["k"]


async def test_delete_older_version_keeps_latest(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1"))
    await meta.put_version(version("k", "v2"))
    removed, _ = await meta.delete_version(BUCKET, "k", "v1")
    assert removed is not None and not removed.is_latest
    got = await meta.get_version(BUCKET, "k")
    assert got is not None and got.version_id == "v2"


async def test_delete_last_version_and_missing(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k"))
    removed, freed = await meta.delete_version(BUCKET, "k", NULL_VERSION)
    assert removed is not None and freed == []
    assert await meta.get_version(BUCKET, "k") is None
    assert await meta.delete_version(BUCKET, "k", NULL_VERSION) == (None, [])


async def test_update_version_keeps_data_and_place(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1", data=b"bytes"))
    await meta.put_version(version("k", "v2"))
    stored = await meta.get_version(BUCKET, "k", "v1", with_data=False)
    assert stored is not None
    await meta.update_version(dataclasses.replace(stored, tags={"a": "b"}, user_metadata={"x": "y"},
                                                  size=999, etag="ignored"))
    got = await meta.get_version(BUCKET, "k", "v1")
    assert got is not None
    assert (got.tags, got.user_metadata, got.data, got.size, got.etag) == (
        {"a": "b"}, {"x": "y"}, b"bytes", 5, "etag-k-v1")
    latest = await meta.get_version(BUCKET, "k")
    assert latest is not None and latest.version_id == "v2"


async def test_update_version_keeps_segments(meta: SqliteMetadataStore) -> None:
    await meta.put_version(blob_version("k", blob_id(1)))
    got = await meta.get_version(BUCKET, "k")
    assert got is not None
    await meta.update_version(dataclasses.replace(got, segments=(), tags={"t": "1"}))
    again = await meta.get_version(BUCKET, "k")
    assert again is not None and again.blob_ids == (blob_id(1),) and again.tags == {"t": "1"}


@pytest.mark.parametrize(("vid", "error"), [(NULL_VERSION, NoSuchKey), ("v9", NoSuchVersion)])
async def test_update_missing_version(meta: SqliteMetadataStore, vid: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        await meta.update_version(version("nope", vid))


# (state of the key, precondition, should it pass)
PRECONDITIONS = [
    ("absent", WritePrecondition(if_none_match_star=True), True),
    ("object", WritePrecondition(if_none_match_star=True), False),
    ("delete-marker", WritePrecondition(if_none_match_star=True), True),
    ("absent", WritePrecondition(if_match_etag="cur"), False),
    ("object", WritePrecondition(if_match_etag="cur"), True),
    ("object", WritePrecondition(if_match_etag="other"), False),
    ("object", WritePrecondition(if_match_etag="*"), True),
    ("delete-marker", WritePrecondition(if_match_etag="cur"), False),
    ("object", WritePrecondition(), True),
]


async def _arrange(meta: SqliteMetadataStore, state: str) -> None:
    if state in ("object", "delete-marker"):
        await meta.put_version(version("k", "v1", etag="cur"))
    if state == "delete-marker":
        await meta.put_version(version("k", "dm", data=None, is_delete_marker=True, etag="cur"))


@pytest.mark.parametrize(("state", "pre", "ok"), PRECONDITIONS)
async def test_put_preconditions(meta: SqliteMetadataStore, state: str, pre: WritePrecondition,
                                 ok: bool) -> None:
    await _arrange(meta, state)
    new = version("k", "v2", etag="new")
    if ok:
        await meta.put_version(new, pre)
    else:
        with pytest.raises(PreconditionFailed):
            await meta.put_version(new, pre)
    latest = await meta.get_version(BUCKET, "k")
    assert (latest is not None and latest.etag == "new") == ok


@pytest.mark.parametrize(("state", "pre", "ok"), PRECONDITIONS)
async def test_delete_preconditions(meta: SqliteMetadataStore, state: str, pre: WritePrecondition,
                                    ok: bool) -> None:
    await _arrange(meta, state)
    if ok:
        await meta.delete_version(BUCKET, "k", "v1", pre)
    else:
        with pytest.raises(PreconditionFailed):
            await meta.delete_version(BUCKET, "k", "v1", pre)
    still_there = await meta.get_version(BUCKET, "k", "v1") is not None
    assert still_there == (state != "absent" and not ok)


async def test_failed_precondition_keeps_blob_references(meta: SqliteMetadataStore) -> None:
    await meta.put_version(blob_version("k", blob_id(1)))
    with pytest.raises(PreconditionFailed):
        await meta.put_version(blob_version("k", blob_id(2)), WritePrecondition(if_none_match_star=True))
    assert await meta.referenced_blobs([blob_id(1), blob_id(2)]) == {blob_id(1)}


async def test_referenced_blobs_in_batches(meta: SqliteMetadataStore) -> None:
    ids = [blob_id(i) for i in range(600)]
    for i in range(0, 600, 3):
        await meta.put_version(blob_version(f"k{i}", *ids[i:i + 2]))
    expected = {ids[i] for i in range(600) if i % 3 != 2}
    assert await meta.referenced_blobs([*ids, "f" * 32]) == expected
    assert await meta.referenced_blobs([]) == set()
