"""Streaming one blob to disk: temporary file, fsync, rename into place, fsync the directory.

Until ``finish()`` returns the blob does not exist under its id, so a crash leaves at most a
temporary file, which startup recovery clears. A full disk anywhere on the way raises
``InsufficientStorage`` and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, NoReturn

from ironbucket.errors import InsufficientStorage

_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
# Writes smaller than this are gathered before reaching the kernel; larger ones go straight.
_BUFFER = 256 * 1024
_UNCACHED_SIZE = 8 * 1024 * 1024


def no_space(exc: OSError) -> bool:
    return exc.errno in _NO_SPACE


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exclusive(path: str, flags: int) -> int:
    # O_EXCL comes from mode "x"; 0600 because object bytes are nobody else's business, and
    # O_NOFOLLOW so a planted symlink cannot redirect the write.
    return os.open(path, flags | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)


class FileBlobWriter:
    def __init__(self, blob_id: str, tmp_path: Path, final_dir: Callable[[], Path]) -> None:
        self.blob_id = blob_id
        self.size = 0
        self._tmp = tmp_path
        self._final_dir = final_dir  # creates the fan-out directories durably, on demand
        self._final: Path | None = None
        try:
            self._file: BinaryIO | None = open(tmp_path, "xb", buffering=_BUFFER,  # noqa: SIM115
                                               opener=_exclusive)
        except OSError as exc:
            if no_space(exc):
                raise InsufficientStorage() from exc
            raise

    def write(self, data: bytes) -> None:
        f = self._open_file()
        try:
            f.write(data)
        except OSError as exc:
            self._fail(exc)
        self.size += len(data)

    def write_many(self, chunks: Sequence[bytes]) -> None:
        f = self._open_file()
        try:
            f.flush()  # bytes buffered by write() go first
            fd = f.fileno()
            pending = [memoryview(c) for c in chunks if c]
            while pending:
                written = os.writev(fd, pending)
                self.size += written
                while pending and written >= len(pending[0]):
                    written -= len(pending[0])
                    pending.pop(0)
                if written:  # a short write ended inside this chunk
                    pending[0] = pending[0][written:]
        except OSError as exc:
            self._fail(exc)

    def finish(self) -> None:
        f = self._open_file()
        try:
            f.flush()
            os.fsync(f.fileno())
            if self.size >= _UNCACHED_SIZE:
                # Now durable, a big blob's pages need not stay cached: leaving gigabytes in the
                # page cache made every later write pay for reclaiming it (measured: ~10x slower
                # writes), while reading it back from disk costs little.
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
            f.close()
            self._file = None
            directory = self._final_dir()
            final = directory / self.blob_id
            os.rename(self._tmp, final)
            self._final = final
            fsync_dir(directory)
        except OSError as exc:
            self._fail(exc)
        self._final = None  # durable: abort() must no longer touch it

    def abort(self) -> None:
        """Remove whatever this writer left (idempotent; a finished blob is left alone)."""
        if self._file is not None:
            f, self._file = self._file, None
            # A failed flush of bytes we are discarding anyway; the descriptor still closes.
            with contextlib.suppress(OSError):
                f.close()
        for path in (self._tmp, self._final):
            if path is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
        self._final = None

    def _open_file(self) -> BinaryIO:
        if self._file is None:
            raise ValueError(f"blob writer {self.blob_id} is finished or aborted")
        return self._file

    def _fail(self, exc: OSError) -> NoReturn:
        self.abort()
        if no_space(exc):
            raise InsufficientStorage() from exc
        raise exc
