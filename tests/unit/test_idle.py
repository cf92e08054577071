"""Pools register what they keep; an idle worker drops it all, and a pool that is gone is
forgotten rather than kept alive."""

from __future__ import annotations

import gc

from ironbucket.http.lending import BufferPool
from ironbucket.idle import _RELEASERS, release_idle
from ironbucket.storage.filesystem.direct import DirectReader


def test_release_idle_empties_every_pool() -> None:
    pools = [BufferPool(capacity=16, keep=4) for _ in range(3)]
    for pool in pools:
        pool.give(pool.take())
        assert pool.idle == 1
    release_idle()
    assert [pool.idle for pool in pools] == [0, 0, 0]
    taken = pools[0].take()  # still usable afterwards
    assert len(taken) == 16


def test_release_idle_closes_the_direct_readers_buffers() -> None:
    reader = DirectReader()
    reader._give(reader._take())
    assert len(reader._free) == 1
    release_idle()
    assert reader._free == []


def test_a_pool_that_is_gone_is_forgotten() -> None:
    gc.collect()
    release_idle()  # drop dead registrations left by other tests
    before = len(_RELEASERS)
    pool = BufferPool(capacity=8, keep=1)
    assert len(_RELEASERS) == before + 1
    del pool
    gc.collect()
    release_idle()
    assert len(_RELEASERS) == before
