"""The version guard (the hook Object Lock uses): called in the transaction with the version a
mutation would remove or replace; raising refuses the mutation and changes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from ironbucket.errors import AccessDenied
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, upload, version


def _refuse(seen: list[ObjectVersion]) -> Callable[[ObjectVersion], None]:
    def guard(v: ObjectVersion) -> None:
        seen.append(v)
        raise AccessDenied()
    return guard


async def test_guard_refuses_a_permanent_delete(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1", data=b"one"))
    await meta.put_version(version("k", "v2", data=b"two"))
    seen: list[ObjectVersion] = []
    with pytest.raises(AccessDenied):
        await meta.delete_version(BUCKET, "k", "v1", guard=_refuse(seen))
    assert [v.version_id for v in seen] == ["v1"]
    got = await meta.get_version(BUCKET, "k", "v1")
    assert got is not None and got.data == b"one"
    removed, _ = await meta.delete_version(BUCKET, "k", "v1", guard=lambda v: None)
    assert removed is not None and removed.version_id == "v1"


async def test_guard_refuses_replacing_the_null_version(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", NULL_VERSION, data=b"old"))
    await meta.put_version(version("k", "v1", data=b"newer"))
    seen: list[ObjectVersion] = []
    with pytest.raises(AccessDenied):
        await meta.put_version(version("k", NULL_VERSION, data=b"new"), guard=_refuse(seen))
    assert [v.data for v in seen] == [None]  # handed over without its bytes
    assert [v.version_id for v in await meta.list_versions(BUCKET, "", "", "", 10)] == ["v1", NULL_VERSION]


async def test_guard_is_not_called_for_a_plain_new_version(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1"))
    await meta.put_version(version("k", "v2"), guard=_refuse([]))
    latest = await meta.get_version(BUCKET, "k")
    assert latest is not None and latest.version_id == "v2"


async def test_guard_refuses_a_completed_upload_replacing_a_version(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("mp", NULL_VERSION, data=b"locked"))
    await meta.create_upload(upload("u1"))
    seen: list[ObjectVersion] = []
    with pytest.raises(AccessDenied):
        await meta.complete_upload(upload("u1"), version("mp", NULL_VERSION, data=b"new"), [],
                                   guard=_refuse(seen))
    assert [v.version_id for v in seen] == [NULL_VERSION]
    got = await meta.get_version(BUCKET, "mp")
    assert got is not None and got.data == b"locked"
    assert await meta.get_upload("u1") is not None  # nothing changed: the upload is still there


_LOCK = {"mode": "COMPLIANCE", "until": 2e9, "hold": False}


async def test_metadata_updates_never_drop_a_lock(meta: SqliteMetadataStore) -> None:
    """A tagging/ACL update works from an earlier read: it must not undo a lock set meanwhile."""
    await meta.put_version(version("k", "v1"))
    stale = await meta.get_version(BUCKET, "k", "v1", with_data=False)
    assert stale is not None
    locked = dataclasses.replace(stale, extra={"lock": _LOCK})
    await meta.update_version(locked, guard=lambda v: None)
    await meta.update_version(dataclasses.replace(stale, tags={"a": "b"}))
    got = await meta.get_version(BUCKET, "k", "v1", with_data=False)
    assert got is not None and got.extra["lock"] == _LOCK and got.tags == {"a": "b"}
    # nor can an unguarded update add one
    await meta.put_version(version("k", "v2"))
    other = await meta.get_version(BUCKET, "k", "v2", with_data=False)
    assert other is not None
    await meta.update_version(dataclasses.replace(other, extra={"lock": _LOCK}))
    got = await meta.get_version(BUCKET, "k", "v2", with_data=False)
    assert got is not None and "lock" not in got.extra


async def test_guarded_update_is_refused_atomically(meta: SqliteMetadataStore) -> None:
    await meta.put_version(version("k", "v1", extra={"lock": _LOCK}))
    stored = await meta.get_version(BUCKET, "k", "v1", with_data=False)
    assert stored is not None
    seen: list[ObjectVersion] = []
    with pytest.raises(AccessDenied):
        await meta.update_version(dataclasses.replace(stored, extra={}), guard=_refuse(seen))
    assert seen[0].extra["lock"] == _LOCK
    got = await meta.get_version(BUCKET, "k", "v1", with_data=False)
    assert got is not None and got.extra["lock"] == _LOCK
