"""Startup recovery: clear temporary files and remove blobs no committed row references.

A crash can leave a temporary file (a write that never finished) or a finished blob whose
metadata commit never happened (or whose freeing delete never ran). Neither is reachable, so
both go. Run it before serving, while no other process writes: a blob finished by a live
writer but not yet committed would look like an orphan. Running it twice is harmless.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from ironbucket.storage.interfaces import BlobStore, MetadataStore

# Ids asked about per referenced_blobs call (and so per directory listing step).
BATCH = 1000


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    temporary_removed: int
    blobs_checked: int
    orphans_removed: int


async def recover(meta: MetadataStore, blobs: BlobStore, *, batch: int = BATCH) -> RecoveryReport:
    temporary = await asyncio.to_thread(blobs.clear_temporary)
    ids: Iterator[str] = blobs.iter_blob_ids()
    checked = removed = 0
    while True:
        chunk = await asyncio.to_thread(lambda: list(itertools.islice(ids, batch)))
        if not chunk:
            break
        checked += len(chunk)
        referenced = await meta.referenced_blobs(chunk)
        orphans = [b for b in chunk if b not in referenced]
        if orphans:
            await asyncio.to_thread(blobs.delete, orphans)
            removed += len(orphans)
    return RecoveryReport(temporary_removed=temporary, blobs_checked=checked, orphans_removed=removed)
