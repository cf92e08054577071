"""The idle heap trim: it runs once after each period with requests in flight, never while one
is in flight, and keeps re-arming itself."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ironbucket.server.http11 import ServerState
from ironbucket.server.worker import TRIM_IDLE_SECONDS, _trim_if_idle, _trim_when_idle


class FakeLoop:
    def __init__(self) -> None:
        self.scheduled: list[tuple[float, Callable[..., None], tuple[Any, ...]]] = []

    def call_later(self, delay: float, callback: Callable[..., None], *args: Any) -> None:
        self.scheduled.append((delay, callback, args))

    def tick(self) -> None:
        _, callback, args = self.scheduled.pop(0)
        callback(*args)


def test_trims_once_after_each_busy_period() -> None:
    loop, state, trims = FakeLoop(), ServerState(), []
    _trim_when_idle(loop, state, lambda: trims.append(1), [False])  # type: ignore[arg-type]
    # idle from the start: nothing to hand back yet
    assert trims == [] and loop.scheduled[0][0] == TRIM_IDLE_SECONDS
    in_flight: asyncio.Task[None] = object()  # type: ignore[assignment]  # only its presence counts
    timeline = [(True, 0), (True, 0), (False, 1), (False, 1), (True, 1), (False, 2), (False, 2)]
    for busy, expected in timeline:
        if busy:
            state.tasks.add(in_flight)
        else:
            state.tasks.discard(in_flight)
        loop.tick()
        assert len(trims) == expected
        assert len(loop.scheduled) == 1  # always re-armed, once


def test_after_a_big_transfer_trims_only_when_nothing_is_in_flight() -> None:
    state, trims = ServerState(), []
    in_flight: asyncio.Task[None] = object()  # type: ignore[assignment]
    state.tasks.add(in_flight)
    _trim_if_idle(state, lambda: trims.append(1))
    assert trims == []  # another request still runs: its buffers may be in use
    state.tasks.discard(in_flight)
    _trim_if_idle(state, lambda: trims.append(1))
    assert trims == [1]
