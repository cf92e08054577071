"""Request bytes → stored bytes, hashing once on the way.

Small payloads (up to the inline threshold) stay in memory and are committed inside their
metadata row. Larger ones stream into a blob in ~1 MiB blocks: each block is hashed (MD5 for
the ETag, plus the flexible checksums) in one worker thread while another writes it to the
blob — both release the GIL — and meanwhile the event loop receives the next block. At most
two blocks per upload are in memory, whatever the object size.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from ironbucket.api.context import Services
from ironbucket.errors import EntityTooLarge
from ironbucket.features.checksums import ChecksumAlgorithm, ChecksumHasher
from ironbucket.storage.interfaces import BlobWriter, Segment

BLOCK = 1024 * 1024
MAX_OBJECT_SIZE = 5 * 1024**3  # single PUT / single part limit


@dataclass(frozen=True, slots=True)
class Ingested:
    size: int
    md5: bytes
    checksums: dict[ChecksumAlgorithm, bytes]  # raw digest per computed algorithm
    data: bytes | None  # inline payload
    segment: Segment | None  # or the blob that holds it

    @property
    def md5_hex(self) -> str:
        return self.md5.hex()

    @property
    def blob_ids(self) -> list[str]:
        return [self.segment.blob_id] if self.segment else []


class _Digests:
    __slots__ = ("hashers", "md5")

    def __init__(self, algorithms: tuple[ChecksumAlgorithm, ...]) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.hashers = {algorithm: ChecksumHasher(algorithm) for algorithm in algorithms}

    def update(self, data: bytes) -> None:
        self.md5.update(data)
        for hasher in self.hashers.values():
            hasher.update(data)

    def update_many(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.update(chunk)

    def checksums(self) -> dict[ChecksumAlgorithm, bytes]:
        return {algorithm: hasher.digest() for algorithm, hasher in self.hashers.items()}


async def ingest(services: Services, chunks: AsyncIterator[bytes], *,
                 checksums: tuple[ChecksumAlgorithm, ...], inline: bool,
                 max_size: int = MAX_OBJECT_SIZE) -> Ingested:
    """Consume ``chunks`` completely. The caller must verify digests and then either commit the
    result or ``discard`` it; on any error here nothing is left behind."""
    digests = _Digests(checksums)
    threshold = services.settings.inline_threshold if inline else 0
    pending: list[bytes] = []
    pending_size = 0
    size = 0
    writer: BlobWriter | None = None
    in_flight: asyncio.Future[tuple[None, None]] | None = None
    try:
        async for chunk in chunks:
            size += len(chunk)
            if size > max_size:
                raise EntityTooLarge(MaxSizeAllowed=str(max_size), ProposedSize=str(size))
            pending.append(chunk)
            pending_size += len(chunk)
            if size <= threshold or pending_size < BLOCK:
                continue
            if writer is None:
                writer = await services.run(services.blobs.new_writer)
            block, pending, pending_size = pending, [], 0
            if in_flight is not None:
                await in_flight  # keeps digest order and caps memory at two blocks
            # A block stays a list of received chunks: hashed piece by piece and written with
            # one writev, so no byte is copied to assemble it.
            in_flight = asyncio.gather(services.run(digests.update_many, block),
                                       services.run(writer.write_many, block))
        if in_flight is not None:
            await in_flight
            in_flight = None
        if writer is None and size <= threshold:
            rest = b"".join(pending)
            digests.update(rest)
            return Ingested(size, digests.md5.digest(), digests.checksums(), rest, None)
        if writer is None:
            writer = await services.run(services.blobs.new_writer)
        if pending:
            await asyncio.gather(services.run(digests.update_many, pending),
                                 services.run(writer.write_many, pending))
        await services.run(writer.finish)
        return Ingested(size, digests.md5.digest(), digests.checksums(), None,
                        Segment(writer.blob_id, size))
    except BaseException:
        if in_flight is not None:
            await asyncio.gather(in_flight, return_exceptions=True)
        if writer is not None:
            await services.run(writer.abort)
        raise


async def discard(services: Services, stored: Ingested) -> None:
    """Drop a finished blob that will not be committed (e.g. a digest mismatch)."""
    if stored.segment is not None:
        await services.run(services.blobs.delete, [stored.segment.blob_id])


async def read_range(services: Services, segments: tuple[Segment, ...], data: bytes | None,
                     start: int, end: int) -> AsyncIterator[bytes]:
    """Yield bytes [start, end] (inclusive) of an object, a block at a time, reading the next
    block from disk while the current one is being sent (two blocks in memory at most)."""
    if data is not None:
        yield data[start:end + 1]
        return
    pieces = list(_pieces(segments, start, end))
    pending: asyncio.Future[bytes] | None = None
    try:
        for index, (blob_id, pos, length) in enumerate(pieces):
            current = pending or asyncio.ensure_future(
                services.run(services.blobs.read, blob_id, pos, length))
            pending = None
            if index + 1 < len(pieces):
                pending = asyncio.ensure_future(services.run(services.blobs.read, *pieces[index + 1]))
            yield await current
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)


def _pieces(segments: tuple[Segment, ...], start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(blob id, offset, length) reads of at most one block covering bytes [start, end]."""
    offset = 0
    for segment in segments:
        seg_start, seg_end = offset, offset + segment.size - 1
        offset += segment.size
        if seg_end < start or seg_start > end:
            continue
        pos = max(start, seg_start) - seg_start
        stop = min(end, seg_end) - seg_start + 1
        while pos < stop:
            length = min(BLOCK, stop - pos)
            yield segment.blob_id, pos, length
            pos += length
