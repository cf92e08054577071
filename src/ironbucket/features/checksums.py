"""Flexible checksums: algorithms, hashers, request headers, and multipart combination rules.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
(and its sub-pages "Checking object integrity for data uploads" and "multipart upload checksums").

S3 verifies at most one ``x-amz-checksum-<alg>`` per request, sent either as a header or as an
aws-chunked trailer announced in ``x-amz-trailer``. A multipart object's checksum is either
COMPOSITE (the checksum of the concatenated binary part checksums, shown as ``<b64>-<N>``) or
FULL_OBJECT (CRCs only: the part CRCs folded into the CRC of the whole object with their lengths).
Content-MD5 lives here too: it is the older form of the same idea.
"""

from __future__ import annotations

import base64
import binascii
import enum
import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from ironbucket.errors import (
    BadDigest,
    InvalidDigest,
    InvalidPart,
    InvalidRequest,
)
from ironbucket.errors import NotImplemented as S3NotImplemented

# Every algorithm name in botocore's S3 model (ChecksumAlgorithm). The ones we do not implement
# are answered 501 rather than ignored: ignoring a checksum would store a body nobody verified.
AWS_ALGORITHM_NAMES = (
    *("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"),
    *("SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128"),
)


class ChecksumAlgorithm(enum.Enum):
    CRC32 = "CRC32"
    CRC32C = "CRC32C"
    CRC64NVME = "CRC64NVME"
    SHA1 = "SHA1"
    SHA256 = "SHA256"

    @property
    def header(self) -> str:
        """The request/response header carrying this algorithm's value."""
        return f"x-amz-checksum-{self.value.lower()}"

    @property
    def digest_size(self) -> int:
        return _DIGEST_SIZE[self]

    @property
    def is_crc(self) -> bool:
        return self in _CRC_NAMES

    def supports(self, checksum_type: ChecksumType) -> bool:
        # CRCs combine mathematically, so only they can be FULL_OBJECT; CRC64NVME is offered only
        # that way, SHA only COMPOSITE ("Using supported checksum algorithms" table).
        if checksum_type is ChecksumType.FULL_OBJECT:
            return self.is_crc
        return self is not ChecksumAlgorithm.CRC64NVME

    @property
    def default_multipart_type(self) -> ChecksumType:
        if self is ChecksumAlgorithm.CRC64NVME:
            return ChecksumType.FULL_OBJECT
        return ChecksumType.COMPOSITE

    @classmethod
    def parse(cls, value: str) -> ChecksumAlgorithm:
        """An algorithm name from a header (case-insensitive, as SDKs differ)."""
        name = value.strip().upper()
        try:
            return cls(name)
        except ValueError:
            if name in AWS_ALGORITHM_NAMES:
                raise S3NotImplemented(f"The {name} checksum algorithm is not implemented.") from None
            raise InvalidRequest(_UNSUPPORTED_ALGORITHM) from None


class ChecksumType(enum.Enum):
    COMPOSITE = "COMPOSITE"
    FULL_OBJECT = "FULL_OBJECT"


_UNSUPPORTED_ALGORITHM = (
    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
    f"[{', '.join(a.value for a in ChecksumAlgorithm)}]"
)
_DIGEST_SIZE = {
    ChecksumAlgorithm.CRC32: 4,
    ChecksumAlgorithm.CRC32C: 4,
    ChecksumAlgorithm.CRC64NVME: 8,
    ChecksumAlgorithm.SHA1: 20,
    ChecksumAlgorithm.SHA256: 32,
}
_CRC_NAMES = {ChecksumAlgorithm.CRC32: "crc32", ChecksumAlgorithm.CRC32C: "crc32c",
              ChecksumAlgorithm.CRC64NVME: "crc64nvme"}
CrcFunction = Callable[[bytes | bytearray | memoryview, int], int]  # any bytes-like (stubs say bytes)


@functools.cache
def _crc_function(algorithm: ChecksumAlgorithm) -> CrcFunction:
    # awscrt (about 5 MB resident in each worker) is loaded by the first CRC, not at startup:
    # clients that send no CRC never pay for it.
    from awscrt import checksums

    return cast(CrcFunction, getattr(checksums, _CRC_NAMES[algorithm]))


@functools.cache
def _crc_combine(algorithm: ChecksumAlgorithm) -> Callable[[int, int, int], int]:
    from awscrt import checksums

    return cast(Callable[[int, int, int], int], getattr(checksums, "combine_" + _CRC_NAMES[algorithm]))


_SHA_NAMES = {ChecksumAlgorithm.SHA1: "sha1", ChecksumAlgorithm.SHA256: "sha256"}


# --- hashing ---------------------------------------------------------------------------------------
class ChecksumHasher:
    """Incremental checksum of one algorithm: ``update`` as bytes arrive, ``digest`` at the end."""

    __slots__ = ("_crc", "_crc_update", "_sha", "algorithm")

    def __init__(self, algorithm: ChecksumAlgorithm) -> None:
        self.algorithm = algorithm
        self._crc = 0
        self._sha = hashlib.new(_SHA_NAMES[algorithm]) if algorithm in _SHA_NAMES else None
        self._crc_update = None if self._sha is not None else _crc_function(algorithm)

    def update(self, data: bytes | bytearray | memoryview) -> None:
        if self._crc_update is not None:
            self._crc = self._crc_update(data, self._crc)
        elif self._sha is not None:
            self._sha.update(data)

    def digest(self) -> bytes:
        if self._sha is not None:
            return self._sha.digest()
        return self._crc.to_bytes(self.algorithm.digest_size, "big")

    def b64digest(self) -> str:
        return base64.b64encode(self.digest()).decode("ascii")


def checksum_of(algorithm: ChecksumAlgorithm, data: bytes) -> bytes:
    hasher = ChecksumHasher(algorithm)
    hasher.update(data)
    return hasher.digest()


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


# --- request headers -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ChecksumRequest:
    """What a write request says about its checksum, parsed from its headers."""

    algorithm: ChecksumAlgorithm | None  # the one checksum to compute and verify, if any
    value: str | None  # base64, when sent as a header (already checked for form)
    trailer: bool  # the value arrives as an aws-chunked trailer instead
    sdk_algorithm: ChecksumAlgorithm | None  # x-amz-sdk-checksum-algorithm, informational


def parse_checksum_request(headers: Mapping[str, str]) -> ChecksumRequest:
    """Read ``x-amz-checksum-*``, ``x-amz-trailer`` and ``x-amz-sdk-checksum-algorithm``.

    ``headers`` has lower-case names. Raises InvalidRequest for two checksums, a malformed value,
    or an SDK algorithm with no value to go with it.
    """
    found: list[tuple[ChecksumAlgorithm, str | None]] = []
    for name in AWS_ALGORITHM_NAMES:
        value = headers.get(f"x-amz-checksum-{name.lower()}")
        if value is not None:
            found.append((ChecksumAlgorithm.parse(name), value.strip()))
    trailer_names = [t.strip().lower() for t in headers.get("x-amz-trailer", "").split(",") if t.strip()]
    for trailer in trailer_names:
        if not trailer.startswith("x-amz-checksum-"):
            continue
        name = trailer.removeprefix("x-amz-checksum-").upper()
        if name not in AWS_ALGORITHM_NAMES:
            raise InvalidRequest("The value specified in the x-amz-trailer header is not supported")
        found.append((ChecksumAlgorithm.parse(name), None))
    if len(found) > 1:
        raise InvalidRequest(
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
        )

    sdk_header = headers.get("x-amz-sdk-checksum-algorithm")
    sdk_algorithm = ChecksumAlgorithm.parse(sdk_header) if sdk_header is not None else None
    if not found:
        if sdk_algorithm is not None:
            raise InvalidRequest(
                "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* "
                "or x-amz-trailer headers were found."
            )
        return ChecksumRequest(None, None, False, None)
    algorithm, value = found[0]
    if sdk_algorithm is not None and sdk_algorithm is not algorithm:
        # The API reference says S3 then "ignores" the SDK header, but OpenStack Swift's s3api,
        # written against real S3, answers this error; refusing is also the safer side.
        raise InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.")
    if value is not None:
        decode_checksum(algorithm, value)
    return ChecksumRequest(algorithm, value, value is None, sdk_algorithm)


def decode_checksum(algorithm: ChecksumAlgorithm, value: str) -> bytes:
    """The binary checksum in a base64 header/trailer value, or InvalidRequest naming the header."""
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != algorithm.digest_size:
        raise InvalidRequest(f"Value for {algorithm.header} header is invalid.")
    return digest


def verify(expected_b64: str, computed: ChecksumHasher) -> None:
    """BadDigest unless the client's value equals what we computed over the body we received."""
    if not hmac.compare_digest(expected_b64.strip().encode(), computed.b64digest().encode()):
        raise checksum_mismatch(computed.algorithm)


def checksum_mismatch(algorithm: ChecksumAlgorithm) -> BadDigest:
    return BadDigest(f"The {algorithm.value} you specified did not match the calculated checksum.")


# --- Content-MD5 -----------------------------------------------------------------------------------
def require_integrity_header(headers: Mapping[str, str], request: ChecksumRequest) -> None:
    """For operations whose model sets ``requestChecksumRequired`` (PutObjectTagging, DeleteObjects,
    PutBucketCors, ...): a Content-MD5 or a flexible checksum must come with the body."""
    if "content-md5" not in headers and request.algorithm is None:
        raise InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")


def parse_content_md5(value: str) -> bytes:
    """The 16-byte digest of a Content-MD5 header (RFC 1864), or InvalidDigest."""
    try:
        digest = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidDigest() from None
    if len(digest) != 16:
        raise InvalidDigest()
    return digest


def verify_content_md5(expected: bytes, computed: bytes) -> None:
    if not hmac.compare_digest(expected, computed):
        raise BadDigest(ExpectedDigest=b64(expected), CalculatedDigest=b64(computed))


# --- multipart -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MultipartChecksum:
    """The checksum an upload was created with. ``explicit`` is False for S3's own default."""

    algorithm: ChecksumAlgorithm
    type: ChecksumType
    explicit: bool


def multipart_checksum(headers: Mapping[str, str]) -> MultipartChecksum:
    """CreateMultipartUpload's ``x-amz-checksum-algorithm`` / ``x-amz-checksum-type``.

    With neither header S3 (since 2024-12) still computes a FULL_OBJECT CRC64NVME; with only an
    algorithm, the type defaults to FULL_OBJECT for CRC64NVME and COMPOSITE otherwise.
    """
    algorithm_header = headers.get("x-amz-checksum-algorithm")
    type_header = headers.get("x-amz-checksum-type")
    checksum_type = _parse_type(type_header) if type_header is not None else None
    if algorithm_header is None:
        if checksum_type is not None:
            raise InvalidRequest(
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."
            )
        return MultipartChecksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, explicit=False)
    algorithm = ChecksumAlgorithm.parse(algorithm_header)
    checksum_type = checksum_type or algorithm.default_multipart_type
    if not algorithm.supports(checksum_type):
        raise InvalidRequest(
            f"The {checksum_type.value} checksum type cannot be used with the "
            f"{algorithm.value.lower()} checksum algorithm."
        )
    return MultipartChecksum(algorithm, checksum_type, explicit=True)


def _parse_type(value: str) -> ChecksumType:
    try:
        return ChecksumType(value.strip().upper())
    except ValueError:
        raise InvalidRequest("Value for x-amz-checksum-type header is invalid.") from None


def _type_mismatch(upload: MultipartChecksum, actual: ChecksumAlgorithm) -> InvalidRequest:
    # An upload created without an algorithm is "null" in S3's wording, even though S3 itself
    # still keeps a CRC64NVME for it.
    expected = upload.algorithm.value.lower() if upload.explicit else "null"
    return InvalidRequest(
        f"Checksum Type mismatch occurred, expected checksum Type: {expected}, "
        f"actual checksum Type: {actual.value.lower()}"
    )


def part_checksum_algorithm(upload: MultipartChecksum, request: ChecksumRequest) -> ChecksumAlgorithm:
    """The algorithm an UploadPart must verify: the upload's; a different one is refused.

    An upload created without an algorithm accepts whichever checksum a part brings (SDKs add
    CRC32 to every part by default, and S3 lets that through); the caller still keeps the
    part's CRC64NVME for the upload's default full-object checksum.
    """
    if request.algorithm is None:
        return upload.algorithm
    if upload.explicit and request.algorithm is not upload.algorithm:
        raise _type_mismatch(upload, request.algorithm)
    return request.algorithm


def composite_checksum(algorithm: ChecksumAlgorithm, part_digests: Sequence[bytes]) -> str:
    """``<b64 of checksum(concat(part digests))>-<N>``, S3's COMPOSITE multipart checksum."""
    hasher = ChecksumHasher(algorithm)
    for digest in part_digests:
        hasher.update(digest)
    return f"{hasher.b64digest()}-{len(part_digests)}"


def full_object_crc(algorithm: ChecksumAlgorithm, parts: Sequence[tuple[bytes, int]]) -> bytes:
    """The CRC of the whole object from each part's (CRC digest, byte length), without the bytes."""
    if not algorithm.is_crc:
        raise ValueError(f"{algorithm.value} cannot be combined into a full-object checksum")
    combine = _crc_combine(algorithm)
    total = 0
    for index, (digest, length) in enumerate(parts):
        crc = int.from_bytes(digest, "big")
        total = crc if index == 0 else combine(total, crc, length)
    return total.to_bytes(algorithm.digest_size, "big")


@dataclass(frozen=True, slots=True)
class StoredPart:
    """A part as uploaded: its number, size and its checksum in the upload's algorithm."""

    number: int
    size: int
    checksum: bytes


@dataclass(frozen=True, slots=True)
class CompletedPart:
    """A ``<Part>`` of the CompleteMultipartUpload body: the ``Checksum*`` elements it carries."""

    number: int
    checksums: Mapping[ChecksumAlgorithm, str]


def complete_checksum(
    upload: MultipartChecksum,
    requested: Sequence[CompletedPart],
    stored: Sequence[StoredPart],
    headers: Mapping[str, str],
) -> str:
    """Check CompleteMultipartUpload's checksums and return the object's (base64; ``-N`` if COMPOSITE).

    ``stored`` lists the parts in the order of ``requested`` (the caller already matched numbers
    and ETags). Rules as S3 answers them: COMPOSITE requires every part's checksum, FULL_OBJECT
    makes them optional; a wrong part checksum is InvalidPart; the whole-object header must match.
    """
    if "x-amz-checksum-type" in headers and _parse_type(headers["x-amz-checksum-type"]) is not upload.type:
        raise InvalidRequest(
            f"The upload was created using the {upload.type.value} checksum mode. "
            "The complete request must use the same checksum mode."
        )
    for part, stored_part in zip(requested, stored, strict=True):
        _check_part(upload, part, stored_part)

    if upload.type is ChecksumType.COMPOSITE:
        value = composite_checksum(upload.algorithm, [p.checksum for p in stored])
    else:
        value = b64(full_object_crc(upload.algorithm, [(p.checksum, p.size) for p in stored]))

    # A COMPOSITE value may be sent with its "-N" suffix; base64 never contains "-".
    suffixes = {n: v.partition("-")[2] for n, v in headers.items() if n.startswith("x-amz-checksum-")}
    sent = parse_checksum_request(
        {n: v.partition("-")[0] if n in suffixes else v for n, v in headers.items()}
    )
    if sent.algorithm is not None and sent.value is not None:
        if sent.algorithm is not upload.algorithm:
            raise _type_mismatch(upload, sent.algorithm)
        suffix = suffixes[sent.algorithm.header]
        digest, _, count = value.partition("-")
        if sent.value != digest or suffix not in ("", count):
            raise checksum_mismatch(upload.algorithm)
    return value


def _check_part(upload: MultipartChecksum, part: CompletedPart, stored: StoredPart) -> None:
    # Without an explicit algorithm, part checksums are the SDK's own per-part extras (verified
    # at UploadPart), so only S3's default CRC64NVME is cross-checked; FULL_OBJECT parts may omit it.
    sent = part.checksums.get(upload.algorithm)
    if sent is None and upload.explicit and upload.type is ChecksumType.COMPOSITE:
        others = [a for a in part.checksums if a is not upload.algorithm]
        if others:
            raise BadDigest(
                f"The {others[0].value.lower()} you specified for part {part.number} "
                "did not match what we received."
            )
        raise InvalidRequest(
            f"The upload was created using a {upload.algorithm.value.lower()} checksum. The complete request "
            f"must include the checksum for each part. It was missing for part {part.number} in the request."
        )
    if sent is not None and sent.strip() != b64(stored.checksum):
        raise InvalidPart(PartNumber=str(part.number))
