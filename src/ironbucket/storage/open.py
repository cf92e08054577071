"""The embedded storage of one data directory.

    <data_dir>/            0700
        meta/ironbucket.sqlite3   (+ -wal, -shm)
        blobs/ab/cd/<id>
        tmp/<id>           same filesystem as blobs/, so a finished blob is renamed, not copied
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ironbucket.storage.filesystem import FileBlobStore
from ironbucket.storage.filesystem.writer import fsync_dir
from ironbucket.storage.sqlite import SqliteMetadataStore

if TYPE_CHECKING:  # mypy proves the embedded implementations keep the contracts
    from ironbucket.storage.interfaces import BlobStore, MetadataStore

    _META: type[MetadataStore] = SqliteMetadataStore
    _BLOBS: type[BlobStore] = FileBlobStore

META_FILE = Path("meta") / "ironbucket.sqlite3"


def _private_dir(path: Path) -> None:
    """Create ``path`` (0700, durably) or tighten an existing one to 0700."""
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        if not path.is_dir():
            raise NotADirectoryError(path) from None
    else:
        fsync_dir(path.parent)
    os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask; an old directory may be wider


def open_storage(data_dir: Path) -> tuple[SqliteMetadataStore, FileBlobStore]:
    """Open (creating if needed) the storage under ``data_dir``. Blocks while migrating."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _private_dir(data_dir)
    for sub in ("meta", "blobs", "tmp"):
        _private_dir(data_dir / sub)
    meta = SqliteMetadataStore(data_dir / META_FILE)
    blobs = FileBlobStore(data_dir / "blobs", data_dir / "tmp")
    return meta, blobs
