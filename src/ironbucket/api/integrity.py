"""Checking that stored bytes are the bytes the client meant: Content-MD5 and the flexible
checksums, sent as headers or as aws-chunked trailers.

Objects written without a checksum get a CRC64NVME one, as S3 does for every new object
since its default data-integrity protections (Dec 2024).
https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.api.ingest import Ingested
from ironbucket.features import checksums
from ironbucket.features.checksums import ChecksumAlgorithm, ChecksumRequest

DEFAULT_ALGORITHM = ChecksumAlgorithm.CRC64NVME


@dataclass(frozen=True, slots=True)
class Integrity:
    request: ChecksumRequest
    # Checksums to compute: the client's (if any) first, then any the object needs for itself.
    algorithms: tuple[ChecksumAlgorithm, ...]
    content_md5: bytes | None

    @property
    def requested(self) -> ChecksumAlgorithm | None:
        return self.request.algorithm


def from_headers(headers: Mapping[str, str], *, keep: ChecksumAlgorithm = DEFAULT_ALGORITHM) -> Integrity:
    """``keep``: the algorithm whose value is stored with the object (or part)."""
    request = checksums.parse_checksum_request(headers)
    md5_header = headers.get("content-md5")
    md5 = checksums.parse_content_md5(md5_header) if md5_header is not None else None
    algorithms = tuple(dict.fromkeys(a for a in (request.algorithm, keep) if a is not None))
    return Integrity(request=request, algorithms=algorithms, content_md5=md5)


def verify(integrity: Integrity, stored: Ingested, trailers: Mapping[str, str]) -> None:
    """Raise BadDigest unless the received bytes match every digest the client sent."""
    if integrity.content_md5 is not None:
        checksums.verify_content_md5(integrity.content_md5, stored.md5)
    request = integrity.request
    if request.algorithm is None:
        return
    expected = request.value
    if expected is None and request.trailer:
        expected = trailers.get(request.algorithm.header)
        if expected is None:
            raise checksums.checksum_mismatch(request.algorithm)
        checksums.decode_checksum(request.algorithm, expected)  # form check, as for a header
    if expected is not None and expected.strip() != checksums.b64(stored.checksums[request.algorithm]):
        raise checksums.checksum_mismatch(request.algorithm)


def stored_value(stored: Ingested, algorithm: ChecksumAlgorithm) -> str:
    return checksums.b64(stored.checksums[algorithm])
