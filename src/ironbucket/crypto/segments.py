"""The segment format every stored object is encrypted in (pure; no I/O).

A sealed object (one blob, or the inline bytes of a small object) is a 16-byte header followed
by AES-256-GCM segments of ``SEGMENT`` plaintext bytes (the last one shorter, never empty unless
the whole object is)::

    header   = b"IBS1" | format version (1) | log2(segment size) | 2 zero bytes | 8-byte nonce prefix
    segment i = AES-256-GCM(data key, nonce = prefix | uint32be(i),
                            aad = label | header | uint32be(i) | final flag) — ciphertext + 16-byte tag

* the nonce prefix is random per blob and the data key is per object, so no (key, nonce) pair
  repeats;
* ``label`` names where the sealed bytes live (the blob id, or ``inline``): a blob moved or
  swapped with another blob of the same object no longer opens;
* the index in nonce and aad makes reordered segments fail, and the final flag makes a blob cut
  at a segment boundary fail;
* a range decrypts only the segments it touches: segment i sits at a computable offset.
"""

from __future__ import annotations

import os
import struct
from collections import deque
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"IBS1"
FORMAT_VERSION = 1
SEGMENT_SHIFT = 16
SEGMENT = 1 << SEGMENT_SHIFT  # 64 KiB of plaintext per segment
TAG = 16
HEADER = 16
SEALED_SEGMENT = SEGMENT + TAG
INLINE_LABEL = b"inline"
_INDEX = struct.Struct(">I")


class TamperedError(Exception):
    """Sealed bytes do not open: changed, truncated, reordered or under another key."""


def segment_count(plain_size: int) -> int:
    """An empty object still has one (empty, final) segment, so its emptiness is authenticated."""
    return max(1, -(-plain_size // SEGMENT))


def sealed_size(plain_size: int) -> int:
    return HEADER + plain_size + TAG * segment_count(plain_size)


def plain_size(sealed_len: int) -> int:
    """The plaintext size of sealed bytes of this length (inverse of ``sealed_size``)."""
    count = max(1, -(-(sealed_len - HEADER) // SEALED_SEGMENT))
    size = sealed_len - HEADER - TAG * count
    if size < 0 or sealed_size(size) != sealed_len:
        raise TamperedError("sealed bytes of an impossible length")
    return size


def sealed_range(plain_size: int, first: int, last: int) -> tuple[int, int]:
    """(offset, length) of segments first..last in the sealed bytes."""
    offset = HEADER + first * SEALED_SEGMENT
    end_plain = min(plain_size, (last + 1) * SEGMENT)
    length = (end_plain - first * SEGMENT) + TAG * (last - first + 1)
    return offset, length


def _aad(label: bytes, header: bytes, index: int, final: bool) -> bytes:
    return b"".join((label, header, _INDEX.pack(index), b"\x01" if final else b"\x00"))


def _nonce(header: bytes, index: int) -> bytes:
    return header[8:16] + _INDEX.pack(index)


def new_header() -> bytes:
    return MAGIC + bytes((FORMAT_VERSION, SEGMENT_SHIFT, 0, 0)) + os.urandom(8)


_FIXED = MAGIC + bytes((FORMAT_VERSION, SEGMENT_SHIFT, 0, 0))  # a header's first 8 bytes
_SINGLE = HEADER + TAG  # the sealed size of a one-segment object, plus its plaintext


def open_single(data_key: AESGCM, label: bytes, sealed: bytes) -> bytes:
    """``open_all`` of a one-segment object (every inline object), the short way; the
    plaintext size is what the sealed bytes' length says."""
    header = sealed[:HEADER]
    if len(sealed) < _SINGLE or len(sealed) > _SINGLE + SEGMENT or header[:8] != _FIXED:
        raise TamperedError("not a sealed one-segment object")
    try:
        return data_key.decrypt(header[8:] + b"\x00\x00\x00\x00", sealed[HEADER:],
                                label + header + b"\x00\x00\x00\x00\x01")
    except InvalidTag:
        raise TamperedError("segment 0 does not authenticate") from None


def check_header(header: bytes) -> None:
    if len(header) != HEADER or header[:4] != MAGIC or header[4] != FORMAT_VERSION \
            or header[5] != SEGMENT_SHIFT or header[6:8] != b"\x00\x00":
        raise TamperedError("not a sealed object header")


class Sealer:
    """Seals a stream of plaintext chunks into segments, for one blob (or inline bytes).

    ``update`` returns the sealed bytes ready so far (the header first); ``finish`` the rest.
    A full segment is held back until more data arrives, because only then is it known not to
    be the final one."""

    __slots__ = ("_aead", "_buffer", "_header", "_index", "_label", "_started")

    def __init__(self, data_key: AESGCM, label: bytes) -> None:
        self._aead = data_key
        self._label = label
        self._header = new_header()
        self._buffer = bytearray()
        self._index = 0
        self._started = False

    def _seal(self, plaintext: bytes | bytearray | memoryview, final: bool) -> bytes:
        index = self._index
        self._index += 1
        return self._aead.encrypt(_nonce(self._header, index), plaintext,
                                  _aad(self._label, self._header, index, final))

    def _begin(self, out: list[bytes | bytearray | memoryview]) -> None:
        if not self._started:
            self._started = True
            out.append(self._header)

    def update(self, chunks: Iterable[bytes | bytearray | memoryview], into: bytearray | None = None
               ) -> list[bytes | bytearray | memoryview]:
        """The sealed bytes of every segment ``chunks`` complete (a full one held back), in one
        buffer: the start of ``into`` when it is big enough (a view of it is returned; it must
        stay untouched until those bytes are written), else a new one. A segment that lies in
        one chunk is sealed from it in place; only segments that straddle chunks are copied."""
        out: list[bytes | bytearray | memoryview] = []
        self._begin(out)
        views = [memoryview(chunk) for chunk in chunks if len(chunk)]
        total = len(self._buffer) + sum(len(view) for view in views)
        whole = (total - 1) // SEGMENT if total > SEGMENT else 0  # keep 1..SEGMENT bytes back
        if not whole:
            for view in views:
                self._buffer += view
            return out
        size = whole * SEALED_SEGMENT
        sealed: bytearray | memoryview = bytearray(size) if into is None or len(into) < size \
            else memoryview(into)[:size]
        target = memoryview(sealed)
        if self._buffer:  # the held-back bytes come first
            views.insert(0, memoryview(bytes(self._buffer)))
        sources = deque(views)
        scratch: memoryview | None = None
        for n in range(whole):
            head = sources[0]
            if len(head) >= SEGMENT:
                plaintext = head[:SEGMENT]
                if len(head) == SEGMENT:
                    sources.popleft()
                else:
                    sources[0] = head[SEGMENT:]
            else:
                if scratch is None:
                    scratch = memoryview(bytearray(SEGMENT))
                filled = 0
                while filled < SEGMENT:
                    head = sources[0]
                    take = min(SEGMENT - filled, len(head))
                    scratch[filled:filled + take] = head[:take]
                    filled += take
                    if take == len(head):
                        sources.popleft()
                    else:
                        sources[0] = head[take:]
                plaintext = scratch
            index = self._index
            self._index += 1
            self._aead.encrypt_into(_nonce(self._header, index), plaintext,
                                    _aad(self._label, self._header, index, False),
                                    target[n * SEALED_SEGMENT:(n + 1) * SEALED_SEGMENT])
        rest = bytearray()
        for view in sources:
            rest += view
        self._buffer = rest
        out.append(sealed)
        return out

    def finish(self) -> list[bytes | bytearray | memoryview]:
        out: list[bytes | bytearray | memoryview] = []
        self._begin(out)
        out.append(self._seal(self._buffer, True))
        self._buffer = bytearray()
        return out


def seal_all(data_key: AESGCM, label: bytes, plaintext: bytes) -> bytes:
    sealer = Sealer(data_key, label)
    return b"".join(sealer.update((plaintext,)) + sealer.finish())


def _spans(header: bytes, plain_size: int, first: int, sealed: bytes | memoryview, last: int | None
           ) -> Iterator[tuple[int, bool, memoryview]]:
    """(index, final, sealed bytes) of each segment in ``sealed``, after the length checks."""
    check_header(header)
    if not sealed or (last is not None
                      and len(sealed) != sealed_range(plain_size, first, last)[1]):
        raise TamperedError("sealed bytes cut short")
    last_index = segment_count(plain_size) - 1
    view = memoryview(sealed)
    pos, index = 0, first
    while pos < len(view):
        if index > last_index:
            raise TamperedError("more sealed bytes than the object has")
        final = index == last_index
        take = (plain_size - index * SEGMENT if final else SEGMENT) + TAG
        piece = view[pos:pos + take]
        if len(piece) != take:
            raise TamperedError("sealed segment cut short")
        yield index, final, piece
        pos += take
        index += 1


def open_segments(data_key: AESGCM, label: bytes, header: bytes, plain_size: int, first: int,
                  sealed: bytes, *, last: int | None = None) -> list[bytes]:
    """The plaintext of consecutive segments starting at index ``first``, given their sealed
    bytes exactly (as ``sealed_range`` locates them). Raises TamperedError on any mismatch.

    Pass ``last``: a blob cut at a segment boundary reads short, and the segments before the cut
    still open, so only the expected length tells the missing ones apart."""
    out: list[bytes] = []
    for index, final, piece in _spans(header, plain_size, first, sealed, last):
        try:
            out.append(data_key.decrypt(_nonce(header, index), piece, _aad(label, header, index, final)))
        except InvalidTag:
            raise TamperedError(f"segment {index} does not authenticate") from None
    return out


def open_into(data_key: AESGCM, label: bytes, header: bytes, plain_size: int, first: int,
              sealed: bytes | memoryview, *, last: int, into: bytearray | None = None
              ) -> bytearray | memoryview:
    """``open_segments`` into one buffer (no per-segment objects, no joining copy): a new one,
    or the start of ``into`` (then a view of it is returned). On TamperedError the buffer must
    be dropped or refilled: it may hold bytes that did not authenticate."""
    total = max(0, len(sealed) - TAG * (last - first + 1))  # a wrong length fails below
    if into is None:
        out: bytearray | memoryview = bytearray(total)
        view = memoryview(out)
    elif total <= len(into):
        out = view = memoryview(into)[:total]
    else:
        raise ValueError("the buffer is smaller than the plaintext")
    at = 0
    try:
        for index, final, piece in _spans(header, plain_size, first, sealed, last):
            size = len(piece) - TAG
            try:
                data_key.decrypt_into(_nonce(header, index), piece, _aad(label, header, index, final),
                                      view[at:at + size])
            except InvalidTag:
                raise TamperedError(f"segment {index} does not authenticate") from None
            at += size
    finally:
        if into is None:
            view.release()
    return out


def open_all(data_key: AESGCM, label: bytes, plain_size: int, sealed: bytes) -> bytes:
    if len(sealed) != sealed_size(plain_size):
        raise TamperedError("sealed size does not match the object size")
    if plain_size <= SEGMENT:
        return open_single(data_key, label, sealed)
    return b"".join(open_segments(data_key, label, sealed[:HEADER], plain_size, 0, sealed[HEADER:]))
