"""Flexible checksums, cross-checked against botocore's own implementations and published vectors."""

from __future__ import annotations

import base64
import hashlib
import itertools
import subprocess
import sys
from collections.abc import Callable

import pytest
from botocore import httpchecksum
from hypothesis import given
from hypothesis import strategies as st

from ironbucket.errors import BadDigest, InvalidDigest, InvalidPart, InvalidRequest, S3Error
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.features.checksums import (
    ChecksumAlgorithm,
    ChecksumHasher,
    ChecksumRequest,
    ChecksumType,
    CompletedPart,
    MultipartChecksum,
    StoredPart,
    b64,
    checksum_of,
    complete_checksum,
    composite_checksum,
    full_object_crc,
    multipart_checksum,
    parse_checksum_request,
    parse_content_md5,
    part_checksum_algorithm,
    require_integrity_header,
    verify,
    verify_content_md5,
)

CRC32, CRC32C, CRC64 = ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME
SHA1, SHA256 = ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256
CRCS = [CRC32, CRC32C, CRC64]

BOTOCORE = {
    CRC32: httpchecksum.CrtCrc32Checksum,
    CRC32C: httpchecksum.CrtCrc32cChecksum,
    CRC64: httpchecksum.CrtCrc64NvmeChecksum,
    SHA1: httpchecksum.Sha1Checksum,
    SHA256: httpchecksum.Sha256Checksum,
}


def botocore_b64(algorithm: ChecksumAlgorithm, data: bytes) -> str:
    checksum = BOTOCORE[algorithm]()
    checksum.update(data)
    value: str = checksum.b64digest()
    return value


def value_of(algorithm: ChecksumAlgorithm, data: bytes) -> str:
    return b64(checksum_of(algorithm, data))


# --- algorithms and hashing --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("algorithm", "check"),
    [
        # The "check" values of the CRC catalogue: each CRC of b"123456789".
        (CRC32, 0xCBF43926),
        (CRC32C, 0xE3069283),
        (CRC64, 0xAE8B14860A799888),
    ],
)
def test_crc_catalogue_check_values(algorithm: ChecksumAlgorithm, check: int) -> None:
    assert checksum_of(algorithm, b"123456789") == check.to_bytes(algorithm.digest_size, "big")


@pytest.mark.parametrize(
    ("algorithm", "empty"),
    [
        (CRC32, "AAAAAA=="),
        (CRC32C, "AAAAAA=="),
        (CRC64, "AAAAAAAAAAA="),
        (SHA1, "2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
        (SHA256, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    ],
)
def test_checksum_of_empty_body(algorithm: ChecksumAlgorithm, empty: str) -> None:
    assert value_of(algorithm, b"") == empty


@pytest.mark.parametrize("algorithm", list(ChecksumAlgorithm))
def test_matches_botocore_on_known_text(algorithm: ChecksumAlgorithm) -> None:
    assert value_of(algorithm, b"hello world") == botocore_b64(algorithm, b"hello world")


@given(algorithm=st.sampled_from(list(ChecksumAlgorithm)), chunks=st.lists(st.binary(max_size=300)))
def test_incremental_hasher_matches_botocore(algorithm: ChecksumAlgorithm, chunks: list[bytes]) -> None:
    hasher = ChecksumHasher(algorithm)
    for chunk in chunks:
        hasher.update(chunk)
    assert hasher.b64digest() == botocore_b64(algorithm, b"".join(chunks))
    assert len(hasher.digest()) == algorithm.digest_size


@pytest.mark.parametrize(
    ("algorithm", "header", "crc", "full", "composite", "default_type"),
    [
        (CRC32, "x-amz-checksum-crc32", True, True, True, ChecksumType.COMPOSITE),
        (CRC32C, "x-amz-checksum-crc32c", True, True, True, ChecksumType.COMPOSITE),
        (CRC64, "x-amz-checksum-crc64nvme", True, True, False, ChecksumType.FULL_OBJECT),
        (SHA1, "x-amz-checksum-sha1", False, False, True, ChecksumType.COMPOSITE),
        (SHA256, "x-amz-checksum-sha256", False, False, True, ChecksumType.COMPOSITE),
    ],
)
def test_algorithm_properties(
    algorithm: ChecksumAlgorithm,
    header: str,
    crc: bool,
    full: bool,
    composite: bool,
    default_type: ChecksumType,
) -> None:
    assert algorithm.header == header
    assert algorithm.is_crc is crc
    assert algorithm.supports(ChecksumType.FULL_OBJECT) is full
    assert algorithm.supports(ChecksumType.COMPOSITE) is composite
    assert algorithm.default_multipart_type is default_type


@pytest.mark.parametrize(
    ("name", "expected"),
    [("CRC32", CRC32), ("crc32c", CRC32C), (" Sha256 ", SHA256), ("CRC64NVME", CRC64)],
)
def test_algorithm_parse(name: str, expected: ChecksumAlgorithm) -> None:
    assert ChecksumAlgorithm.parse(name) is expected


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("SHA512", S3NotImplemented),
        ("XXHASH64", S3NotImplemented),
        ("MD4", InvalidRequest),
        ("", InvalidRequest),
    ],
)
def test_algorithm_parse_refuses(name: str, error: type[S3Error]) -> None:
    with pytest.raises(error):
        ChecksumAlgorithm.parse(name)


# --- request headers -----------------------------------------------------------------------------
HELLO_CRC32 = value_of(CRC32, b"hello world")
HELLO_SHA256 = value_of(SHA256, b"hello world")
MULTIPLE = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
SDK_ALONE = (
    "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* "
    "or x-amz-trailer headers were found."
)

PARSE_OK: list[tuple[str, dict[str, str], ChecksumRequest]] = [
    ("nothing", {}, ChecksumRequest(None, None, False, None)),
    ("unrelated headers", {"x-amz-checksum-mode": "ENABLED"}, ChecksumRequest(None, None, False, None)),
    ("one header", {"x-amz-checksum-crc32": HELLO_CRC32}, ChecksumRequest(CRC32, HELLO_CRC32, False, None)),
    (
        "header with matching sdk algorithm",
        {"x-amz-checksum-sha256": HELLO_SHA256, "x-amz-sdk-checksum-algorithm": "SHA256"},
        ChecksumRequest(SHA256, HELLO_SHA256, False, SHA256),
    ),
    (
        "trailer",
        {"x-amz-trailer": "x-amz-checksum-crc64nvme", "x-amz-sdk-checksum-algorithm": "CRC64NVME"},
        ChecksumRequest(CRC64, None, True, CRC64),
    ),
    (
        "trailer, mixed case",
        {"x-amz-trailer": "X-Amz-Checksum-CRC32C"},
        ChecksumRequest(CRC32C, None, True, None),
    ),
    ("non-checksum trailer", {"x-amz-trailer": "x-amz-meta-foo"}, ChecksumRequest(None, None, False, None)),
]


@pytest.mark.parametrize(("case", "headers", "expected"), PARSE_OK, ids=[c[0] for c in PARSE_OK])
def test_parse_checksum_request(case: str, headers: dict[str, str], expected: ChecksumRequest) -> None:
    assert parse_checksum_request(headers) == expected


PARSE_BAD: list[tuple[str, dict[str, str], type[S3Error], str | None]] = [
    (
        "two headers",
        {"x-amz-checksum-crc32": HELLO_CRC32, "x-amz-checksum-sha256": HELLO_SHA256},
        InvalidRequest,
        MULTIPLE,
    ),
    (
        "header and trailer",
        {"x-amz-checksum-crc32": HELLO_CRC32, "x-amz-trailer": "x-amz-checksum-crc32c"},
        InvalidRequest,
        MULTIPLE,
    ),
    ("sdk algorithm alone", {"x-amz-sdk-checksum-algorithm": "CRC32"}, InvalidRequest, SDK_ALONE),
    (
        "sdk algorithm disagrees",
        {"x-amz-checksum-crc32": HELLO_CRC32, "x-amz-sdk-checksum-algorithm": "SHA256"},
        InvalidRequest,
        "Value for x-amz-sdk-checksum-algorithm header is invalid.",
    ),
    (
        "sdk algorithm unknown",
        {"x-amz-checksum-crc32": HELLO_CRC32, "x-amz-sdk-checksum-algorithm": "MD4"},
        InvalidRequest,
        None,
    ),
    (
        "not base64",
        {"x-amz-checksum-crc32": "not base64!"},
        InvalidRequest,
        "Value for x-amz-checksum-crc32 header is invalid.",
    ),
    (
        "sha256 value in a crc32 header",
        {"x-amz-checksum-crc32": HELLO_SHA256},
        InvalidRequest,
        "Value for x-amz-checksum-crc32 header is invalid.",
    ),
    (
        "crc32 value in a crc64nvme header",
        {"x-amz-checksum-crc64nvme": HELLO_CRC32},
        InvalidRequest,
        "Value for x-amz-checksum-crc64nvme header is invalid.",
    ),
    (
        "missing padding",
        {"x-amz-checksum-crc32": HELLO_CRC32.rstrip("=")},
        InvalidRequest,
        "Value for x-amz-checksum-crc32 header is invalid.",
    ),
    (
        "empty value",
        {"x-amz-checksum-sha1": ""},
        InvalidRequest,
        "Value for x-amz-checksum-sha1 header is invalid.",
    ),
    (
        "unknown trailer",
        {"x-amz-trailer": "x-amz-checksum-md4"},
        InvalidRequest,
        "The value specified in the x-amz-trailer header is not supported",
    ),
    ("sha512 header", {"x-amz-checksum-sha512": "AAAA"}, S3NotImplemented, None),
    ("xxhash trailer", {"x-amz-trailer": "x-amz-checksum-xxhash3"}, S3NotImplemented, None),
]


@pytest.mark.parametrize(("case", "headers", "error", "message"), PARSE_BAD, ids=[c[0] for c in PARSE_BAD])
def test_parse_checksum_request_refuses(
    case: str, headers: dict[str, str], error: type[S3Error], message: str | None
) -> None:
    with pytest.raises(error) as caught:
        parse_checksum_request(headers)
    if message is not None:
        assert caught.value.message == message


@pytest.mark.parametrize("algorithm", list(ChecksumAlgorithm))
def test_verify(algorithm: ChecksumAlgorithm) -> None:
    hasher = ChecksumHasher(algorithm)
    hasher.update(b"hello world")
    verify(botocore_b64(algorithm, b"hello world"), hasher)
    with pytest.raises(BadDigest) as caught:
        verify(botocore_b64(algorithm, b"hello there"), hasher)
    assert (
        caught.value.message == f"The {algorithm.value} you specified did not match the calculated checksum."
    )


# --- Content-MD5 ---------------------------------------------------------------------------------
def test_content_md5() -> None:
    digest = hashlib.md5(b"hello world").digest()
    assert parse_content_md5(base64.b64encode(digest).decode()) == digest
    verify_content_md5(digest, digest)
    with pytest.raises(BadDigest) as caught:
        verify_content_md5(digest, hashlib.md5(b"other").digest())
    assert caught.value.message == "The Content-MD5 you specified did not match what we received."
    assert caught.value.fields["ExpectedDigest"] == base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64",
        base64.b64encode(b"x" * 15).decode(),
        base64.b64encode(b"x" * 17).decode(),
        "5eb63bbbe01eeed093cb22bb8f5acdc3",
    ],
)
def test_content_md5_invalid(value: str) -> None:
    with pytest.raises(InvalidDigest):
        parse_content_md5(value)


# --- multipart: CreateMultipartUpload ----------------------------------------------------------------
MPU_OK: list[tuple[dict[str, str], MultipartChecksum]] = [
    ({}, MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, explicit=False)),
    ({"x-amz-checksum-algorithm": "CRC64NVME"}, MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, True)),
    ({"x-amz-checksum-algorithm": "CRC32"}, MultipartChecksum(CRC32, ChecksumType.COMPOSITE, True)),
    ({"x-amz-checksum-algorithm": "CRC32C"}, MultipartChecksum(CRC32C, ChecksumType.COMPOSITE, True)),
    ({"x-amz-checksum-algorithm": "SHA1"}, MultipartChecksum(SHA1, ChecksumType.COMPOSITE, True)),
    ({"x-amz-checksum-algorithm": "SHA256"}, MultipartChecksum(SHA256, ChecksumType.COMPOSITE, True)),
    (
        {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "FULL_OBJECT"},
        MultipartChecksum(CRC32, ChecksumType.FULL_OBJECT, True),
    ),
    (
        {"x-amz-checksum-algorithm": "CRC32C", "x-amz-checksum-type": "FULL_OBJECT"},
        MultipartChecksum(CRC32C, ChecksumType.FULL_OBJECT, True),
    ),
    (
        {"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "FULL_OBJECT"},
        MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, True),
    ),
    (
        {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "COMPOSITE"},
        MultipartChecksum(SHA256, ChecksumType.COMPOSITE, True),
    ),
]


@pytest.mark.parametrize(("headers", "expected"), MPU_OK)
def test_multipart_checksum(headers: dict[str, str], expected: MultipartChecksum) -> None:
    assert multipart_checksum(headers) == expected


MPU_BAD: list[tuple[dict[str, str], str | None]] = [
    (
        {"x-amz-checksum-algorithm": "CRC64NVME", "x-amz-checksum-type": "COMPOSITE"},
        "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.",
    ),
    (
        {"x-amz-checksum-algorithm": "SHA1", "x-amz-checksum-type": "FULL_OBJECT"},
        "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.",
    ),
    (
        {"x-amz-checksum-algorithm": "SHA256", "x-amz-checksum-type": "FULL_OBJECT"},
        "The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.",
    ),
    (
        {"x-amz-checksum-type": "FULL_OBJECT"},
        "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
    ),
    (
        {"x-amz-checksum-algorithm": "CRC32", "x-amz-checksum-type": "WHOLE"},
        "Value for x-amz-checksum-type header is invalid.",
    ),
    ({"x-amz-checksum-algorithm": "MD4"}, None),
]


@pytest.mark.parametrize(("headers", "message"), MPU_BAD)
def test_multipart_checksum_refuses(headers: dict[str, str], message: str | None) -> None:
    with pytest.raises(InvalidRequest) as caught:
        multipart_checksum(headers)
    if message is not None:
        assert caught.value.message == message


def test_part_checksum_algorithm() -> None:
    explicit = MultipartChecksum(SHA256, ChecksumType.COMPOSITE, True)
    default = MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, False)
    none = ChecksumRequest(None, None, False, None)
    crc32 = ChecksumRequest(CRC32, HELLO_CRC32, False, None)
    assert part_checksum_algorithm(explicit, none) is SHA256
    assert part_checksum_algorithm(default, none) is CRC64
    assert part_checksum_algorithm(default, crc32) is CRC32
    with pytest.raises(InvalidRequest) as caught:
        part_checksum_algorithm(explicit, crc32)
    assert caught.value.message == (
        "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32"
    )


# --- multipart: combining parts ----------------------------------------------------------------------
def test_composite_checksum_is_checksum_of_concatenated_part_checksums() -> None:
    parts = [b"a" * 10, b"b" * 20, b"c"]
    digests = [hashlib.sha256(p).digest() for p in parts]
    expected = base64.b64encode(hashlib.sha256(b"".join(digests)).digest()).decode() + "-3"
    assert composite_checksum(SHA256, digests) == expected


@pytest.mark.parametrize("algorithm", CRCS)
def test_composite_crc_matches_botocore_over_part_checksums(algorithm: ChecksumAlgorithm) -> None:
    digests = [checksum_of(algorithm, p) for p in (b"part one", b"part two")]
    assert composite_checksum(algorithm, digests) == botocore_b64(algorithm, b"".join(digests)) + "-2"


def test_full_object_crc_refuses_sha() -> None:
    with pytest.raises(ValueError, match="SHA256"):
        full_object_crc(SHA256, [(b"\0" * 32, 1)])


@given(
    algorithm=st.sampled_from(CRCS),
    data=st.binary(max_size=2000),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=8),
)
def test_full_object_crc_of_any_split_is_crc_of_whole(
    algorithm: ChecksumAlgorithm, data: bytes, cuts: list[int]
) -> None:
    bounds = [0, *sorted(min(c, len(data)) for c in cuts), len(data)]
    parts = [data[a:b] for a, b in itertools.pairwise(bounds)]
    combined = full_object_crc(algorithm, [(checksum_of(algorithm, p), len(p)) for p in parts])
    assert b64(combined) == botocore_b64(algorithm, data)


# --- multipart: CompleteMultipartUpload ------------------------------------------------------------
PART_DATA = [b"x" * 100, b"y" * 50, b"z" * 7]


def stored_parts(algorithm: ChecksumAlgorithm) -> list[StoredPart]:
    return [StoredPart(n, len(d), checksum_of(algorithm, d)) for n, d in enumerate(PART_DATA, start=1)]


def completed_parts(
    algorithm: ChecksumAlgorithm, *, skip: int | None = None, alter: Callable[[int, str], str] | None = None
) -> list[CompletedPart]:
    parts = []
    for part in stored_parts(algorithm):
        value = b64(part.checksum)
        if alter is not None:
            value = alter(part.number, value)
        checksums = {} if part.number == skip else {algorithm: value}
        parts.append(CompletedPart(part.number, checksums))
    return parts


def composite_of(algorithm: ChecksumAlgorithm) -> str:
    return composite_checksum(algorithm, [p.checksum for p in stored_parts(algorithm)])


@pytest.mark.parametrize("algorithm", [CRC32, CRC32C, SHA1, SHA256])
def test_complete_composite(algorithm: ChecksumAlgorithm) -> None:
    upload = MultipartChecksum(algorithm, ChecksumType.COMPOSITE, True)
    value = complete_checksum(upload, completed_parts(algorithm), stored_parts(algorithm), {})
    assert value == composite_of(algorithm)
    assert value.endswith("-3")


@pytest.mark.parametrize("algorithm", CRCS)
def test_complete_full_object_equals_checksum_of_whole_object(algorithm: ChecksumAlgorithm) -> None:
    upload = MultipartChecksum(algorithm, ChecksumType.FULL_OBJECT, True)
    whole = botocore_b64(algorithm, b"".join(PART_DATA))
    # Part checksums are optional for FULL_OBJECT; the whole-object header is checked.
    requested = completed_parts(algorithm, skip=2)
    headers = {algorithm.header: whole, "x-amz-checksum-type": "FULL_OBJECT"}
    assert complete_checksum(upload, requested, stored_parts(algorithm), headers) == whole


def test_complete_default_upload_is_full_object_crc64nvme() -> None:
    upload = MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, False)
    requested = [CompletedPart(n, {CRC32: "ignored"}) for n in (1, 2, 3)]
    assert complete_checksum(upload, requested, stored_parts(CRC64), {}) == botocore_b64(
        CRC64, b"".join(PART_DATA)
    )


def wrong_second(number: int, value: str) -> str:
    return value_of(SHA256, b"wrong") if number == 2 else value


COMPOSITE_SHA256 = MultipartChecksum(SHA256, ChecksumType.COMPOSITE, True)
FULL_CRC32 = MultipartChecksum(CRC32, ChecksumType.FULL_OBJECT, True)
DEFAULT = MultipartChecksum(CRC64, ChecksumType.FULL_OBJECT, False)

COMPLETE_BAD: list[
    tuple[str, MultipartChecksum, list[CompletedPart], dict[str, str], type[S3Error], str | None]
] = [
    (
        "composite part checksum missing",
        COMPOSITE_SHA256,
        completed_parts(SHA256, skip=2),
        {},
        InvalidRequest,
        "The upload was created using a sha256 checksum. The complete request must include the checksum "
        "for each part. It was missing for part 2 in the request.",
    ),
    (
        "composite part carries another algorithm",
        COMPOSITE_SHA256,
        [CompletedPart(1, {CRC32: "AAAAAA=="}), *completed_parts(SHA256)[1:]],
        {},
        BadDigest,
        "The crc32 you specified for part 1 did not match what we received.",
    ),
    (
        "part checksum wrong",
        COMPOSITE_SHA256,
        completed_parts(SHA256, alter=wrong_second),
        {},
        InvalidPart,
        None,
    ),
    (
        "full object part checksum wrong",
        FULL_CRC32,
        completed_parts(CRC32, alter=lambda n, v: "AAAAAA==" if n == 3 else v),
        {},
        InvalidPart,
        None,
    ),
    (
        "checksum type differs",
        COMPOSITE_SHA256,
        completed_parts(SHA256),
        {"x-amz-checksum-type": "FULL_OBJECT"},
        InvalidRequest,
        "The upload was created using the COMPOSITE checksum mode. The complete request must use the same "
        "checksum mode.",
    ),
    (
        "checksum type invalid",
        FULL_CRC32,
        completed_parts(CRC32),
        {"x-amz-checksum-type": "PARTIAL"},
        InvalidRequest,
        "Value for x-amz-checksum-type header is invalid.",
    ),
    (
        "whole object checksum of another algorithm",
        FULL_CRC32,
        completed_parts(CRC32),
        {"x-amz-checksum-sha256": value_of(SHA256, b"")},
        InvalidRequest,
        "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha256",
    ),
    (
        "whole object checksum on an upload created without one",
        DEFAULT,
        completed_parts(CRC64),
        {"x-amz-checksum-crc32": value_of(CRC32, b"")},
        InvalidRequest,
        "Checksum Type mismatch occurred, expected checksum Type: null, actual checksum Type: crc32",
    ),
    (
        "whole object checksum wrong",
        FULL_CRC32,
        completed_parts(CRC32),
        {"x-amz-checksum-crc32": value_of(CRC32, b"")},
        BadDigest,
        "The CRC32 you specified did not match the calculated checksum.",
    ),
    (
        "full object value with a part count",
        FULL_CRC32,
        completed_parts(CRC32),
        {"x-amz-checksum-crc32": value_of(CRC32, b"".join(PART_DATA)) + "-3"},
        BadDigest,
        None,
    ),
    (
        "composite value with the wrong part count",
        COMPOSITE_SHA256,
        completed_parts(SHA256),
        {"x-amz-checksum-sha256": composite_of(SHA256).replace("-3", "-2")},
        BadDigest,
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "upload", "requested", "headers", "error", "message"),
    COMPLETE_BAD,
    ids=[c[0] for c in COMPLETE_BAD],
)
def test_complete_refuses(
    case: str,
    upload: MultipartChecksum,
    requested: list[CompletedPart],
    headers: dict[str, str],
    error: type[S3Error],
    message: str | None,
) -> None:
    with pytest.raises(error) as caught:
        complete_checksum(upload, requested, stored_parts(upload.algorithm), headers)
    if message is not None:
        assert caught.value.message == message


@pytest.mark.parametrize("with_count", [True, False])
def test_complete_composite_header_with_or_without_part_count(with_count: bool) -> None:
    value = composite_of(SHA256)
    sent = value if with_count else value.partition("-")[0]
    headers = {"x-amz-checksum-sha256": sent}
    assert (
        complete_checksum(COMPOSITE_SHA256, completed_parts(SHA256), stored_parts(SHA256), headers) == value
    )


@pytest.mark.parametrize(
    ("headers", "required"),
    [
        ({"content-md5": "XrY7u+Ae7tCTyyK7j1rNww=="}, False),
        ({"x-amz-checksum-crc32": HELLO_CRC32}, False),
        ({"x-amz-trailer": "x-amz-checksum-crc32"}, False),
        ({}, True),
        ({"x-amz-sdk-checksum-algorithm": "CRC32", "content-md5": "XrY7u+Ae7tCTyyK7j1rNww=="}, None),
    ],
)
def test_require_integrity_header(headers: dict[str, str], required: bool | None) -> None:
    if required is None:  # the SDK header alone is refused before the requirement is checked
        with pytest.raises(InvalidRequest):
            require_integrity_header(headers, parse_checksum_request(headers))
    elif required:
        with pytest.raises(InvalidRequest) as caught:
            require_integrity_header(headers, parse_checksum_request(headers))
        assert caught.value.message == (
            "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"
        )
    else:
        require_integrity_header(headers, parse_checksum_request(headers))


def test_awscrt_loads_with_the_first_crc_not_with_the_server() -> None:
    """awscrt costs each worker ~5 MB resident; a worker serving no CRC never loads it."""
    script = (
        "import sys\n"
        "import ironbucket.server.worker, ironbucket.server.app_factory, ironbucket.server.services\n"
        "assert 'awscrt' not in sys.modules, 'loaded at startup'\n"
        "from ironbucket.features.checksums import ChecksumAlgorithm, checksum_of\n"
        "assert checksum_of(ChecksumAlgorithm.CRC32, b'abc') == bytes.fromhex('352441c2')\n"
        "assert 'awscrt' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
