"""open_storage lays out a private data directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ironbucket.storage.open import META_FILE, open_storage
from tests.unit.storage.support import BUCKET, bucket, run


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_layout(tmp_path: Path) -> None:
    data = tmp_path / "nested" / "data"
    meta, blobs = open_storage(data)
    for p in (data, data / "meta", data / "blobs", data / "tmp"):
        assert p.is_dir() and _mode(p) == 0o700, p
    assert meta.path == data / META_FILE and meta.path.exists()
    assert blobs.root == data / "blobs" and blobs.tmp_dir == data / "tmp"
    assert os.stat(blobs.root).st_dev == os.stat(blobs.tmp_dir).st_dev
    run(meta.close())


def test_reopen_and_tighten_permissions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    meta, _ = open_storage(data)
    run(meta.create_bucket(bucket()))
    run(meta.close())
    os.chmod(data, 0o755)
    meta, _ = open_storage(data)
    assert _mode(data) == 0o700
    assert run(meta.get_bucket(BUCKET)) is not None
    run(meta.close())
