"""FileBlobStore: writing durably, reading ranges, deleting, listing, temporary files."""

from __future__ import annotations

import os
import secrets
import stat
import threading
from pathlib import Path

import pytest

from ironbucket.storage.filesystem import FileBlobStore


def _put(blobs: FileBlobStore, *chunks: bytes) -> str:
    w = blobs.new_writer()
    for c in chunks:
        w.write(c)
    w.finish()
    return w.blob_id


def test_write_finish_read(blobs: FileBlobStore) -> None:
    data = os.urandom(700_000)
    w = blobs.new_writer()
    for i in range(0, len(data), 65536):
        w.write(data[i:i + 65536])
    assert w.size == len(data)
    w.finish()
    assert len(w.blob_id) == 32 and int(w.blob_id, 16) >= 0
    assert blobs.read(w.blob_id, 0, len(data)) == data
    assert blobs.read(w.blob_id, 12345, 100) == data[12345:12445]
    assert blobs.read(w.blob_id, len(data) - 10, 100) == data[-10:]  # short only at the end
    assert blobs.read(w.blob_id, len(data) + 5, 10) == b""
    assert blobs.read(w.blob_id, 0, 0) == b""


def test_layout_and_permissions(blobs: FileBlobStore) -> None:
    blob_id = _put(blobs, b"x")
    path = blobs.root / blob_id[:2] / blob_id[2:4] / blob_id
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(blobs.tmp_dir.iterdir()) == []


def test_empty_blob(blobs: FileBlobStore) -> None:
    blob_id = _put(blobs)
    assert blobs.read(blob_id, 0, 10) == b""


def test_ids_are_unique(blobs: FileBlobStore) -> None:
    assert len({blobs.new_writer().blob_id for _ in range(1000)}) == 1000


def test_abort_removes_the_temporary_file(blobs: FileBlobStore) -> None:
    w = blobs.new_writer()
    w.write(b"partial")
    assert (blobs.tmp_dir / w.blob_id).exists()
    w.abort()
    w.abort()  # idempotent
    assert list(blobs.tmp_dir.iterdir()) == []
    assert list(blobs.iter_blob_ids()) == []
    with pytest.raises(ValueError, match="finished or aborted"):
        w.write(b"more")


def test_abort_after_finish_keeps_the_blob(blobs: FileBlobStore) -> None:
    w = blobs.new_writer()
    w.write(b"kept")
    w.finish()
    w.abort()
    assert blobs.read(w.blob_id, 0, 4) == b"kept"
    with pytest.raises(ValueError, match="finished or aborted"):
        w.finish()


def test_finish_is_durable_in_the_right_order(blobs: FileBlobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def rename(src: str | Path, dst: str | Path) -> None:
        events.append(("rename", str(dst)))
        real_rename(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "rename", rename)
    w = blobs.new_writer()
    w.write(b"data")
    w.finish()
    top, sub = blobs.root / w.blob_id[:2], blobs.root / w.blob_id[:2] / w.blob_id[2:4]
    final = sub / w.blob_id
    assert events == [
        ("fsync", str(blobs.tmp_dir / w.blob_id)),  # the bytes, before they get a name
        ("fsync", str(blobs.root)),  # new fan-out directories are themselves durable
        ("fsync", str(top)),
        ("rename", str(final)),
        ("fsync", str(sub)),  # the new name
    ]
    events.clear()
    # A second blob in the same, now durable, fan-out directory: no directory work.
    sibling = w.blob_id[:4] + ("0" * 28 if w.blob_id[4:] != "0" * 28 else "1" * 28)
    monkeypatch.setattr(secrets, "token_hex", lambda n: sibling)
    w2 = blobs.new_writer()
    w2.write(b"x")
    w2.finish()
    assert events == [("fsync", str(blobs.tmp_dir / sibling)), ("rename", str(sub / sibling)),
                      ("fsync", str(sub))]


def test_failed_fsync_fails_the_write_and_leaves_nothing(blobs: FileBlobStore,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    w = blobs.new_writer()
    w.write(b"data")
    with pytest.raises(OSError, match="Input/output"):
        w.finish()
    monkeypatch.undo()
    assert list(blobs.tmp_dir.iterdir()) == []
    assert list(blobs.iter_blob_ids()) == []


def test_delete(blobs: FileBlobStore) -> None:
    a, b = _put(blobs, b"a"), _put(blobs, b"b")
    blobs.read(a, 0, 1)  # caches a descriptor
    blobs.delete([a, "0" * 32])  # a missing blob is fine
    with pytest.raises(FileNotFoundError):
        blobs.read(a, 0, 1)
    assert list(blobs.iter_blob_ids()) == [b]


def test_iter_blob_ids_ignores_strangers(blobs: FileBlobStore) -> None:
    ids = {_put(blobs, bytes([i])) for i in range(20)}
    (blobs.root / "zz").mkdir()
    (blobs.root / "README").write_text("not a blob")
    some = next(iter(ids))
    (blobs.root / some[:2] / some[2:4] / "not-an-id").write_text("x")
    (blobs.root / some[:2] / some[2:4] / ("f" * 32)).write_text("misplaced")
    assert set(blobs.iter_blob_ids()) == ids


def test_clear_temporary(blobs: FileBlobStore) -> None:
    writers = [blobs.new_writer() for _ in range(3)]
    for w in writers:
        w.write(b"x")
    kept = _put(blobs, b"k")
    assert blobs.clear_temporary() == 3
    assert blobs.clear_temporary() == 0
    assert list(blobs.iter_blob_ids()) == [kept]


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABCDEF" + "0" * 26, "0" * 31, "0" * 33, "",
                                 "0" * 31 + "/", "../" + "0" * 29])
def test_only_generated_ids_become_paths(blobs: FileBlobStore, bad: str) -> None:
    with pytest.raises(ValueError, match="not a blob id"):
        blobs.read(bad, 0, 1)
    with pytest.raises(ValueError, match="not a blob id"):
        blobs.delete([bad])


def test_concurrent_reads_with_a_tiny_descriptor_cache(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "t").mkdir()
    blobs = FileBlobStore(tmp_path / "b", tmp_path / "t", fd_cache_size=2)
    payloads = {(_put(blobs, bytes([i]) * 5000)): bytes([i]) * 5000 for i in range(8)}
    errors: list[BaseException] = []

    def reader(seed: int) -> None:
        try:
            items = list(payloads.items())
            for n in range(300):
                blob_id, data = items[(seed + n) % len(items)]
                off = (n * 37) % 4000
                assert blobs.read(blob_id, off, 1000) == data[off:off + 1000]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    blobs.close()
