"""Body buffers lent to the connection and reused once the transport has sent them.

A big GET used to yield a fresh plaintext buffer per run (of 1-2 MiB). Allocating it cost more
than opening it: the kernel mapped, zeroed and later unmapped its pages each time (measured here
at about 40% of a worker's CPU on a 1 GiB GET). Runs are therefore opened into pooled buffers, yielded as
memoryviews of them, and given back by the HTTP server once the bytes have left for the kernel.

The rule that makes reuse safe: a buffer returns to its pool only when the server has proved it
flushed (``Lender.settle``); anything else — a consumer that keeps a chunk, a connection that
closes with bytes queued — simply drops it and the garbage collector frees it.
"""

from __future__ import annotations

import threading
from collections import deque

from ironbucket.idle import release_when_idle


class LentBuffer(bytearray):
    """A pooled buffer; ``pool`` is where it goes back to."""

    pool: BufferPool


class BufferPool:
    """At most ``keep`` idle buffers of ``capacity`` bytes (taken from worker threads, given
    back on the event loop), dropped when the worker is idle (ironbucket/idle.py)."""

    def __init__(self, capacity: int, keep: int) -> None:
        self.capacity = capacity
        self.keep = keep
        self._idle: list[LentBuffer] = []
        self._lock = threading.Lock()
        release_when_idle(self.clear)

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()

    def take(self) -> LentBuffer:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        buffer = LentBuffer(self.capacity)
        buffer.pool = self
        return buffer

    def give(self, buffer: LentBuffer) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(buffer)

    @property
    def idle(self) -> int:
        return len(self._idle)


def lent_buffer(chunk: object) -> LentBuffer | None:
    """The pooled buffer ``chunk`` is a view of, if it is one."""
    if type(chunk) is memoryview:
        owner = chunk.obj
        if type(owner) is LentBuffer:
            return owner
    return None


class Lender:
    """The pooled buffers one connection has written and the transport may still hold.

    ``settle(pending)`` is given the transport's write-buffer size: those bytes are the tail of
    everything written, so a buffer is flushed once the buffers written after it are at least
    that long. Bytes written between them that are not pooled (headers, other bodies) only make
    the estimate more careful, never wrong."""

    __slots__ = ("_out",)

    def __init__(self) -> None:
        self._out: deque[tuple[LentBuffer, int]] = deque()

    def __len__(self) -> int:
        return len(self._out)

    def lent(self, buffer: LentBuffer, length: int) -> None:
        self._out.append((buffer, length))

    def settle(self, pending: int) -> None:
        out = self._out
        held, after = 0, 0
        for _, length in reversed(out):
            if after >= pending:
                break
            after += length
            held += 1
        while len(out) > held:
            buffer, _ = out.popleft()
            buffer.pool.give(buffer)

    def forget(self) -> None:
        """The connection is gone: what it held is not proven sent, so it is not reused."""
        self._out.clear()
