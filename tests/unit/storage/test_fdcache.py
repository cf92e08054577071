"""The descriptor LRU never closes a descriptor that a reader is using."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ironbucket.storage.filesystem.fdcache import FdCache


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / f"f{i}" for i in range(4)]
    for i, p in enumerate(paths):
        p.write_bytes(bytes([i]))
    return paths


def test_hits_reuse_the_descriptor(files: list[Path]) -> None:
    cache = FdCache(2)
    h = cache.acquire("0", files[0])
    cache.release(h)
    again = cache.acquire("0", files[0])
    assert again.fd == h.fd
    cache.release(again)
    cache.clear()
    assert not _is_open(h.fd)


def test_lru_eviction_closes_idle_descriptors(files: list[Path]) -> None:
    cache = FdCache(2)
    handles = []
    for i in range(3):
        h = cache.acquire(str(i), files[i])
        cache.release(h)
        handles.append(h)
    assert len(cache) == 2
    assert not _is_open(handles[0].fd)
    assert _is_open(handles[2].fd)
    cache.clear()


def test_eviction_waits_for_the_reader(files: list[Path]) -> None:
    cache = FdCache(1)
    busy = cache.acquire("0", files[0])
    other = cache.acquire("1", files[1])  # evicts "0" while it is in use
    assert _is_open(busy.fd) and os.pread(busy.fd, 1, 0) == b"\x00"
    cache.release(busy)
    assert not _is_open(busy.fd)
    cache.release(other)
    cache.evict("1")
    assert not _is_open(other.fd)


def test_capacity_zero_means_uncached(files: list[Path]) -> None:
    cache = FdCache(0)
    h = cache.acquire("0", files[0])
    assert len(cache) == 0
    cache.release(h)
    assert not _is_open(h.fd)
