"""Request bytes → stored bytes, hashing and encrypting once on the way, and back.

Small payloads (up to the inline threshold) stay in memory and are committed inside their
metadata row. Larger ones stream into a blob in ~1 MiB blocks: each block is hashed (MD5 for
the ETag, plus the flexible checksums) in one worker thread while another seals it (the segment
format of crypto/segments.py), a third writes the block before it — hashing, AES-GCM and
writes all release the GIL — and meanwhile the event loop receives the next block. At most
three blocks per upload are in memory, whatever the object size. Inline bytes are sealed too:
nothing is stored in the clear.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ironbucket.api.context import Services
from ironbucket.crypto import segments as sealed
from ironbucket.errors import EntityTooLarge, InternalError
from ironbucket.features.checksums import ChecksumAlgorithm, ChecksumHasher
from ironbucket.http.lending import BufferPool, lent_buffer
from ironbucket.http.response import Chunk
from ironbucket.storage.interfaces import BlobStore, BlobWriter, Segment

log = logging.getLogger("ironbucket.integrity")

BLOCK = 1024 * 1024
READ_AHEAD = 3  # blocks (1 MiB) read, and opened, ahead of the one being sent
BIG_BLOB = 8 * 1024 * 1024  # blobs this big are read around the page cache
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

    def update(self, data: Chunk) -> None:
        self.md5.update(data)
        for hasher in self.hashers.values():
            hasher.update(data)

    def update_many(self, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            self.update(chunk)

    def checksums(self) -> dict[ChecksumAlgorithm, bytes]:
        return {algorithm: hasher.digest() for algorithm, hasher in self.hashers.items()}


async def _as_is(block: list[Chunk]) -> Sequence[Chunk]:
    return block


async def ingest(services: Services, chunks: AsyncIterator[Chunk], *,
                 checksums: tuple[ChecksumAlgorithm, ...], inline: bool, aead: AESGCM | None,
                 max_size: int = MAX_OBJECT_SIZE) -> Ingested:
    """Consume ``chunks`` completely, sealed under ``aead`` (None: in the clear, for callers
    that store no object bytes). The caller must verify digests and then either commit the
    result or ``discard`` it; on any error here nothing is left behind."""
    digests = _Digests(checksums)
    threshold = services.settings.inline_threshold if inline else 0
    pending: list[Chunk] = []
    pending_size = 0
    size = 0
    writer: BlobWriter | None = None
    sealer: sealed.Sealer | None = None
    # Three stages overlap: block N+1 arrives while block N is hashed and sealed (two threads)
    # and block N-1 is written (a third).
    in_flight: asyncio.Future[tuple[None, Sequence[Chunk]]] | None = None
    writing: asyncio.Future[None] | None = None

    async def write(ready: Sequence[Chunk]) -> None:
        nonlocal writing
        assert writer is not None
        if writing is not None:
            await writing  # blobs are written in order
        writing = asyncio.ensure_future(_write(services, writer, ready))

    def stage(block: list[Chunk]) -> asyncio.Future[tuple[None, Sequence[Chunk]]]:
        # A block stays a list of received chunks: hashed piece by piece and sealed from where
        # they lie (or, in the clear, written with one writev), so no byte is copied to
        # assemble it. Sealed into a pooled buffer, given back once written.
        prepared = services.run(_seal, sealer, block) if sealer is not None else _as_is(block)
        return asyncio.gather(services.run(digests.update_many, block), prepared)

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
                sealer = None if aead is None else sealed.Sealer(aead, writer.blob_id.encode())
            block, pending, pending_size = pending, [], 0
            if in_flight is not None:
                await write((await in_flight)[1])  # caps memory at three blocks
            in_flight = stage(block)
        if writer is None and size <= threshold:
            rest = b"".join(pending)
            digests.update(rest)
            data = rest if aead is None else sealed.seal_all(aead, sealed.INLINE_LABEL, rest)
            return Ingested(size, digests.md5.digest(), digests.checksums(), data, None)
        if writer is None:
            writer = await services.run(services.blobs.new_writer)
            sealer = None if aead is None else sealed.Sealer(aead, writer.blob_id.encode())
        if in_flight is not None:
            ready, in_flight = (await in_flight)[1], None
            await write(ready)
        if pending:
            await write((await stage(pending))[1])
        if sealer is not None:
            await write(sealer.finish())
        if writing is not None:
            await writing
            writing = None
        await services.run(writer.finish)
        return Ingested(size, digests.md5.digest(), digests.checksums(), None,
                        Segment(writer.blob_id, size))
    except BaseException:
        await asyncio.gather(*(f for f in (in_flight, writing) if f is not None), return_exceptions=True)
        if writer is not None:
            await services.run(writer.abort)
        raise


def _seal(sealer: sealed.Sealer, block: list[Chunk]) -> Sequence[Chunk]:
    into = _SEALED.take()
    out = sealer.update(block, into)
    if not any(lent_buffer(piece) is into for piece in out):  # not needed (or too small)
        _SEALED.give(into)
    return out


async def _write(services: Services, writer: BlobWriter, ready: Sequence[Chunk]) -> None:
    await services.run(writer.write_many, ready)
    for piece in ready:  # written: the sealing buffer is free (on an error it is just dropped)
        buffer = lent_buffer(piece)
        if buffer is not None and buffer.pool is _SEALED:
            _SEALED.give(buffer)


async def discard(services: Services, stored: Ingested) -> None:
    """Drop a finished blob that will not be committed (e.g. a digest mismatch)."""
    if stored.segment is not None:
        await services.run(services.blobs.delete, [stored.segment.blob_id])


async def read_range(services: Services, segments: tuple[Segment, ...], data: bytes | None,
                     start: int, end: int, aead: AESGCM | None) -> AsyncIterator[Chunk]:
    """Yield bytes [start, end] (inclusive) of an object, a block at a time, reading (and
    opening) the next block while the current one is being sent (``READ_AHEAD`` + 1 blocks
    read at once).
    ``aead``: the object's data key (None for objects stored in the clear). Sealed bytes that do
    not open raise ``segments.TamperedError``: nothing unauthenticated is ever yielded."""
    if data is not None:
        if aead is not None:
            data = sealed.open_all(aead, sealed.INLINE_LABEL, sealed.plain_size(len(data)), data)
        yield data[start:end + 1]
        return
    blobs = services.blobs
    pieces: list[tuple[Callable[..., Chunk], tuple[str | int, ...]]]
    if aead is None:
        pieces = [(blobs.read, piece) for piece in _pieces(segments, start, end)]
    else:
        opener = _opener(blobs, aead)
        pieces = [(opener, piece) for piece in _sealed_pieces(segments, start, end)]
    # Each block is read (and opened: AES-GCM releases the GIL) in its own thread.
    ahead: deque[asyncio.Future[Chunk]] = deque()
    upcoming = iter(pieces)
    try:
        while True:
            while len(ahead) <= READ_AHEAD:
                piece = next(upcoming, None)
                if piece is None:
                    break
                ahead.append(asyncio.ensure_future(services.run(piece[0], *piece[1])))
            if not ahead:
                return
            yield await ahead.popleft()
    finally:
        for future in ahead:
            future.cancel()
        await asyncio.gather(*ahead, return_exceptions=True)


def _opener(blobs: BlobStore, aead: AESGCM) -> Callable[..., Chunk]:
    headers: dict[str, bytes] = {}  # per read: each blob's header, once its size checked out

    def read_open(blob_id: str, plain_size: int, first: int, last: int, cut: int, length: int) -> Chunk:
        header = headers.get(blob_id)
        if header is None:
            header = blobs.read(blob_id, 0, sealed.HEADER)
            # A blob cut short or grown is refused before any of it is opened: the byte at its
            # expected end must be its last.
            if len(blobs.read(blob_id, sealed.sealed_size(plain_size) - 1, 2)) != 1:
                raise sealed.TamperedError("the blob's size is not the sealed size of the object")
            headers[blob_id] = header
        offset, size = sealed.sealed_range(plain_size, first, last)
        if plain_size < BIG_BLOB:
            opened = sealed.open_into(aead, blob_id.encode(), header, plain_size, first,
                                      blobs.read(blob_id, offset, size), last=last)
            if cut or length != len(opened):  # only the pieces at a range's edges
                return bytes(memoryview(opened)[cut:cut + length])
            return opened
        # A big blob: read once per GET around the page cache (it costs CPU to fill and reclaim),
        # opened into a pooled buffer. On any error the buffer is not given back (it may hold
        # unauthenticated bytes).
        into = _PLAINTEXT.take()
        with blobs.read_uncached(blob_id, offset, size) as view:
            opened = sealed.open_into(aead, blob_id.encode(), header, plain_size, first, view,
                                      last=last, into=into)
        if cut or length != len(opened):
            piece = bytes(opened[cut:cut + length])
            _PLAINTEXT.give(into)
            return piece
        return opened  # a view of ``into``: the HTTP server gives it back once sent
    return read_open


# Segments read and opened at once: 1 MiB (2 MiB was no faster here, and the pooled and direct
# read buffers each hold a run).
_RUN = BLOCK // sealed.SEGMENT
# An upload's blocks are sealed into pooled buffers: one being sealed, one being written. A
# block is the chunks received until 1 MiB is reached, so at most ~2 MiB (a bigger one gets a
# buffer of its own).
_SEALED = BufferPool((2 * BLOCK + sealed.SEGMENT) // sealed.SEGMENT * sealed.SEALED_SEGMENT, keep=2)
# Runs of big blobs are opened into pooled buffers (http/lending.py): a GET holds a few (reading
# ahead, sending, queued in the transport). Smaller objects allocate: kept buffers are resident.
_PLAINTEXT = BufferPool(_RUN * sealed.SEGMENT, keep=READ_AHEAD + 2)


def _overlaps(segments: tuple[Segment, ...], start: int, end: int) -> Iterator[tuple[Segment, int, int]]:
    """(segment, first, last): the bytes of each segment (its own offsets, inclusive) that
    object bytes [start, end] cover."""
    offset = 0
    for segment in segments:
        seg_start, seg_end = offset, offset + segment.size - 1
        offset += segment.size
        if seg_end >= start and seg_start <= end:
            yield segment, max(start, seg_start) - seg_start, min(end, seg_end) - seg_start


def _sealed_pieces(segments: tuple[Segment, ...], start: int, end: int
                   ) -> Iterator[tuple[str, int, int, int, int, int]]:
    """(blob id, blob plain size, first segment, last segment, bytes to skip, bytes to keep)
    reads of at most one block of whole sealed segments covering plaintext [start, end]."""
    for segment, first_byte, stop in _overlaps(segments, start, end):
        pos = first_byte
        while pos <= stop:
            first = pos // sealed.SEGMENT
            last = min(stop // sealed.SEGMENT, first + _RUN - 1)
            run_end = min(stop, (last + 1) * sealed.SEGMENT - 1)
            yield (segment.blob_id, segment.size, first, last, pos - first * sealed.SEGMENT,
                   run_end - pos + 1)
            pos = run_end + 1


def _pieces(segments: tuple[Segment, ...], start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """(blob id, offset, length) reads of at most one block covering bytes [start, end]."""
    for segment, first_byte, stop in _overlaps(segments, start, end):
        pos = first_byte
        while pos <= stop:
            length = min(BLOCK, stop - pos + 1)
            yield segment.blob_id, pos, length
            pos += length


async def authenticated(body: AsyncIterator[Chunk], what: str) -> AsyncIterator[Chunk]:
    """``body`` with its first block already read and opened, so that stored bytes found
    damaged there answer InternalError before any response starts. Damage found later ends
    the stream (the connection is closed mid-body): unauthenticated bytes are never sent.
    Every finding is logged on ``ironbucket.integrity`` with ``what`` names."""
    try:
        first = await anext(body, None)
    except sealed.TamperedError as exc:
        raise _damaged(what, exc) from None
    return _after(first, body, what)


async def _after(first: Chunk | None, body: AsyncIterator[Chunk], what: str) -> AsyncIterator[Chunk]:
    if first is None:
        return
    yield first
    try:
        async for chunk in body:
            yield chunk
    except sealed.TamperedError as exc:
        raise _damaged(what, exc) from None


def _damaged(what: str, exc: sealed.TamperedError) -> InternalError:
    log.error("stored data of %s does not authenticate (%s): refused", what, exc)
    return InternalError()


def open_inline(data: bytes, aead: AESGCM | None, what: Callable[[], str]) -> bytes:
    """The plaintext of an object's inline bytes (damage: InternalError, logged naming
    ``what()``)."""
    if aead is None:
        return data
    try:
        if len(data) <= sealed.HEADER + sealed.SEALED_SEGMENT:
            return sealed.open_single(aead, sealed.INLINE_LABEL, data)
        return sealed.open_all(aead, sealed.INLINE_LABEL, sealed.plain_size(len(data)), data)
    except sealed.TamperedError as exc:
        raise _damaged(what(), exc) from None
