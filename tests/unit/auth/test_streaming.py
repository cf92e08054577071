"""The aws-chunked decoder: any split of the raw body decodes the same; tampering, truncation,
bad framing and hostile sizes are refused with S3's error codes."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.auth import sigv4
from ironbucket.auth.payload import PayloadCheck, PayloadMode, open_body
from ironbucket.auth.streaming import MAX_LINE, AwsChunkedDecoder, ChunkSigning, decode_aws_chunked
from ironbucket.errors import S3Error
from tests.unit.auth.auth_testing import collect, make_body, run

KEY = sigv4.signing_key("secret", "20240101", "us-east-1", "s3")
SCOPE = "20240101/us-east-1/s3/aws4_request"
DATE = "20240101T000000Z"
SEED = "a" * 64
SIGNING = ChunkSigning(KEY, DATE, SCOPE, SEED, access_key_id="AKID")
MODES = ["signed", "signed-trailer", "unsigned-trailer"]
TRAILERS = {"x-amz-checksum-crc32": "AAAAAA=="}


def encode(
    sizes: list[int],
    mode: str,
    *,
    payload: bytes | None = None,
    trailers: dict[str, str] | None = None,
) -> tuple[bytes, bytes]:
    """(wire body, payload) for chunks of ``sizes`` (a final 0 chunk is appended)."""
    data = payload if payload is not None else bytes(i % 251 for i in range(sum(sizes)))
    signed = mode != "unsigned-trailer"
    previous = SEED
    parts: list[bytes] = []
    offset = 0
    for size in [*sizes, 0]:
        chunk = data[offset : offset + size]
        offset += size
        if signed:
            sts = sigv4.chunk_string_to_sign(DATE, SCOPE, previous, hashlib.sha256(chunk).hexdigest())
            previous = sigv4.sign(KEY, sts)
            parts.append(f"{size:x};chunk-signature={previous}\r\n".encode())
        else:
            parts.append(f"{size:x}\r\n".encode())
        if size:
            parts.append(chunk + b"\r\n")
    if mode != "signed":
        lines = trailers if trailers is not None else TRAILERS
        canonical = "".join(f"{name}:{value}\n" for name, value in lines.items())
        parts.extend(f"{name}:{value}\r\n".encode() for name, value in lines.items())
        if signed:
            sts = sigv4.trailer_string_to_sign(DATE, SCOPE, previous, sigv4.sha256_hex(canonical))
            parts.append(f"x-amz-trailer-signature:{sigv4.sign(KEY, sts)}\r\n".encode())
    parts.append(b"\r\n")
    return b"".join(parts), data


def decoder(
    mode: str, decoded_length: int | None = None, announced: tuple[str, ...] = tuple(TRAILERS)
) -> AwsChunkedDecoder:
    return AwsChunkedDecoder(
        signing=None if mode == "unsigned-trailer" else SIGNING,
        trailer=mode != "signed",
        announced=announced if mode != "signed" else (),
        decoded_length=decoded_length,
    )


def decode(
    wire: bytes,
    mode: str,
    cuts: Sequence[int] = (),
    *,
    decoded_length: int | None = None,
    announced: tuple[str, ...] = tuple(TRAILERS),
) -> tuple[bytes, dict[str, str]]:
    d = decoder(mode, decoded_length, announced)
    out: list[bytes] = []
    bounds = [0, *sorted(set(cuts)), len(wire)]
    for start, end in itertools.pairwise(bounds):
        out.extend(d.feed(wire[start:end]))
    d.finish()
    return b"".join(out), d.trailers


def code_of(
    wire: bytes, mode: str, *, decoded_length: int | None = None, announced: tuple[str, ...] = tuple(TRAILERS)
) -> tuple[str, dict[str, str]]:
    try:
        decode(wire, mode, decoded_length=decoded_length, announced=announced)
    except S3Error as error:
        return error.code, error.fields
    return "", {}


# --- any split decodes the same -------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(
    mode=st.sampled_from(MODES),
    sizes=st.lists(st.integers(8192, 9000), max_size=3),
    last=st.integers(0, 9000),
    cuts=st.data(),
)
def test_any_split_decodes_to_the_same_payload(
    mode: str, sizes: list[int], last: int, cuts: st.DataObject
) -> None:
    wire, payload = encode([*sizes, last] if last else sizes, mode)
    positions = cuts.draw(st.lists(st.integers(0, len(wire)), max_size=40))
    assert decode(wire, mode, positions, decoded_length=len(payload)) == (
        payload,
        {} if mode == "signed" else TRAILERS,
    )


@pytest.mark.parametrize("mode", MODES)
def test_byte_by_byte(mode: str) -> None:
    wire, payload = encode([8192, 100], mode)
    d = decoder(mode, len(payload))
    out = b"".join(piece for i in range(len(wire)) for piece in d.feed(wire[i : i + 1]))
    d.finish()
    assert out == payload


@pytest.mark.parametrize("mode", MODES)
def test_empty_payload(mode: str) -> None:
    wire, _ = encode([], mode)
    assert decode(wire, mode, decoded_length=0)[0] == b""


# --- tampering ------------------------------------------------------------------------------------
def flip(wire: bytes, at: int) -> bytes:
    return wire[:at] + bytes([wire[at] ^ 0x01]) + wire[at + 1 :]


@pytest.mark.parametrize("mode", ["signed", "signed-trailer"])
@pytest.mark.parametrize("where", ["first data", "last data", "chunk signature", "final signature"])
def test_tampering_breaks_the_chain(mode: str, where: str) -> None:
    wire, payload = encode([8192, 500], mode)
    positions = {
        "first data": wire.index(b"\r\n") + 2,
        "last data": wire.index(b"\r\n0;") - 1,
        "chunk signature": wire.index(b"chunk-signature=") + 20,
        "final signature": wire.rindex(b"\r\n0;chunk-signature=") + 27,
    }
    tampered = wire[: positions[where]] + b"0" + wire[positions[where] + 1 :]
    if tampered == wire:
        tampered = wire[: positions[where]] + b"1" + wire[positions[where] + 1 :]
    code, fields = code_of(tampered, mode, decoded_length=len(payload))
    assert code == "SignatureDoesNotMatch"
    assert fields["StringToSign"].startswith("AWS4-HMAC-SHA256-PAYLOAD\n")
    assert fields["AWSAccessKeyId"] == "AKID"


@pytest.mark.parametrize("tamper", ["value", "signature"])
def test_tampered_trailer(tamper: str) -> None:
    wire, payload = encode([100], "signed-trailer")
    at = wire.index(b"AAAAAA==") if tamper == "value" else wire.index(b"x-amz-trailer-signature:") + 30
    tampered = (
        wire[:at]
        + (b"B" if tamper == "value" else b"0" if wire[at : at + 1] != b"0" else b"1")
        + wire[at + 1 :]
    )
    code, fields = code_of(tampered, "signed-trailer", decoded_length=len(payload))
    assert code == "SignatureDoesNotMatch"
    assert fields["StringToSign"].startswith("AWS4-HMAC-SHA256-TRAILER\n")


def test_unsigned_chunks_carry_no_signatures() -> None:
    # (Integrity of unsigned payloads comes from the trailing checksum, checked by the caller.)
    wire, payload = encode([8192, 10], "unsigned-trailer")
    assert decode(flip(wire, 10), "unsigned-trailer")[0] == flip(payload, 10 - len("2000\r\n"))


# --- truncation and framing -----------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_every_truncation_is_incomplete(mode: str) -> None:
    wire, payload = encode([300], mode)
    for end in range(len(wire)):
        assert code_of(wire[:end], mode, decoded_length=len(payload))[0] in (
            "IncompleteBody",
            "MalformedTrailerError",  # cut inside a trailer line: the announced trailer is missing
        ), end
    assert code_of(wire[:-2], mode)[0] == "IncompleteBody"


def test_truncation_through_open_body_raises_after_the_data() -> None:
    wire, payload = encode([8192, 100], "signed")
    check = PayloadCheck(PayloadMode.STREAMING_SIGNED, signing=SIGNING, decoded_length=len(payload))
    verified = open_body(make_body([wire[:5000], wire[5000:-10]], content_length=None), check)
    received: list[bytes] = []

    async def drain() -> None:
        async for piece in verified.chunks():
            received.append(piece)

    with pytest.raises(S3Error) as raised:
        run(drain())
    assert raised.value.code == "IncompleteBody"
    assert raised.value.message == "The request body terminated unexpectedly"
    assert b"".join(received) == payload and not verified.completed


FRAMING = [
    ("size is not hex", b"zz;chunk-signature=" + b"0" * 64 + b"\r\n", "signed"),
    ("size too long", b"1" * 17 + b"\r\n", "unsigned-trailer"),
    ("bare LF", b"0\n\r\n", "unsigned-trailer"),
    ("extension on an unsigned chunk", b"0;foo=bar\r\n\r\n", "unsigned-trailer"),
    ("signed chunk without signature", b"0\r\n\r\n", "signed"),
    ("other extension on a signed chunk", b"0;sig=" + b"0" * 64 + b"\r\n\r\n", "signed"),
    ("short signature", b"0;chunk-signature=abc\r\n\r\n", "signed"),
    ("data not followed by CRLF", b"3\r\nabcXY0\r\n\r\n", "unsigned-trailer"),
    ("bytes after the end", b"0\r\n\r\nX", "unsigned-trailer"),
    ("empty body", b"", "unsigned-trailer"),
]


@pytest.mark.parametrize(("name", "wire", "mode"), FRAMING, ids=[case[0] for case in FRAMING])
def test_bad_framing_is_incomplete_body(name: str, wire: bytes, mode: str) -> None:
    assert code_of(wire, mode, announced=())[0] == "IncompleteBody"


def test_an_endless_chunk_size_line_is_refused_without_buffering() -> None:
    d = decoder("unsigned-trailer")
    with pytest.raises(S3Error) as raised:
        for _ in range(10_000):
            d.feed(b"1" * 100)
            assert len(d._line) <= MAX_LINE + 2
    assert raised.value.code == "IncompleteBody"
    with pytest.raises(S3Error):
        decoder("signed").feed(b"1" * 10_000_000)


def test_an_endless_trailer_line_is_refused() -> None:
    d = decoder("unsigned-trailer")
    d.feed(b"0\r\nx-amz-checksum-crc32:")
    with pytest.raises(S3Error) as raised:
        for _ in range(100):
            d.feed(b"A" * 100)
    assert raised.value.code == "IncompleteBody"


# --- sizes ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("sizes", "fields"),
    [
        ([100, 100], {"Chunk": "2", "BadChunkSize": "100"}),
        ([8191, 8192], {"Chunk": "2", "BadChunkSize": "8191"}),
        ([8192, 8192, 5, 10], {"Chunk": "4", "BadChunkSize": "5"}),
    ],
)
def test_only_the_last_chunk_may_be_small(mode: str, sizes: list[int], fields: dict[str, str]) -> None:
    wire, payload = encode(sizes, mode)
    assert code_of(wire, mode, decoded_length=len(payload)) == ("InvalidChunkSizeError", fields)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("delta", [-1, 1])
def test_decoded_length_must_match(mode: str, delta: int) -> None:
    wire, payload = encode([8192, 10], mode)
    assert code_of(wire, mode, decoded_length=len(payload) + delta)[0] == "IncompleteBody"


# --- trailers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["signed-trailer", "unsigned-trailer"])
@pytest.mark.parametrize(
    ("trailers", "announced"),
    [
        ({"x-amz-checksum-sha256": "x"}, ("x-amz-checksum-crc32",)),  # not announced
        ({}, ("x-amz-checksum-crc32",)),  # announced, never sent
        ({"x-amz-checksum-crc32": "x", "X-Amz-Checksum-CRC32": "y"}, ("x-amz-checksum-crc32",)),  # twice
        ({"": "x"}, ("x-amz-checksum-crc32",)),  # no name
    ],
)
def test_malformed_trailers(mode: str, trailers: dict[str, str], announced: tuple[str, ...]) -> None:
    wire, _ = encode([10], mode, trailers=trailers)
    assert code_of(wire, mode, announced=announced)[0] == "MalformedTrailerError"


def test_trailer_signature_is_required_when_signed_and_refused_when_not() -> None:
    unsigned, _ = encode([10], "unsigned-trailer")
    signed, _ = encode([10], "signed-trailer")
    without_signature = signed[: signed.index(b"x-amz-trailer-signature")] + b"\r\n"
    assert code_of(without_signature, "signed-trailer")[0] == "MalformedTrailerError"
    stray = unsigned[:-2] + b"x-amz-trailer-signature:" + b"0" * 64 + b"\r\n\r\n"
    assert code_of(stray, "unsigned-trailer")[0] == "MalformedTrailerError"
    assert (
        code_of(unsigned[:-2] + b"x-amz-meta-a:1\r\n\r\n", "unsigned-trailer")[0] == "MalformedTrailerError"
    )
    plain, _ = encode([10], "signed")
    assert code_of(plain[:-2] + TRAILER_LINE + b"\r\n", "signed")[0] == "MalformedTrailerError"


TRAILER_LINE = b"x-amz-checksum-crc32:AAAAAA==\r\n"


def test_trailer_whitespace_and_case() -> None:
    wire = b"3\r\nabc\r\n0\r\nX-Amz-Checksum-CRC32 :  AAAAAA== \r\n\r\n"
    assert decode(wire, "unsigned-trailer", decoded_length=3) == (b"abc", TRAILERS)


# --- open_body ------------------------------------------------------------------------------------
async def pieces(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_decode_aws_chunked_wrapper() -> None:
    wire, payload = encode([8192, 3], "unsigned-trailer")
    d = decoder("unsigned-trailer", len(payload))
    assert run(collect(decode_aws_chunked(pieces(wire[:7], wire[7:]), d))) == payload
    assert d.trailers == TRAILERS and d.done


@pytest.mark.parametrize("content_length", ["auto", None])
def test_sha256_body(content_length: str | None) -> None:
    data = b"hello world" * 1000
    good = PayloadCheck(PayloadMode.SHA256, expected_sha256=hashlib.sha256(data).hexdigest())
    verified = open_body(make_body([data[:5], data[5:]], content_length), good)
    assert run(collect(verified.chunks())) == data
    assert verified.completed and verified.decoded_size == len(data)


def test_sha256_mismatch_raises_after_the_last_chunk() -> None:
    data = b"payload"
    bad = PayloadCheck(PayloadMode.SHA256, expected_sha256="0" * 64)
    verified = open_body(make_body([data[:3], data[3:]]), bad)
    received: list[bytes] = []

    async def drain() -> None:
        async for piece in verified.chunks():
            received.append(piece)

    with pytest.raises(S3Error) as raised:
        run(drain())
    assert raised.value.code == "XAmzContentSHA256Mismatch"
    assert raised.value.fields == {
        "ClientComputedContentSHA256": "0" * 64,
        "S3ComputedContentSHA256": hashlib.sha256(data).hexdigest(),
    }
    assert b"".join(received) == data and not verified.completed


def test_streaming_open_body_exposes_trailers_and_sizes() -> None:
    wire, payload = encode([8192, 7], "signed-trailer")
    check = PayloadCheck(
        PayloadMode.STREAMING_SIGNED_TRAILER,
        signing=SIGNING,
        decoded_length=len(payload),
        trailer_names=tuple(TRAILERS),
    )
    verified = open_body(make_body([wire[:100], wire[100:]], content_length=None), check)
    assert verified.expected_size == len(payload)
    assert run(collect(verified.chunks())) == payload
    assert verified.trailers == TRAILERS and verified.decoded_size == len(payload)
