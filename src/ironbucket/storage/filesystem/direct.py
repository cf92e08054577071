"""Reading big blobs around the page cache (``O_DIRECT``).

A large object is written around the cache already (writer.py) and is usually read once per
GET; read through the cache, each block costs a copy into freshly allocated cache pages plus
their later reclaim — measured here at ~0.5 s of CPU per GiB, against ~0.1 s reading straight
into our buffer. Direct I/O needs aligned offsets, lengths and memory: the aligned superset of
the wanted range is read into a page-aligned buffer, and a view of the wanted part is lent out.
Buffers are pooled (a GET reads a few blocks ahead), so memory stays bounded by concurrency.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from ironbucket.idle import release_when_idle

_O_DIRECT = getattr(os, "O_DIRECT", 0)
ALIGN = 4096
BUFFER = 1024 * 1024 + 2 * ALIGN  # a sealed 1 MiB run (1 MiB + 256 bytes) at any alignment
_POOL = 4  # one GET reading ahead; more concurrent reads allocate and free


class DirectReader:
    def __init__(self) -> None:
        self._free: list[mmap.mmap] = []
        self._lock = threading.Lock()
        self.available = bool(_O_DIRECT)  # False once the filesystem refused O_DIRECT
        release_when_idle(self.close)  # an idle worker keeps no buffers

    def _take(self) -> mmap.mmap:
        with self._lock:
            if self._free:
                return self._free.pop()
        return mmap.mmap(-1, BUFFER)

    def _give(self, buffer: mmap.mmap) -> None:
        with self._lock:
            if len(self._free) < _POOL:
                self._free.append(buffer)
                return
        buffer.close()

    @contextlib.contextmanager
    def read(self, path: Path, offset: int, length: int) -> Iterator[memoryview | None]:
        """A view of up to ``length`` bytes from ``offset`` (fewer only at the end of the file),
        valid inside the ``with``; None when direct I/O is not possible here (read normally)."""
        start = offset - offset % ALIGN
        span = -(-(offset + length - start) // ALIGN) * ALIGN
        if not self.available or span > BUFFER:
            yield None
            return
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | _O_DIRECT)
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            self.available = False  # e.g. tmpfs
            yield None
            return
        buffer = self._take()
        whole = memoryview(buffer)
        try:
            got = 0
            while got < span:  # short only at the end of the file
                n = os.preadv(fd, [whole[got:span]], start + got)
                if n <= 0:
                    break
                got += n
                if n % ALIGN:
                    break
            skip = offset - start
            view = whole[skip:skip + max(0, min(length, got - skip))]
            try:
                yield view
            finally:
                view.release()
        finally:
            whole.release()
            os.close(fd)
            self._give(buffer)

    def close(self) -> None:
        with self._lock:
            for buffer in self._free:
                buffer.close()
            self._free.clear()
