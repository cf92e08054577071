"""aws-chunked request bodies: signed chunks, unsigned chunks with trailers, signed trailers.

The decoder is sans-IO (``feed`` bytes, get payload pieces back) so it can be fed the body split
at any byte boundary and tested without a server; :func:`decode_aws_chunked` wraps it around an
async byte stream. Payload bytes are passed on as soon as they arrive and verified at the end of
each chunk: the caller commits only after the stream finished cleanly.

Wire formats:
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
Error codes follow what S3 answers (IncompleteBody "The request body terminated unexpectedly",
InvalidChunkSizeError with Chunk/BadChunkSize, MalformedTrailerError).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from enum import Enum, auto

from ironbucket.auth import sigv4
from ironbucket.errors import (
    IncompleteBody,
    InvalidChunkSizeError,
    MalformedTrailerError,
    SignatureDoesNotMatch,
)

MIN_CHUNK_SIZE = 8192  # every chunk but the last; S3 refuses smaller ones
MAX_LINE = 4096  # a chunk header is ~90 bytes and a checksum trailer ~70: anything longer is hostile
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
_SIGNATURE = re.compile(rb"[0-9a-f]{64}")
_CHUNK_SIGNATURE = b"chunk-signature="


@dataclass(frozen=True, slots=True)
class ChunkSigning:
    """What verifying signed chunks needs, taken from the request's (seed) signature."""

    signing_key: bytes = field(repr=False)
    amz_date: str
    scope: str
    seed_signature: str
    access_key_id: str = ""
    # Echoed in SignatureDoesNotMatch bodies, as S3 does.
    canonical_request: str = field(default="", repr=False)


def incomplete() -> IncompleteBody:
    return IncompleteBody("The request body terminated unexpectedly")


def signature_mismatch(
    access_key_id: str, string_to_sign: str, provided: str, canonical_request: str = ""
) -> SignatureDoesNotMatch:
    """SignatureDoesNotMatch with the diagnostic elements S3 includes."""
    fields = {
        "AWSAccessKeyId": access_key_id,
        "StringToSign": string_to_sign,
        "SignatureProvided": provided,
        "StringToSignBytes": string_to_sign.encode("utf-8").hex(" "),
    }
    if canonical_request:
        fields["CanonicalRequest"] = canonical_request
        fields["CanonicalRequestBytes"] = canonical_request.encode("utf-8").hex(" ")
    return SignatureDoesNotMatch(**fields)


class _State(Enum):
    HEADER = auto()
    DATA = auto()
    DATA_END = auto()
    TRAILER = auto()
    DONE = auto()


class AwsChunkedDecoder:
    """Decodes one aws-chunked body. ``signing`` set: chunks carry chained signatures.
    ``trailer`` set: trailer lines (only the ``announced`` names) follow the final chunk."""

    def __init__(
        self,
        *,
        signing: ChunkSigning | None,
        trailer: bool,
        announced: Collection[str] = (),
        decoded_length: int | None = None,
    ) -> None:
        self._signing = signing
        self._trailer = trailer
        self._announced = frozenset(name.lower() for name in announced)
        self._decoded_length = decoded_length
        self._state = _State.HEADER
        self._line = bytearray()
        self._remaining = 0
        self._chunks = 0  # chunk headers seen
        self._last_size = 0
        self._previous_signature = signing.seed_signature if signing else ""
        self._chunk_signature = ""
        self._hash = hashlib.sha256()
        self._canonical_trailer: list[str] = []
        self._trailer_signature: str | None = None
        self.trailers: dict[str, str] = {}
        self.decoded_size = 0

    @property
    def done(self) -> bool:
        return self._state is _State.DONE

    def feed(self, data: bytes) -> list[bytes]:
        """Consume raw bytes; return the payload bytes they completed (possibly none)."""
        out: list[bytes] = []
        pos, end = 0, len(data)
        while pos < end:
            state = self._state
            if state is _State.DATA:
                take = min(self._remaining, end - pos)
                piece = data if pos == 0 and take == end else data[pos : pos + take]
                if self._signing is not None:
                    self._hash.update(piece)
                out.append(piece)
                pos += take
                self._remaining -= take
                if self._remaining == 0:
                    self._end_of_data()
            elif state is _State.DONE:
                raise incomplete()  # bytes after the end of the encoding
            else:
                line, pos = self._take_line(data, pos, end)
                if line is None:
                    break
                if state is _State.HEADER:
                    self._chunk_header(line)
                elif state is _State.DATA_END:
                    if line:
                        raise incomplete()
                    self._state = _State.HEADER
                else:
                    self._trailer_line(line)
        return out

    def finish(self) -> None:
        """The raw body ended: it must have ended exactly at the end of the encoding."""
        if self._state is not _State.DONE:
            raise incomplete()

    # --- framing ----------------------------------------------------------------------------------
    def _take_line(self, data: bytes, pos: int, end: int) -> tuple[bytes | None, int]:
        """The next CRLF-terminated line (without CRLF), buffering at most MAX_LINE bytes."""
        room = MAX_LINE + 2 - len(self._line)  # what the line may still grow by, CRLF included
        newline = data.find(b"\n", pos, min(end, pos + room))
        if newline < 0:
            if end - pos >= room:
                raise incomplete()
            self._line += data[pos:end]
            return None, end
        self._line += data[pos:newline]
        line = bytes(self._line)
        self._line.clear()
        if not line.endswith(b"\r"):
            raise incomplete()
        return line[:-1], newline + 1

    def _chunk_header(self, line: bytes) -> None:
        size_text, sep, extension = line.partition(b";")
        if not _SIZE.fullmatch(size_text):
            raise incomplete()
        size = int(size_text, 16)
        self._chunks += 1
        if size > 0 and self._chunks > 1 and self._last_size < MIN_CHUNK_SIZE:
            # S3 notices a short chunk only when the next one starts, and reports that one's number.
            raise InvalidChunkSizeError(Chunk=str(self._chunks), BadChunkSize=str(self._last_size))
        if self._signing is not None:
            signature = extension.removeprefix(_CHUNK_SIGNATURE)
            if not sep or len(signature) == len(extension) or not _SIGNATURE.fullmatch(signature):
                raise incomplete()
            self._chunk_signature = signature.decode("ascii")
        elif sep:
            raise incomplete()
        if self._decoded_length is not None and self.decoded_size + size > self._decoded_length:
            raise incomplete()
        self._last_size = size
        self.decoded_size += size
        if size == 0:
            self._verify_chunk()
            self._state = _State.TRAILER
        else:
            self._remaining = size
            self._state = _State.DATA

    def _end_of_data(self) -> None:
        self._verify_chunk()
        self._state = _State.DATA_END

    def _trailer_line(self, line: bytes) -> None:
        if not line:
            self._end_of_trailer()
            return
        if not self._trailer or self._trailer_signature is not None:
            raise MalformedTrailerError()
        name_bytes, sep, value_bytes = line.partition(b":")
        try:
            name = name_bytes.decode("ascii").strip().lower()
            value = value_bytes.decode("ascii").strip()
        except UnicodeDecodeError:
            raise MalformedTrailerError() from None
        if not sep or not name:
            raise MalformedTrailerError()
        if name == TRAILER_SIGNATURE:
            if self._signing is None or not _SIGNATURE.fullmatch(value.encode()):
                raise MalformedTrailerError()
            self._trailer_signature = value
            return
        if name not in self._announced or name in self.trailers:
            raise MalformedTrailerError()
        self.trailers[name] = value
        self._canonical_trailer.append(f"{name}:{value}\n")

    def _end_of_trailer(self) -> None:
        if self._decoded_length is not None and self.decoded_size != self._decoded_length:
            raise incomplete()
        if self._trailer:
            if self._announced - self.trailers.keys():
                raise MalformedTrailerError()
            if self._signing is not None:
                if self._trailer_signature is None:
                    raise MalformedTrailerError()
                self._verify_trailer(self._trailer_signature)
        self._state = _State.DONE

    # --- signatures -------------------------------------------------------------------------------
    def _verify_chunk(self) -> None:
        signing = self._signing
        if signing is None:
            return
        string_to_sign = sigv4.chunk_string_to_sign(
            signing.amz_date, signing.scope, self._previous_signature, self._hash.hexdigest()
        )
        self._hash = hashlib.sha256()
        self._check(string_to_sign, self._chunk_signature)

    def _verify_trailer(self, provided: str) -> None:
        assert self._signing is not None
        string_to_sign = sigv4.trailer_string_to_sign(
            self._signing.amz_date,
            self._signing.scope,
            self._previous_signature,
            sigv4.sha256_hex("".join(self._canonical_trailer)),
        )
        self._check(string_to_sign, provided)

    def _check(self, string_to_sign: str, provided: str) -> None:
        assert self._signing is not None
        expected = sigv4.sign(self._signing.signing_key, string_to_sign)
        if not sigv4.signatures_equal(expected, provided):
            raise signature_mismatch(
                self._signing.access_key_id, string_to_sign, provided, self._signing.canonical_request
            )
        self._previous_signature = provided


async def decode_aws_chunked(raw: AsyncIterator[bytes], decoder: AwsChunkedDecoder) -> AsyncIterator[bytes]:
    """Yield the decoded payload of ``raw``; raises (after the last payload byte at the latest)
    if the encoding, a signature, a trailer or the decoded length is wrong."""
    async for data in raw:
        for piece in decoder.feed(data):
            yield piece
    decoder.finish()
