"""A per-connection cache of small object versions, valid only while nothing has committed.

Every writer, in every process, bumps the shared *data generation* before and after each
transaction (see ``writer.py``); reading it is a memory access. Any commit therefore empties
the cache, so a read-heavy load is served from memory while every read still sees every
write acknowledged before it (strong consistency is exactly as without the cache), and an
entry loaded while a commit was in flight is dropped by that commit's second bump.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from ironbucket.storage.interfaces import ObjectVersion
from ironbucket.storage.sqlite.config_cache import Generation

MAX_ENTRIES = 4096
MAX_BYTES = 4 * 1024 * 1024  # inline data held by the cache, per connection
MAX_DATA = 64 * 1024  # larger inline objects are not cached


class ObjectCache:
    __slots__ = ("_bytes", "_entries", "_generation", "_seen")

    def __init__(self, generation: Generation) -> None:
        self._generation = generation
        self._seen = b""
        self._entries: dict[Hashable, ObjectVersion | None] = {}
        self._bytes = 0

    def get(self, key: Hashable, load: Callable[[], ObjectVersion | None]) -> ObjectVersion | None:
        version = self._generation.read()
        if version != self._seen:
            self._entries.clear()
            self._bytes = 0
            self._seen = version
        try:
            return self._entries[key]
        except KeyError:
            pass
        found = load()
        size = len(found.data) if found is not None and found.data is not None else 0
        if size <= MAX_DATA:
            if len(self._entries) >= MAX_ENTRIES or self._bytes + size > MAX_BYTES:
                self._entries.clear()
                self._bytes = 0
            self._entries[key] = found
            self._bytes += size
        return found
