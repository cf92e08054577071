"""A small LRU of open read-only file descriptors, shared by reader threads.

A GET of a large object reads its blob in many ranges; keeping the descriptor open saves an
``open``/``close`` pair (a path walk through two fan-out directories) per range. An entry is
closed only once no thread is reading through it, so eviction never pulls a descriptor from
under a ``pread``. Blobs are immutable and their ids never reused, so a cached descriptor can
never show stale bytes; deleting a blob evicts it so its space is released at once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path


@dataclass(slots=True)
class Handle:
    fd: int
    users: int = 0
    evicted: bool = False


class FdCache:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, Handle] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key: str, path: Path) -> Handle:
        """An open descriptor for ``path``; pair with ``release``."""
        with self._lock:
            h = self._entries.get(key)
            if h is not None:
                h.users += 1
                self._entries.move_to_end(key)
                return h
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)  # outside the lock: it may block on I/O
        with self._lock:
            raced = self._entries.get(key)
            if raced is not None:
                os.close(fd)
                raced.users += 1
                return raced
            h = Handle(fd, users=1)
            if self.capacity <= 0:
                h.evicted = True  # uncached: closed on release
                return h
            self._entries[key] = h
            while len(self._entries) > self.capacity:
                _, old = self._entries.popitem(last=False)
                self._retire(old)
            return h

    def release(self, h: Handle) -> None:
        with self._lock:
            h.users -= 1
            if h.evicted and h.users == 0:
                os.close(h.fd)

    def evict(self, key: str) -> None:
        with self._lock:
            h = self._entries.pop(key, None)
            if h is not None:
                self._retire(h)

    def clear(self) -> None:
        with self._lock:
            while self._entries:
                _, h = self._entries.popitem()
                self._retire(h)

    def __len__(self) -> int:
        return len(self._entries)

    def _retire(self, h: Handle) -> None:
        # Caller holds the lock.
        h.evicted = True
        if h.users == 0:
            os.close(h.fd)
