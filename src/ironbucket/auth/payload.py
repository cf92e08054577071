"""How a request body must be verified, decided at authentication, applied while it streams.

``x-amz-content-sha256`` names the mode: a hex SHA-256 of the body, ``UNSIGNED-PAYLOAD``, or one
of the aws-chunked ``STREAMING-*`` encodings.
https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ironbucket import errors
from ironbucket.auth import sigv4
from ironbucket.auth.streaming import AwsChunkedDecoder, ChunkSigning, decode_aws_chunked
from ironbucket.errors import (
    InvalidArgument,
    InvalidRequest,
    MalformedTrailerError,
    MissingContentLength,
    XAmzContentSHA256Mismatch,
)
from ironbucket.http.request import Body, read_limited

_HEX_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_SIGV4A_STREAMING = frozenset(
    {"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"}
)
_INVALID_CONTENT_SHA256 = (
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
    "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER "
    "or a valid sha256 value."
)


class PayloadMode(StrEnum):
    UNSIGNED = sigv4.UNSIGNED_PAYLOAD
    SHA256 = "SHA256"  # the body's hex SHA-256 was signed
    STREAMING_SIGNED = sigv4.STREAMING_SIGNED
    STREAMING_SIGNED_TRAILER = sigv4.STREAMING_SIGNED_TRAILER
    STREAMING_UNSIGNED_TRAILER = sigv4.STREAMING_UNSIGNED_TRAILER


@dataclass(frozen=True, slots=True)
class PayloadCheck:
    mode: PayloadMode
    expected_sha256: str | None = None  # lower-case hex, mode SHA256
    signing: ChunkSigning | None = None  # seed signature, key, date, scope: signed streaming modes
    decoded_length: int | None = None  # x-amz-decoded-content-length, streaming modes
    trailer_names: tuple[str, ...] = ()  # x-amz-trailer, trailer modes

    @property
    def is_streaming(self) -> bool:
        return self.mode not in (PayloadMode.UNSIGNED, PayloadMode.SHA256)


UNSIGNED = PayloadCheck(PayloadMode.UNSIGNED)


def payload_check(
    content_sha256: str | None, headers: Mapping[str, str], *, signing: ChunkSigning | None
) -> PayloadCheck:
    """The check an ``x-amz-content-sha256`` value asks for. ``signing`` is None for requests
    without a SigV4 seed signature (anonymous, SigV2), which cannot use signed chunks."""
    value = content_sha256 if content_sha256 is not None else sigv4.UNSIGNED_PAYLOAD
    mode = validate_content_sha256(value)
    if headers.get("x-amz-trailer", "").strip() and mode not in (
        PayloadMode.STREAMING_SIGNED_TRAILER,
        PayloadMode.STREAMING_UNSIGNED_TRAILER,
    ):
        raise MalformedTrailerError()  # a trailer was announced that this body cannot carry
    if mode is PayloadMode.UNSIGNED:
        encodings = headers.get("content-encoding", "")
        if encodings and "aws-chunked" in (token.strip().lower() for token in encodings.split(",")):
            raise InvalidArgument(
                "aws-chunked encoding is not supported when x-amz-content-sha256 UNSIGNED-PAYLOAD "
                "is supplied.",
                ArgumentName="Content-Encoding",
                ArgumentValue=encodings,
            )
        return UNSIGNED
    if mode is PayloadMode.SHA256:
        return PayloadCheck(mode, expected_sha256=value.lower())
    signed = mode is not PayloadMode.STREAMING_UNSIGNED_TRAILER
    if signed and signing is None:
        raise InvalidRequest(f"{value} requires a request signed with {sigv4.ALGORITHM}.")
    trailers: tuple[str, ...] = ()
    if mode is not PayloadMode.STREAMING_SIGNED:
        announced = headers.get("x-amz-trailer", "")
        trailers = tuple(name.strip().lower() for name in announced.split(",") if name.strip())
    return PayloadCheck(
        mode,
        signing=signing if signed else None,
        decoded_length=_decoded_length(headers),
        trailer_names=trailers,
    )


def validate_content_sha256(value: str) -> PayloadMode:
    """The mode an ``x-amz-content-sha256`` value names; InvalidArgument if it names none."""
    mode = _MODES.get(value)  # a dict, not PayloadMode(value): every request asks, twice
    if mode is not None:
        return mode
    if _HEX_SHA256.fullmatch(value):
        return PayloadMode.SHA256
    if value in _SIGV4A_STREAMING:
        raise errors.NotImplemented(Header="x-amz-content-sha256")
    raise InvalidArgument(_INVALID_CONTENT_SHA256, ArgumentName="x-amz-content-sha256", ArgumentValue=value)


_MODES = {mode.value: mode for mode in PayloadMode if mode is not PayloadMode.SHA256}


def _decoded_length(headers: Mapping[str, str]) -> int | None:
    text = headers.get("x-amz-decoded-content-length", "").strip()
    if not text:
        # botocore (>= 1.36) streams bodies of unknown length as Transfer-Encoding: chunked
        # with no decoded length; S3 accepts that. A Content-Length framed aws-chunked body
        # must say how long its payload is (411 otherwise).
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return None
        raise MissingContentLength()
    if not text.isdigit() or len(text) > 19:
        raise InvalidArgument(
            "x-amz-decoded-content-length must be a non-negative integer.",
            ArgumentName="x-amz-decoded-content-length",
            ArgumentValue=text,
        )
    return int(text)


class VerifiedBody:
    """The decoded payload of a request, verified as :class:`PayloadCheck` says.

    ``chunks()`` raises after the last payload byte at the latest (``XAmzContentSHA256Mismatch``,
    ``SignatureDoesNotMatch``, ``IncompleteBody``, ...): commit only once it finished cleanly.
    ``trailers`` and ``decoded_size`` are final once it has.
    """

    __slots__ = ("_body", "check", "completed", "decoded_size", "trailers")

    def __init__(self, body: Body, check: PayloadCheck) -> None:
        self._body = body
        self.check = check
        self.trailers: dict[str, str] = {}
        self.decoded_size = 0
        self.completed = False

    @property
    def expected_size(self) -> int | None:
        """The payload size announced up front, if any (for early size limits)."""
        return self.check.decoded_length if self.check.is_streaming else self._body.content_length

    async def chunks(self) -> AsyncIterator[bytes]:
        check = self.check
        if check.is_streaming:
            decoder = AwsChunkedDecoder(
                signing=check.signing,
                trailer=check.mode is not PayloadMode.STREAMING_SIGNED,
                announced=check.trailer_names,
                decoded_length=check.decoded_length,
            )
            async for piece in decode_aws_chunked(self._body.chunks(), decoder):
                self.decoded_size += len(piece)
                yield piece
            self.trailers = dict(decoder.trailers)
        else:
            digest = hashlib.sha256() if check.mode is PayloadMode.SHA256 else None
            async for piece in self._body.chunks():
                if digest is not None:
                    digest.update(piece)
                self.decoded_size += len(piece)
                yield piece
            if digest is not None and check.expected_sha256 is not None:
                computed = digest.hexdigest()
                if not hmac.compare_digest(computed, check.expected_sha256):
                    raise XAmzContentSHA256Mismatch(
                        ClientComputedContentSHA256=check.expected_sha256,
                        S3ComputedContentSHA256=computed,
                    )
        self.completed = True

    async def read_all(self, limit: int) -> bytes:
        """A small document, refused at the first chunk past ``limit`` (see ``read_limited``)."""
        return await read_limited(self.chunks(), limit)


def open_body(body: Body, check: PayloadCheck) -> VerifiedBody:
    return VerifiedBody(body, check)
