"""The S3 API Reference's SigV4 examples: header auth, presigned URL, aws-chunked streaming
(seed + chunk signatures + decoding the documented 64 KiB + 1 KiB payload), signed trailers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import pytest

from ironbucket.auth import sigv4
from ironbucket.auth.authenticate import authenticate
from ironbucket.auth.payload import PayloadMode
from ironbucket.auth.streaming import AwsChunkedDecoder, ChunkSigning
from tests.unit.auth.auth_testing import VECTORS, MemoryStore, credential, make_request, read_verified, run

DOC = json.loads((VECTORS / "sigv4" / "s3-doc-examples.json").read_text())
CREDS = DOC["credentials"]
VECTORS_BY_ID = {vector["id"]: vector for vector in DOC["vectors"]}
NOW = sigv4.parse_amz_date("20130524T000000Z") or 0.0
STORE = MemoryStore.of(credential(CREDS["access_key_id"], CREDS["secret_access_key"]))
SCOPE = "20130524/us-east-1/s3/aws4_request"
KEY = sigv4.signing_key(CREDS["secret_access_key"], "20130524", "us-east-1", "s3")


def canonical(vector: dict[str, Any]) -> str:
    return sigv4.canonical_request(
        vector["method"],
        sigv4.canonical_uri(unquote_to_bytes(vector["canonical_uri"])),
        sigv4.canonical_query(vector["query"]),
        headers=vector["headers"],
        signed_headers=vector["signed_headers"],
        payload_hash=vector["payload_hash"],
    )


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["id"])
def test_seed_signature(vector: dict[str, Any]) -> None:
    creq = canonical(vector)
    string_to_sign = sigv4.string_to_sign(vector["amz_date"], SCOPE, creq)
    if "expected_string_to_sign_hash" in vector:
        # The published hash is the canonical request's: the last line of the string to sign.
        assert sigv4.sha256_hex(creq) == vector["expected_string_to_sign_hash"]
        assert string_to_sign.endswith("\n" + vector["expected_string_to_sign_hash"])
    assert sigv4.sign(KEY, string_to_sign) == vector["expected_signature"]


def authorization(vector: dict[str, Any]) -> str:
    return (
        f"AWS4-HMAC-SHA256 Credential={CREDS['access_key_id']}/{SCOPE}, "
        f"SignedHeaders={';'.join(vector['signed_headers'])}, Signature={vector['expected_signature']}"
    )


def header_request(vector: dict[str, Any], body: list[bytes] | bytes = b"", **kwargs: Any) -> Any:
    query = "&".join(f"{name}={value}" if value else name for name, value in vector["query"])
    headers = {**vector["headers"], "authorization": authorization(vector)}
    return make_request(vector["method"], vector["canonical_uri"], query, headers, body, **kwargs)


@pytest.mark.parametrize(
    "vector_id",
    [
        "header-get-object-range",
        "header-get-bucket-lifecycle-empty-subresource",
        "header-list-objects-query-sort",
    ],
)
def test_authenticate_header_examples(vector_id: str) -> None:
    auth = run(
        authenticate(
            header_request(VECTORS_BY_ID[vector_id]),
            STORE,
            region="us-east-1",
            now=NOW,
            bucket_from_host="examplebucket",
        )
    )
    assert auth.access_key_id == "AKIAIOSFODNN7EXAMPLE"
    assert auth.payload.mode is PayloadMode.SHA256


def test_authenticate_put_example_and_its_body() -> None:
    vector = VECTORS_BY_ID["header-put-object-dollar-key"]
    request = header_request(vector, b"Welcome to Amazon S3.")
    auth = run(authenticate(request, STORE, region="us-east-1", now=NOW, bucket_from_host="examplebucket"))
    assert run(read_verified(request, auth.payload)) == (b"Welcome to Amazon S3.", {})


def test_authenticate_presigned_example() -> None:
    vector = VECTORS_BY_ID["presigned-get-object-86400"]
    url = urlsplit(vector["expected_url"])
    request = make_request("GET", url.path, url.query, vector["headers"])
    auth = run(authenticate(request, STORE, region="us-east-1", now=NOW + 86400, bucket_from_host=None))
    assert auth.auth_type == "REST-QUERY-STRING"
    assert auth.signature_age_ms == 86400 * 1000
    assert auth.payload.mode is PayloadMode.UNSIGNED


# --- aws-chunked ----------------------------------------------------------------------------------
def chunk_signatures(previous: str, sizes: list[int]) -> Iterator[str]:
    for size in sizes:
        sts = sigv4.chunk_string_to_sign("20130524T000000Z", SCOPE, previous, sigv4.sha256_hex(b"a" * size))
        previous = sigv4.sign(KEY, sts)
        yield previous


@pytest.mark.parametrize("vector_id", [v["id"] for v in DOC["vectors"] if "chunks" in v])
def test_chunk_signature_chain(vector_id: str) -> None:
    vector = VECTORS_BY_ID[vector_id]
    sizes = [chunk["size"] for chunk in vector["chunks"]]
    expected = [chunk["expected_signature"] for chunk in vector["chunks"]]
    assert list(chunk_signatures(vector["expected_signature"], sizes)) == expected
    trailer = vector.get("trailer")
    if trailer:
        sts = sigv4.trailer_string_to_sign(
            "20130524T000000Z", SCOPE, expected[-1], sigv4.sha256_hex(trailer["canonical_trailer"])
        )
        assert sigv4.sign(KEY, sts) == trailer["expected_signature"]


def wire(vector: dict[str, Any]) -> bytes:
    parts = [
        f"{chunk['size']:x};chunk-signature={chunk['expected_signature']}\r\n".encode()
        + b"a" * chunk["size"]
        + (b"\r\n" if chunk["size"] else b"")
        for chunk in vector["chunks"]
    ]
    trailer = vector.get("trailer")
    if trailer:
        for line in trailer["canonical_trailer"].splitlines():
            parts.append(f"{line}\r\n".encode())
        parts.append(f"x-amz-trailer-signature:{trailer['expected_signature']}\r\n".encode())
    parts.append(b"\r\n")
    return b"".join(parts)


def test_streaming_example_decodes_end_to_end() -> None:
    vector = VECTORS_BY_ID["streaming-aws-chunked-signed"]
    body = wire(vector)
    assert len(body) == 66824  # the documented Content-Length
    pieces = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    request = header_request(vector, pieces)
    auth = run(authenticate(request, STORE, region="us-east-1", now=NOW, bucket_from_host=None))
    assert auth.payload.mode is PayloadMode.STREAMING_SIGNED
    assert auth.payload.decoded_length == 66560
    assert run(read_verified(request, auth.payload)) == (b"a" * 66560, {})


def test_streaming_trailer_example_decodes_end_to_end() -> None:
    """Sent with Transfer-Encoding: chunked (no Content-Length), as the example does."""
    vector = VECTORS_BY_ID["streaming-aws-chunked-signed-with-trailer"]
    body = wire(vector)
    pieces = [body[i : i + 777] for i in range(0, len(body), 777)]
    request = header_request(vector, pieces, content_length=None)
    auth = run(authenticate(request, STORE, region="us-east-1", now=NOW, bucket_from_host=None))
    assert auth.payload.mode is PayloadMode.STREAMING_SIGNED_TRAILER
    assert auth.payload.trailer_names == ("x-amz-checksum-crc32c",)
    data, trailers = run(read_verified(request, auth.payload))
    assert data == b"a" * 66560
    assert trailers == {"x-amz-checksum-crc32c": "sOO8/Q=="}


def test_multi_header_trailer_example() -> None:
    vector = VECTORS_BY_ID["streaming-trailer-multi-header-aws-c-auth"]
    decoder = AwsChunkedDecoder(
        signing=ChunkSigning(KEY, "20130524T000000Z", SCOPE, vector["expected_signature"]),
        trailer=True,
        announced=("first", "second", "third"),
        decoded_length=66560,
    )
    out = b"".join(decoder.feed(wire(vector)))
    decoder.finish()
    assert out == b"a" * 66560
    assert decoder.trailers == {"first": "1st", "second": "2nd", "third": "3rd"}
