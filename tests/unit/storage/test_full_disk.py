"""A full disk: writes fail with InsufficientStorage, leave nothing behind, and reads go on.

Runs on a real 2 MiB tmpfs, so ENOSPC comes from the kernel, not from a mock. Mounting needs
root (CAP_SYS_ADMIN): where it is refused the test fails, loudly, rather than skip.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ironbucket.errors import InsufficientStorage
from ironbucket.storage.filesystem import FileBlobStore
from ironbucket.storage.open import open_storage
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, account, bucket, run, version


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        pytest.fail(f"cannot mount a 2 MiB tmpfs at {mnt} (the full-disk tests need root / "
                    f"CAP_SYS_ADMIN): {res.stderr.strip() or res.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _free(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def _fill(blobs: FileBlobStore, leave: int) -> str:
    """A blob that takes all free space but ``leave`` bytes."""
    w = blobs.new_writer()
    w.write(b"\0" * max(0, _free(blobs.root) - leave))
    w.finish()
    return w.blob_id


def _open(disk: Path) -> tuple[SqliteMetadataStore, FileBlobStore]:
    meta, blobs = open_storage(disk / "data")
    run(meta.create_account(account(), None))
    run(meta.create_bucket(bucket()))
    run(meta.put_version(version("before")))
    return meta, blobs


def test_too_big_blob(small_disk: Path) -> None:
    meta, blobs = _open(small_disk)
    try:
        w = blobs.new_writer()
        with pytest.raises(InsufficientStorage):
            for _ in range(48):  # 3 MiB in 64 KiB chunks, as a request body would arrive
                w.write(b"\1" * 65536)
            w.finish()
        assert list(blobs.tmp_dir.iterdir()) == []
        assert list(blobs.iter_blob_ids()) == []
        # Metadata is still served, and space is back for the next write.
        got = run(meta.get_version(BUCKET, "before"))
        assert got is not None and got.data == b"hello"
        small = blobs.new_writer()
        small.write(b"fits")
        small.finish()
        assert blobs.read(small.blob_id, 0, 4) == b"fits"
    finally:
        run(meta.close())
        blobs.close()


def test_blob_that_fails_at_finish(small_disk: Path) -> None:
    """Buffered bytes may only hit the disk at finish(): same outcome."""
    meta, blobs = _open(small_disk)
    try:
        _fill(blobs, leave=100_000)
        w = blobs.new_writer()
        for _ in range(200):  # 200 KB in small writes: all still in the writer's buffer
            w.write(b"\1" * 1000)
        with pytest.raises(InsufficientStorage):
            w.finish()
        assert list(blobs.tmp_dir.iterdir()) == []
        assert run(meta.get_version(BUCKET, "before")) is not None
    finally:
        run(meta.close())
        blobs.close()


def test_metadata_write_on_a_full_disk(small_disk: Path) -> None:
    meta, blobs = _open(small_disk)
    try:
        # Room for the small writes even if they commit one by one (each commit grows the WAL),
        # none for the big one.
        filler = _fill(blobs, leave=1_200_000)

        async def scenario() -> list[object]:
            big = meta.put_version(version("big", data=b"\2" * 3_000_000))
            small = [meta.put_version(version(f"small-{i}", data=b"s")) for i in range(10)]
            return list(await asyncio.gather(big, *small, return_exceptions=True))

        results = run(scenario())
        assert isinstance(results[0], InsufficientStorage), results[0]
        assert results[1:] == [[]] * 10  # the same batch, but their own outcome
        assert run(meta.get_version(BUCKET, "big")) is None
        assert len(run(meta.list_current(BUCKET, "small-", "", False, 100))) == 10

        # Fill up completely: writes fail, reads go on, and writes resume once space is back.
        _fill(blobs, leave=0)
        with pytest.raises(InsufficientStorage):
            run(meta.put_version(version("more", data=b"\3" * 500_000)))
        got = run(meta.get_version(BUCKET, "before"))
        assert got is not None and got.data == b"hello"
        blobs.delete(list(blobs.iter_blob_ids()))
        assert filler not in set(blobs.iter_blob_ids())
        run(meta.put_version(version("after", data=b"\4" * 100_000)))
        after = run(meta.get_version(BUCKET, "after"))
        assert after is not None and after.size == 100_000
    finally:
        run(meta.close())
        blobs.close()
