"""Memory kept for reuse (buffer pools) that an idle worker hands back.

Pools keep a few big buffers so that a transfer does not allocate one per block; once the worker
has been idle for a moment (server/worker.py), ``release_idle`` drops them all, so an idle
worker's memory is its working set, not the high-water mark of its last burst.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

_RELEASERS: list[weakref.WeakMethod[Callable[[], None]]] = []


def release_when_idle(release: Callable[[], None]) -> None:
    """Register a bound method that drops buffers kept for reuse; ``release_idle`` calls it
    while its object lives."""
    _RELEASERS.append(weakref.WeakMethod(release))


def release_idle() -> None:
    for ref in list(_RELEASERS):
        release = ref()
        if release is None:
            _RELEASERS.remove(ref)
        else:
            release()
