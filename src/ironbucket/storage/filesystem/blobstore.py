"""``FileBlobStore``: blobs as files under a directory, named by generated ids.

Layout: ``<root>/ab/cd/<id>`` for a 32-hex id ``abcd...`` (two fan-out levels keep directories
small), temporary files in ``<tmp>/<id>`` on the same filesystem so ``rename`` is atomic. Only
ids this store generated become paths, and every id is checked against that shape before use:
nothing a client sends (an object key least of all) can name a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from ironbucket.storage.filesystem.direct import DirectReader
from ironbucket.storage.filesystem.fdcache import FdCache
from ironbucket.storage.filesystem.writer import FileBlobWriter, fsync_dir

_ID = re.compile(r"[0-9a-f]{32}")
_FANOUT = re.compile(r"[0-9a-f]{2}")


def _check(blob_id: str) -> str:
    if not _ID.fullmatch(blob_id):
        raise ValueError(f"not a blob id: {blob_id!r}")
    return blob_id


_STREAMING_READ = 1024 * 1024
_READ_AHEAD = 4  # blocks


class FileBlobStore:
    def __init__(self, root: Path, tmp_dir: Path, *, fd_cache_size: int = 128) -> None:
        """``root`` and ``tmp_dir`` must exist on the same filesystem (see ``open_storage``)."""
        self.root = root
        self.tmp_dir = tmp_dir
        self._fds = FdCache(fd_cache_size)
        self._direct = DirectReader()
        # Fan-out directories known to exist durably (entry fsync'd in its parent).
        self._durable_dirs: set[str] = set()

    # --- writing ---------------------------------------------------------------------------------
    def new_writer(self) -> FileBlobWriter:
        blob_id = secrets.token_hex(16)
        return FileBlobWriter(blob_id, self.tmp_dir / blob_id, lambda: self._fanout_dir(blob_id))

    def _fanout_dir(self, blob_id: str) -> Path:
        top, sub = blob_id[:2], blob_id[2:4]
        directory = self.root / top / sub
        if f"{top}/{sub}" in self._durable_dirs:
            return directory
        for parent, name in ((self.root, top), (self.root / top, sub)):
            # Another thread or process may have just created it without having fsync'd its
            # parent yet, so fsync the parent whether or not we created it.
            with contextlib.suppress(FileExistsError):
                os.mkdir(parent / name, 0o700)
            fsync_dir(parent)
        self._durable_dirs.add(f"{top}/{sub}")
        return directory

    # --- reading ---------------------------------------------------------------------------------
    def path(self, blob_id: str) -> Path:
        _check(blob_id)
        return self.root / blob_id[:2] / blob_id[2:4] / blob_id

    def read(self, blob_id: str, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset`` (fewer only at the end of the blob).
        Raises FileNotFoundError for a blob that does not exist."""
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        h = self._fds.acquire(blob_id, self.path(blob_id))
        try:
            if length >= _STREAMING_READ:
                # A big read is one of a sequence (a GET streaming an object): have the kernel
                # start fetching what comes next while this block is being sent.
                os.posix_fadvise(h.fd, offset + length, _READ_AHEAD * length, os.POSIX_FADV_WILLNEED)
            data = os.pread(h.fd, length, offset)
            if len(data) == length or not data:
                return data
            # pread may return short on large reads; loop until done or end of file.
            chunks = [data]
            got = len(data)
            while got < length:
                more = os.pread(h.fd, length - got, offset + got)
                if not more:
                    break
                chunks.append(more)
                got += len(more)
            return b"".join(chunks)
        finally:
            self._fds.release(h)

    @contextlib.contextmanager
    def read_uncached(self, blob_id: str, offset: int, length: int) -> Iterator[memoryview]:
        """``read`` around the page cache where the filesystem allows it (direct.py), for big
        blobs read once; the view is valid inside the ``with`` only."""
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        with self._direct.read(self.path(blob_id), offset, length) as view:
            if view is not None:
                yield view
                return
        yield memoryview(self.read(blob_id, offset, length))

    # --- deleting and recovery -------------------------------------------------------------------
    def delete(self, blob_ids: Iterable[str]) -> None:
        """Remove blobs; one that is already gone is fine."""
        for blob_id in blob_ids:
            path = self.path(blob_id)
            self._fds.evict(blob_id)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def iter_blob_ids(self) -> Iterator[str]:
        for top in _subdirs(self.root):
            for sub in _subdirs(self.root / top):
                with os.scandir(self.root / top / sub) as entries:
                    for e in entries:
                        if _ID.fullmatch(e.name) and e.name[:2] == top and e.name[2:4] == sub:
                            yield e.name

    def clear_temporary(self) -> int:
        """Remove every temporary file. Only while no writer is running (at startup)."""
        removed = 0
        with os.scandir(self.tmp_dir) as entries:
            for e in entries:
                if e.is_file(follow_symlinks=False) or e.is_symlink():
                    try:
                        os.unlink(e.path)
                    except FileNotFoundError:
                        continue
                    removed += 1
        return removed

    def close(self) -> None:
        """Close cached descriptors."""
        self._fds.clear()
        self._direct.close()


def _subdirs(path: Path) -> list[str]:
    with os.scandir(path) as entries:
        return sorted(e.name for e in entries
                      if _FANOUT.fullmatch(e.name) and e.is_dir(follow_symlinks=False))
