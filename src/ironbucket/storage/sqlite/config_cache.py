"""A per-process cache of configuration records (access keys, accounts, buckets, bucket
configuration documents) that stays strongly consistent across processes.

Every process maps the same small *generation* file. A configuration mutation bumps the
generation once before it is queued and once after it commits. A cached entry is only used
while the generation is the one seen when the cache was last (re)started, so:
* a read after the commit always sees the second bump and reloads;
* an entry loaded while the commit was in flight carries a generation that the second bump
  has already made stale.
Object writes do not bump it: a PUT-heavy load keeps every cache warm.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_SIZE = 16
MAX_ENTRIES = 10_000  # bounds memory against lookups of random names
MISSING = object()


class Generation:
    """A 16-byte value in a shared file; ``slot`` picks one of several in the same file."""

    def __init__(self, path: Path, slot: int = 0) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            size = _SIZE * (slot + 1)
            if os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
            self._map = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self._start = _SIZE * slot
        self._end = self._start + _SIZE

    def read(self) -> bytes:
        return self._map[self._start:self._end]

    def bump(self) -> None:
        # A fresh random value: any change means "reload", so concurrent bumps need no lock.
        self._map[self._start:self._end] = os.urandom(_SIZE)

    def close(self) -> None:
        self._map.close()


class ConfigCache:
    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self._read = generation.read
        self._seen = b""
        self._entries: dict[Hashable, object] = {}

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        found = self.lookup(key)
        if found is MISSING:
            found = load()
            self.store(key, found)
        return found  # type: ignore[return-value]

    def lookup(self, key: Hashable) -> object:
        """The cached value, or MISSING. A miss must be followed by loading and ``store``: the
        generation is read here, before the load, so a commit during the load makes the stored
        value stale at the next lookup."""
        current = self._read()
        if current != self._seen:
            self._entries.clear()
            self._seen = current
        return self._entries.get(key, MISSING)

    def store(self, key: Hashable, value: object) -> None:
        if len(self._entries) >= MAX_ENTRIES:  # bounds memory against lookups of random names
            self._entries.clear()
        self._entries[key] = value
