"""Room to delete: writes that add objects stop short of the space the database needs to shrink.

In WAL mode even a DELETE needs free space: its frames are appended to the WAL, and the WAL is
reused from its start only once a checkpoint has copied every frame into the main file, growing
that file by every page that is new. Inline objects fill the disk through exactly these two
files, so without a margin the disk fills to the last byte holding a WAL that cannot be
checkpointed: every later mutation, DELETE included, fails with SQLITE_FULL (507), and no space
can ever be freed through S3. (Measured on a 24 MiB tmpfs: database 20.9 MB + WAL 4.1 MB, and
``PRAGMA wal_checkpoint`` itself fails with "database or disk is full", even offline.)

So a write that adds an object (or a part) is refused up front with the same 507 unless the
filesystem keeps room afterwards for a checkpoint of everything the WAL may hold (its file
size), the new inline bytes twice (once in the WAL, once in the main file), the other such
writes of this process still in flight, and a margin for the deletes that free space later.
Pages on the database's free list count as room: inline objects written after a delete reuse
them. Deletes, delete markers and configuration writes are never refused here. A blob whose
commit is refused is discarded by the caller, so its space comes back at once.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from ironbucket.errors import InsufficientStorage

# Room kept beyond the WAL's own size: the frames of the deletes that will make space again.
MARGIN = 256 * 1024


class SpaceGuard:
    def __init__(self, db_path: Path, margin: int = MARGIN) -> None:
        self._dir = db_path.parent
        self._wal = db_path.with_name(db_path.name + "-wal")
        self._margin = margin
        self._pending = 0  # bytes of admitted inline writes not yet committed
        self._lock = threading.Lock()

    def _needed(self, size: int) -> int:
        try:
            wal = os.stat(self._wal).st_size
        except FileNotFoundError:
            wal = 0
        return wal + 2 * (self._pending + size) + self._margin

    @contextlib.contextmanager
    def admit(self, size: int, free_pages_bytes: Callable[[], int]) -> Iterator[None]:
        """Hold room for a write adding ``size`` inline bytes, or raise InsufficientStorage."""
        st = os.statvfs(self._dir)
        free = st.f_bavail * st.f_frsize
        with self._lock:
            needed = self._needed(size)
        if free < needed and free + free_pages_bytes() < needed:
            raise InsufficientStorage()
        with self._lock:
            self._pending += size
        try:
            yield
        finally:
            with self._lock:
                self._pending -= size
