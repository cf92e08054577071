"""Multipart uploads: create, parts, list, complete, abort."""

from __future__ import annotations

import dataclasses

import pytest

from ironbucket.errors import NoSuchBucket, NoSuchUpload, PreconditionFailed
from ironbucket.storage.interfaces import PartSummary, WritePrecondition
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, blob_id, blob_version, part, upload, version


async def test_upload_round_trip(meta: SqliteMetadataStore) -> None:
    u = upload("u1", "dir/ü\x00key", system_metadata={"content-type": "a/b"}, user_metadata={"m": "1"},
               tags={"t": "v"}, checksum_algorithm="SHA256", checksum_type="COMPOSITE",
               storage_class="GLACIER", extra={"sse": {"k": b"\x00"}})
    await meta.create_upload(u)
    assert await meta.get_upload("u1") == u
    assert await meta.get_upload("nope") is None


async def test_create_upload_needs_bucket(meta: SqliteMetadataStore) -> None:
    with pytest.raises(NoSuchBucket):
        await meta.create_upload(dataclasses.replace(upload("u1"), bucket="nope"))


async def test_parts_store_replace_and_page(meta: SqliteMetadataStore) -> None:
    await meta.create_upload(upload("u1"))
    for n in (3, 1, 2):
        assert await meta.put_part(part("u1", n, blob_id(n))) == []
    p = dataclasses.replace(part("u1", 4, None, size=0), checksum="AAAA")
    await meta.put_part(p)
    # Replacing part 2 frees the blob it held.
    assert await meta.put_part(part("u1", 2, blob_id(20))) == [blob_id(2)]
    parts = await meta.list_parts("u1", 0, 100)
    assert [(x.part_number, x.segment.blob_id if x.segment else None) for x in parts] == [
        (1, blob_id(1)), (2, blob_id(20)), (3, blob_id(3)), (4, None)]
    assert parts[3] == p
    assert [x.part_number for x in await meta.list_parts("u1", 1, 2)] == [2, 3]
    assert await meta.list_parts("u1", 4, 10) == []
    assert await meta.list_parts("nope", 0, 10) == []


async def test_put_part_of_missing_upload(meta: SqliteMetadataStore) -> None:
    with pytest.raises(NoSuchUpload):
        await meta.put_part(part("nope", 1, blob_id(1)))
    assert await meta.referenced_blobs([blob_id(1)]) == set()


async def test_list_uploads_order_and_markers(meta: SqliteMetadataStore) -> None:
    for uid, key in [("u2", "a"), ("u1", "a"), ("u3", "b"), ("u4", "b/c"), ("u5", "c")]:
        await meta.create_upload(upload(uid, key))

    async def ids(prefix: str = "", km: str = "", uim: str = "", limit: int = 100) -> list[str]:
        return [u.upload_id for u in await meta.list_uploads(BUCKET, prefix, km, uim, limit)]

    assert await ids() == ["u1", "u2", "u3", "u4", "u5"]
    assert await ids("b") == ["u3", "u4"]
    assert await ids("b/") == ["u4"]
    assert await ids(km="a") == ["u3", "u4", "u5"]
    assert await ids(km="a", uim="u1") == ["u2", "u3", "u4", "u5"]
    assert await ids(uim="u1") == ["u1", "u2", "u3", "u4", "u5"]  # ignored without a key marker
    assert await ids(limit=2) == ["u1", "u2"]
    assert await ids("c", km="a") == ["u5"]
    assert await meta.list_uploads("other", "", "", "", 10) == []


async def test_complete_moves_used_parts_and_frees_the_rest(meta: SqliteMetadataStore) -> None:
    await meta.put_version(blob_version("mp", blob_id(99)))  # replaced by the completion
    await meta.create_upload(upload("u1"))
    for n in (1, 2, 3):
        await meta.put_part(part("u1", n, blob_id(n)))
    final = dataclasses.replace(blob_version("mp", blob_id(1), blob_id(3), etag="x-2"),
                                parts=(PartSummary(1, 10, "e1"), PartSummary(3, 10, "e3")))
    freed = await meta.complete_upload(upload("u1"), final, [1, 3])
    assert sorted(freed) == [blob_id(2), blob_id(99)]
    assert await meta.get_upload("u1") is None
    assert await meta.list_parts("u1", 0, 10) == []
    got = await meta.get_version(BUCKET, "mp")
    assert got == final
    assert await meta.referenced_blobs([blob_id(n) for n in (1, 2, 3, 99)]) == {blob_id(1), blob_id(3)}


async def test_complete_with_failed_precondition_keeps_the_upload(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("mp"))
    await meta.create_upload(upload("u1"))
    await meta.put_part(part("u1", 1, blob_id(1)))
    with pytest.raises(PreconditionFailed):
        await meta.complete_upload(upload("u1"), blob_version("mp", blob_id(1)), [1],
                                   WritePrecondition(if_none_match_star=True))
    assert await meta.get_upload("u1") is not None
    assert len(await meta.list_parts("u1", 0, 10)) == 1
    assert await meta.referenced_blobs([blob_id(1)]) == {blob_id(1)}


async def test_complete_missing_upload(meta: SqliteMetadataStore) -> None:
    with pytest.raises(NoSuchUpload):
        await meta.complete_upload(upload("gone"), blob_version("mp", blob_id(1)), [1])
    assert await meta.get_version(BUCKET, "mp") is None


async def test_abort(meta: SqliteMetadataStore) -> None:
    await meta.create_upload(upload("u1"))
    await meta.put_part(part("u1", 1, blob_id(1)))
    await meta.put_part(part("u1", 2, blob_id(2)))
    assert sorted(await meta.abort_upload("u1")) == [blob_id(1), blob_id(2)]
    assert await meta.get_upload("u1") is None
    with pytest.raises(NoSuchUpload):
        await meta.abort_upload("u1")
