"""The sealed segment format: streaming round trips in any chunking, size arithmetic, ranges that
open only the segments they touch, and every kind of tampering answered with TamperedError."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import pairwise

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.crypto import segments as seg
from ironbucket.crypto.segments import (
    HEADER,
    SEALED_SEGMENT,
    SEGMENT,
    TAG,
    Sealer,
    TamperedError,
    check_header,
    open_all,
    open_into,
    open_segments,
    plain_size,
    seal_all,
    sealed_range,
    sealed_size,
    segment_count,
)

KEY = AESGCM(bytes(range(32)))
OTHER_KEY = AESGCM(bytes(range(1, 33)))
LABEL = b"blob-0001"

SIZES = [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 3 * SEGMENT + 7]


def _plaintext(size: int, seed: int = 0) -> bytes:
    return random.Random(seed).randbytes(size)


def _one_chunk(data: bytes) -> Iterator[bytes]:
    yield data


def _bytewise(data: bytes) -> Iterator[bytes]:
    for i in range(len(data)):
        yield data[i:i + 1]


def _random_chunks(data: bytes) -> Iterator[bytes]:
    rng = random.Random(len(data))
    pos = 0
    while pos < len(data):
        step = rng.choice((0, 1, 7, 4096, SEGMENT - 1, SEGMENT, SEGMENT + 1, rng.randrange(1, 200_000)))
        yield data[pos:pos + step]  # empty chunks included: they must change nothing
        pos += step


def _exact_segments(data: bytes) -> Iterator[bytes]:
    for pos in range(0, len(data), SEGMENT):
        yield data[pos:pos + SEGMENT]


Chunker = Callable[[bytes], Iterator[bytes]]
CHUNKERS: list[tuple[str, Chunker]] = [
    ("one", _one_chunk), ("random", _random_chunks), ("segments", _exact_segments),
]


def _seal_stream(chunks: Iterator[bytes], per_call: int = 1, label: bytes = LABEL,
                 into: bytearray | None = None) -> bytes:
    """Seal through ``Sealer``, ``per_call`` chunks at a time (update takes an iterable), into
    ``into`` if given: one buffer reused by every call, so each call's output is copied out
    (as if written) before the next."""
    sealer = Sealer(KEY, label)
    out: list[bytes] = []
    batch: list[bytes] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) == per_call:
            out += [bytes(piece) for piece in sealer.update(batch, into)]
            batch = []
    out += [bytes(piece) for piece in sealer.update(batch, into)]
    out += [bytes(piece) for piece in sealer.finish()]
    return b"".join(out)


# Where update seals to: a new buffer, a reused one too small for a big call (so a new one
# after all), a reused one big enough for any call here (left dirty between calls).
INTO: list[tuple[str, Callable[[], bytearray | None]]] = [
    ("new", lambda: None), ("small", lambda: bytearray(b"\x55" * SEALED_SEGMENT)),
    ("big", lambda: bytearray(b"\xaa" * (8 * SEALED_SEGMENT))),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("name", "chunker"), CHUNKERS)
@pytest.mark.parametrize(("where", "into"), INTO)
def test_stream_round_trip(size: int, name: str, chunker: Chunker, where: str,
                           into: Callable[[], bytearray | None]) -> None:
    data = _plaintext(size)
    for per_call in (1, 3):
        sealed = _seal_stream(chunker(data), per_call, into=into())
        assert len(sealed) == sealed_size(size)
        assert plain_size(len(sealed)) == size
        assert open_all(KEY, LABEL, size, sealed) == data


def test_update_seals_into_the_buffer_given_when_it_is_big_enough() -> None:
    buffer = bytearray(3 * SEALED_SEGMENT)
    sealer = Sealer(KEY, LABEL)
    header, sealed = sealer.update([b"a" * (2 * SEGMENT + 5)], buffer)
    assert len(header) == HEADER
    assert isinstance(sealed, memoryview) and sealed.obj is buffer and len(sealed) == 2 * SEALED_SEGMENT
    too_big = sealer.update([b"b" * (4 * SEGMENT)], buffer)  # 4 more segments: not in 3
    assert isinstance(too_big[0], bytearray) and len(too_big[0]) == 4 * SEALED_SEGMENT


@pytest.mark.parametrize("size", [0, 1, 2, 17, 100])
def test_stream_round_trip_one_byte_chunks(size: int) -> None:
    data = _plaintext(size)
    sealed = _seal_stream(_bytewise(data))
    assert open_all(KEY, LABEL, size, sealed) == data


@pytest.mark.parametrize("size", SIZES)
def test_seal_all_matches_the_streamed_format(size: int) -> None:
    data = _plaintext(size)
    sealed = seal_all(KEY, LABEL, data)
    assert len(sealed) == sealed_size(size)
    check_header(sealed[:HEADER])
    assert open_all(KEY, LABEL, size, sealed) == data


def test_sealer_holds_back_a_full_segment_until_it_knows_it_is_not_the_last() -> None:
    sealer = Sealer(KEY, LABEL)
    assert [len(p) for p in sealer.update([b"x" * SEGMENT])] == [HEADER]
    assert [len(p) for p in sealer.update([b"y"])] == [SEALED_SEGMENT]
    assert [len(p) for p in sealer.finish()] == [1 + TAG]


def test_empty_object_is_one_empty_final_segment() -> None:
    sealer = Sealer(KEY, LABEL)
    assert [len(p) for p in sealer.finish()] == [HEADER, TAG]
    assert segment_count(0) == 1


def test_every_blob_gets_its_own_nonce_prefix() -> None:
    headers = {seal_all(KEY, LABEL, b"same")[:HEADER] for _ in range(20)}
    assert len(headers) == 20
    sealed = {seal_all(KEY, LABEL, b"same") for _ in range(5)}
    assert len(sealed) == 5


# --- sizes ---------------------------------------------------------------------------------------
SIZE_SAMPLES = sorted({*SIZES, 2, TAG, TAG + 1, SEGMENT - TAG, SEGMENT + TAG, 2 * SEGMENT - 1,
                       2 * SEGMENT, 7 * SEGMENT + 12345, 1 << 30, (1 << 30) + 1,
                       *random.Random(7).sample(range(1, 50 * SEGMENT), 200)})


@pytest.mark.parametrize("size", SIZE_SAMPLES)
def test_plain_size_inverts_sealed_size(size: int) -> None:
    assert plain_size(sealed_size(size)) == size
    assert sealed_size(size) == HEADER + size + TAG * segment_count(size)


def test_sealed_size_values() -> None:
    assert [sealed_size(n) for n in (0, 1, SEGMENT, SEGMENT + 1)] == [
        HEADER + TAG, HEADER + 1 + TAG, HEADER + SEALED_SEGMENT, HEADER + SEALED_SEGMENT + 1 + TAG]
    assert [segment_count(n) for n in (0, 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT)] == [1, 1, 1, 2, 3]


def test_plain_size_rejects_every_impossible_length() -> None:
    possible = {sealed_size(n) for n in range(0, 3 * SEGMENT + 2)}
    for length in range(-1, sealed_size(3 * SEGMENT + 1) + 1):
        if length in possible:
            assert sealed_size(plain_size(length)) == length
        else:
            with pytest.raises(TamperedError):
                plain_size(length)


@pytest.mark.parametrize("length", [
    -5, 0, 1, HEADER - 1, HEADER, HEADER + TAG - 1,
    HEADER + SEALED_SEGMENT + 1,  # a second segment of one byte: shorter than its tag
    HEADER + SEALED_SEGMENT + TAG,  # a second, empty segment: only the whole object may be empty
    HEADER + 2 * SEALED_SEGMENT + TAG,
])
def test_plain_size_rejects(length: int) -> None:
    with pytest.raises(TamperedError):
        plain_size(length)


# --- ranges --------------------------------------------------------------------------------------
FIVE = 4 * SEGMENT + 1234  # five segments, the last one short
FIVE_DATA = _plaintext(FIVE, seed=5)
FIVE_SEALED = seal_all(KEY, LABEL, FIVE_DATA)
RANGES = [(first, last) for first in range(5) for last in range(first, 5)]


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_sealed_range_opens_exactly_its_segments(first: int, last: int) -> None:
    offset, length = sealed_range(FIVE, first, last)
    piece = FIVE_SEALED[offset:offset + length]
    assert len(piece) == length
    for bound in (None, last):
        opened = open_segments(KEY, LABEL, FIVE_SEALED[:HEADER], FIVE, first, piece, last=bound)
        assert len(opened) == last - first + 1
        assert b"".join(opened) == FIVE_DATA[first * SEGMENT:(last + 1) * SEGMENT]


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_a_range_read_cut_short_never_opens(first: int, last: int) -> None:
    """A blob cut at a segment boundary reads short: with ``last`` given, that fails."""
    offset, length = sealed_range(FIVE, first, last)
    header = FIVE_SEALED[:HEADER]
    for cut in {0, TAG, length - 1, length - TAG, length - SEALED_SEGMENT,
                *(HEADER + n * SEALED_SEGMENT - offset for n in range(first, last + 1))}:
        if not 0 <= cut < length:
            continue
        with pytest.raises(TamperedError):
            open_segments(KEY, LABEL, header, FIVE, first, FIVE_SEALED[offset:offset + cut],
                          last=last)


@pytest.mark.parametrize(("first", "last"), RANGES)
def test_open_into_a_new_or_a_reused_buffer(first: int, last: int) -> None:
    """Into a fresh buffer, or into the start of a bigger one that still holds other bytes (a
    pooled buffer): the same plaintext, and only the view's bytes are written."""
    offset, length = sealed_range(FIVE, first, last)
    piece = FIVE_SEALED[offset:offset + length]
    want = FIVE_DATA[first * SEGMENT:(last + 1) * SEGMENT]
    assert bytes(open_into(KEY, LABEL, FIVE_SEALED[:HEADER], FIVE, first, piece, last=last)) == want
    reused = bytearray(b"\xaa" * (5 * SEGMENT + 3))
    view = open_into(KEY, LABEL, FIVE_SEALED[:HEADER], FIVE, first, memoryview(piece), last=last,
                     into=reused)
    assert isinstance(view, memoryview) and view.obj is reused
    assert bytes(view) == want
    assert reused[len(want):] == b"\xaa" * (len(reused) - len(want))


def test_open_into_refuses_a_buffer_too_small() -> None:
    offset, length = sealed_range(FIVE, 0, 1)
    with pytest.raises(ValueError, match="smaller"):
        open_into(KEY, LABEL, FIVE_SEALED[:HEADER], FIVE, 0, FIVE_SEALED[offset:offset + length],
                  last=1, into=bytearray(2 * SEGMENT - 1))


def test_empty_object_range() -> None:
    sealed = seal_all(KEY, LABEL, b"")
    offset, length = sealed_range(0, 0, 0)
    assert (offset, length) == (HEADER, TAG)
    assert open_segments(KEY, LABEL, sealed[:HEADER], 0, 0, sealed[offset:], last=0) == [b""]


# --- tampering -----------------------------------------------------------------------------------
THREE = 2 * SEGMENT + 100  # three segments
THREE_DATA = _plaintext(THREE, seed=3)
THREE_SEALED = seal_all(KEY, LABEL, THREE_DATA)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes((data[at] ^ 0x01,)) + data[at + 1:]


def _seg(n: int) -> slice:
    start = HEADER + n * SEALED_SEGMENT
    return slice(start, start + SEALED_SEGMENT)


def _swap(data: bytes, a: int, b: int) -> bytes:
    parts = bytearray(data)
    parts[_seg(a)], parts[_seg(b)] = data[_seg(b)], data[_seg(a)]
    return bytes(parts)


# (name, label, key, sealed bytes, plain size claimed by the metadata)
Tamper = tuple[str, bytes, AESGCM, bytes, int]
TAMPERED: list[Tamper] = [
    *[(f"header bit {i}", LABEL, KEY, _flip(THREE_SEALED, i), THREE) for i in range(HEADER)],
    ("first segment ciphertext", LABEL, KEY, _flip(THREE_SEALED, HEADER + 5), THREE),
    ("middle segment ciphertext", LABEL, KEY, _flip(THREE_SEALED, HEADER + SEALED_SEGMENT), THREE),
    ("last segment ciphertext", LABEL, KEY, _flip(THREE_SEALED, len(THREE_SEALED) - TAG - 1), THREE),
    ("first segment tag", LABEL, KEY, _flip(THREE_SEALED, HEADER + SEALED_SEGMENT - 1), THREE),
    ("last tag", LABEL, KEY, _flip(THREE_SEALED, len(THREE_SEALED) - 1), THREE),
    # Cut at a segment boundary: what is left is well formed, the metadata says otherwise...
    ("last segment dropped", LABEL, KEY, THREE_SEALED[:_seg(2).start], THREE),
    # ... and even if the size were changed to match, segment 1 was not sealed as the final one.
    ("last segment dropped, size to match", LABEL, KEY, THREE_SEALED[:_seg(2).start], 2 * SEGMENT),
    ("mid-segment cut", LABEL, KEY, THREE_SEALED[:-50], THREE),
    ("mid-segment cut, size to match", LABEL, KEY, THREE_SEALED[:-50], THREE - 50),
    ("header only", LABEL, KEY, THREE_SEALED[:HEADER], THREE),
    ("nothing", LABEL, KEY, b"", THREE),
    ("bytes appended", LABEL, KEY, THREE_SEALED + b"\x00" * 7, THREE),
    ("a segment's worth appended", LABEL, KEY, THREE_SEALED + THREE_SEALED[_seg(0)], THREE),
    ("segments 0 and 1 swapped", LABEL, KEY, _swap(THREE_SEALED, 0, 1), THREE),
    ("segment 0 duplicated over 1", LABEL, KEY,
     THREE_SEALED[:_seg(1).start] + THREE_SEALED[_seg(0)] + THREE_SEALED[_seg(2).start:], THREE),
    ("segment 0 duplicated, size to match", LABEL, KEY,
     THREE_SEALED[:_seg(1).start] + THREE_SEALED[_seg(0)] + THREE_SEALED[_seg(1).start:],
     THREE + SEGMENT),
    ("wrong label", b"blob-0002", KEY, THREE_SEALED, THREE),
    ("inline label", seg.INLINE_LABEL, KEY, THREE_SEALED, THREE),
    ("empty label", b"", KEY, THREE_SEALED, THREE),
    ("wrong key", LABEL, OTHER_KEY, THREE_SEALED, THREE),
    ("header of another blob", LABEL, KEY,
     seal_all(KEY, LABEL, THREE_DATA)[:HEADER] + THREE_SEALED[HEADER:], THREE),
    ("segment of another blob with the same key and label", LABEL, KEY,
     THREE_SEALED[:_seg(1).start] + seal_all(KEY, LABEL, THREE_DATA)[_seg(1)]
     + THREE_SEALED[_seg(2).start:], THREE),
    ("wrong size claimed (shorter)", LABEL, KEY, THREE_SEALED, THREE - 1),
    ("wrong size claimed (longer)", LABEL, KEY, THREE_SEALED, THREE + 1),
    ("another format version", LABEL, KEY, THREE_SEALED[:4] + b"\x02" + THREE_SEALED[5:], THREE),
]


# Damage past the object's sealed length is invisible to a range read (it reads only what the
# metadata locates), so there only whole-object reads must notice it.
BEYOND_THE_END = {"bytes appended", "a segment's worth appended"}


@pytest.mark.parametrize(("name", "label", "key", "sealed", "size"), TAMPERED,
                         ids=[case[0] for case in TAMPERED])
def test_tampered_never_opens(name: str, label: bytes, key: AESGCM, sealed: bytes, size: int) -> None:
    with pytest.raises(TamperedError):
        open_all(key, label, size, sealed)
    count = segment_count(size)
    if name not in BEYOND_THE_END:
        offset, length = sealed_range(size, 0, count - 1)
        with pytest.raises(TamperedError):
            open_segments(key, label, sealed[:HEADER], size, 0, sealed[offset:offset + length],
                          last=count - 1)
        with pytest.raises(TamperedError):
            open_into(key, label, sealed[:HEADER], size, 0, sealed[offset:offset + length],
                      last=count - 1, into=bytearray(count * SEGMENT))
    # A range read (header and segments read apart) either fails or yields the genuine plaintext
    # of the segments it asked for: never anything else.
    for first in range(count):
        for last in range(first, count):
            offset, length = sealed_range(size, first, last)
            try:
                opened = open_segments(key, label, sealed[:HEADER], size, first,
                                       sealed[offset:offset + length], last=last)
            except TamperedError:
                continue
            joined = b"".join(opened)
            assert len(joined) == length - TAG * (last - first + 1)
            assert joined == THREE_DATA[first * SEGMENT:first * SEGMENT + len(joined)]


def test_untouched_ranges_of_a_damaged_blob_still_open() -> None:
    """Only the damaged segment is refused: the others authenticate on their own."""
    damaged = _flip(THREE_SEALED, HEADER + SEALED_SEGMENT + 3)  # in segment 1
    header = damaged[:HEADER]
    for first, last, ok in [(0, 0, True), (2, 2, True), (0, 1, False), (1, 2, False), (1, 1, False)]:
        offset, length = sealed_range(THREE, first, last)
        if ok:
            opened = open_segments(KEY, LABEL, header, THREE, first, damaged[offset:offset + length],
                                   last=last)
            assert b"".join(opened) == THREE_DATA[first * SEGMENT:(last + 1) * SEGMENT]
        else:
            with pytest.raises(TamperedError):
                open_segments(KEY, LABEL, header, THREE, first, damaged[offset:offset + length],
                              last=last)


BAD_HEADERS: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("short", THREE_SEALED[:HEADER - 1]),
    ("long", THREE_SEALED[:HEADER] + b"\x00"),
    ("magic", b"IBS2" + THREE_SEALED[4:HEADER]),
    ("segment size", THREE_SEALED[:5] + bytes((seg.SEGMENT_SHIFT + 1,)) + THREE_SEALED[6:HEADER]),
    ("reserved bytes", THREE_SEALED[:6] + b"\x00\x01" + THREE_SEALED[8:HEADER]),
]


# ids by name: the headers hold a random nonce prefix, and xdist workers must collect alike
@pytest.mark.parametrize(("case", "header"), BAD_HEADERS, ids=[c[0] for c in BAD_HEADERS])
def test_check_header_rejects(case: str, header: bytes) -> None:
    with pytest.raises(TamperedError):
        check_header(header)


def test_a_segment_moved_to_another_index_does_not_open() -> None:
    """Segment 0's bytes presented as segment 1 (a range read at the wrong place)."""
    offset, length = sealed_range(THREE, 1, 1)
    with pytest.raises(TamperedError):
        open_segments(KEY, LABEL, THREE_SEALED[:HEADER], THREE, 1, THREE_SEALED[_seg(0)], last=1)
    assert length == SEALED_SEGMENT and offset == _seg(1).start


# --- property ------------------------------------------------------------------------------------
@st.composite
def _objects(draw: st.DrawFn) -> tuple[bytes, list[int], int, int]:
    size = draw(st.integers(0, 300_000))
    data = random.Random(draw(st.integers(0, 2**32))).randbytes(size)
    cuts = sorted(draw(st.lists(st.integers(0, size), max_size=12)))
    start = draw(st.integers(0, max(size - 1, 0)))
    end = draw(st.integers(start, max(size - 1, 0)))
    return data, cuts, start, end


@settings(max_examples=60, deadline=None)
@given(_objects())
def test_any_chunking_and_any_range(case: tuple[bytes, list[int], int, int]) -> None:
    data, cuts, start, end = case
    size = len(data)
    bounds = [0, *cuts, size]
    sealed = _seal_stream(data[a:b] for a, b in pairwise(bounds))
    assert open_all(KEY, LABEL, size, sealed) == data
    first, last = start // SEGMENT, end // SEGMENT
    offset, length = sealed_range(size, first, last)
    opened = b"".join(open_segments(KEY, LABEL, sealed[:HEADER], size, first,
                                    sealed[offset:offset + length], last=last))
    skip = start - first * SEGMENT
    assert opened[skip:skip + end - start + 1] == data[start:end + 1]
    assert len(opened) == min(size, (last + 1) * SEGMENT) - first * SEGMENT
