"""Startup recovery removes temporary files and orphans, never a referenced blob."""

from __future__ import annotations

import random
from pathlib import Path

from ironbucket.storage.filesystem import FileBlobStore
from ironbucket.storage.open import open_storage
from ironbucket.storage.recovery import RecoveryReport, recover
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import account, blob_version, bucket, part, upload


def _blob(blobs: FileBlobStore, data: bytes = b"x") -> str:
    w = blobs.new_writer()
    w.write(data)
    w.finish()
    return w.blob_id


async def _opened(tmp_path: Path) -> tuple[SqliteMetadataStore, FileBlobStore]:
    meta, blobs = open_storage(tmp_path / "data")
    await meta.create_account(account(), None)
    await meta.create_bucket(bucket())
    return meta, blobs


async def test_recovery_keeps_referenced_and_removes_the_rest(tmp_path: Path) -> None:
    meta, blobs = await _opened(tmp_path)
    in_version, in_part, orphan, freed = (_blob(blobs) for _ in range(4))
    await meta.put_version(blob_version("k", in_version))
    await meta.create_upload(upload("u1"))
    await meta.put_part(part("u1", 1, in_part))
    await meta.put_version(blob_version("gone", freed))
    _, dropped = await meta.delete_version("bkt", "gone", "null")
    assert dropped == [freed]  # a crash before the caller deleted it: recovery must
    unfinished = blobs.new_writer()
    unfinished.write(b"half")

    report = await recover(meta, blobs)
    assert report == RecoveryReport(temporary_removed=1, blobs_checked=4, orphans_removed=2)
    assert set(blobs.iter_blob_ids()) == {in_version, in_part}
    assert orphan not in set(blobs.iter_blob_ids())
    assert list(blobs.tmp_dir.iterdir()) == []
    assert blobs.read(in_version, 0, 1) == b"x"

    again = await recover(meta, blobs)  # idempotent
    assert again == RecoveryReport(temporary_removed=0, blobs_checked=2, orphans_removed=0)
    await meta.close()


async def test_recovery_in_small_batches(tmp_path: Path) -> None:
    meta, blobs = await _opened(tmp_path)
    rng = random.Random(7)
    ids = [_blob(blobs) for _ in range(60)]
    kept = set(rng.sample(ids, 25))
    for i, blob_id in enumerate(sorted(kept)):
        await meta.put_version(blob_version(f"k{i}", blob_id))
    report = await recover(meta, blobs, batch=7)
    assert report.blobs_checked == 60 and report.orphans_removed == 35
    assert set(blobs.iter_blob_ids()) == kept
    await meta.close()


async def test_recovery_of_an_empty_store(tmp_path: Path) -> None:
    meta, blobs = open_storage(tmp_path / "data")
    assert await recover(meta, blobs) == RecoveryReport(0, 0, 0)
    await meta.close()
