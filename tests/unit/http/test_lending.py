"""Pooled body buffers: a buffer goes back to its pool only once the transport's pending bytes
prove it sent; the pool keeps a bounded number."""

from __future__ import annotations

import pytest

from ironbucket.http.lending import BufferPool, Lender, LentBuffer, lent_buffer

# (lengths lent, oldest first; transport's pending bytes; how many of the oldest are given back)
SETTLE = [
    ([100], 0, 1),  # all sent
    ([100], 1, 0),  # the last byte still queued
    ([100], 100, 0),
    ([100, 50], 50, 1),  # the pending bytes are exactly the newest buffer
    ([100, 50], 51, 0),  # one byte of the older one may still be queued
    ([100, 50, 25], 25, 2),
    ([100, 50, 25], 74, 1),
    ([100, 50, 25], 75, 1),
    ([100, 50, 25], 76, 0),
    ([100, 50, 25], 10_000, 0),  # other bytes queued too (headers, another body): keep all
    ([10, 10, 10, 10], 0, 4),
]


@pytest.mark.parametrize(("lengths", "pending", "returned"), SETTLE)
def test_settle_returns_only_buffers_proven_sent(lengths: list[int], pending: int, returned: int) -> None:
    pool = BufferPool(capacity=128, keep=10)
    buffers = [pool.take() for _ in lengths]
    lender = Lender()
    for buffer, length in zip(buffers, lengths, strict=True):
        lender.lent(buffer, length)
    lender.settle(pending)
    assert len(lender) == len(lengths) - returned
    assert pool.idle == returned
    # the ones given back are the oldest, and are what take() hands out next
    assert {id(pool.take()) for _ in range(returned)} == {id(b) for b in buffers[:returned]}


def test_settle_again_when_the_transport_drains() -> None:
    pool = BufferPool(capacity=16, keep=4)
    lender = Lender()
    for _ in range(3):
        lender.lent(pool.take(), 16)
    lender.settle(40)
    assert (len(lender), pool.idle) == (3, 0)
    lender.settle(16)
    assert (len(lender), pool.idle) == (1, 2)
    lender.settle(0)
    assert (len(lender), pool.idle) == (0, 3)


def test_a_closed_connection_forgets_what_it_held() -> None:
    pool = BufferPool(capacity=16, keep=4)
    lender = Lender()
    lender.lent(pool.take(), 16)
    lender.forget()
    lender.settle(0)
    assert (len(lender), pool.idle) == (0, 0)


def test_the_pool_keeps_at_most_keep_buffers() -> None:
    pool = BufferPool(capacity=8, keep=2)
    taken = [pool.take() for _ in range(5)]
    assert len({id(b) for b in taken}) == 5
    assert all(len(b) == 8 and b.pool is pool for b in taken)
    for buffer in taken:
        pool.give(buffer)
    assert pool.idle == 2


@pytest.mark.parametrize("chunk", [b"bytes", bytearray(4), memoryview(b"a view of bytes"),
                                   memoryview(bytearray(4))])
def test_other_chunks_are_not_lent(chunk: object) -> None:
    assert lent_buffer(chunk) is None


def test_a_view_of_a_pooled_buffer_is_lent() -> None:
    buffer = BufferPool(capacity=8, keep=1).take()
    assert isinstance(buffer, LentBuffer)
    assert lent_buffer(memoryview(buffer)[:3]) is buffer
    assert lent_buffer(buffer) is None  # the whole buffer is never a body chunk (its length is the pool's)
