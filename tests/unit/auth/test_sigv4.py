"""SigV4 canonical forms and parsers, table by table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbucket.auth import sigv4
from ironbucket.errors import AuthorizationHeaderMalformed, S3Error


@pytest.mark.parametrize(
    ("path", "normalize", "expected"),
    [
        ("/", False, "/"),
        ("", False, "/"),
        ("/a b/c", False, "/a%20b/c"),
        ("/test$file.text", False, "/test%24file.text"),
        ("/a+b=c&d", False, "/a%2Bb%3Dc%26d"),
        ("/100%", False, "/100%25"),
        ("/-._~AZaz09", False, "/-._~AZaz09"),
        ("/ሴ", False, "/%E1%88%B4"),
        (b"/\xff\x00", False, "/%FF%00"),  # keys are bytes: no UTF-8 round trip
        ("/a/./b/../c//d/", False, "/a/./b/../c//d/"),  # S3: the path names the key, untouched
        ("/a/./b/../c//d/", True, "/a/c/d/"),
        ("/example/..", True, "/"),
        ("//", True, "/"),
        ("/./example", True, "/example"),
    ],
)
def test_canonical_uri(path: str | bytes, normalize: bool, expected: str) -> None:
    assert sigv4.canonical_uri(path, normalize=normalize) == expected


@given(st.binary(max_size=50))
def test_canonical_uri_encodes_every_byte_once(key: bytes) -> None:
    from urllib.parse import unquote_to_bytes

    encoded = sigv4.canonical_uri(b"/" + key)
    assert unquote_to_bytes(encoded) == b"/" + key
    assert set(encoded) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/%")


@pytest.mark.parametrize(
    ("query_string", "exclude", "expected"),
    [
        ("", (), ""),
        ("lifecycle", (), "lifecycle="),
        ("prefix=J&max-keys=2", (), "max-keys=2&prefix=J"),
        ("b=2&a=3&a=1", (), "a=1&a=3&b=2"),
        ("a=x%2By&a=x+y", (), "a=x%2By&a=x%2By"),  # "+" is literal, as the request parser keeps it
        ("k=%E1%88%B4&%E1%88%B4=v", (), "%E1%88%B4=v&k=%E1%88%B4"),
        ("Param-3=1&Param=2", (), "Param=2&Param-3=1"),
        ("X-Amz-Signature=abc&X-Amz-Date=1", ("X-Amz-Signature",), "X-Amz-Date=1"),
        ("a=%7e&b=%2f", (), "a=~&b=%2F"),
    ],
)
def test_canonical_query(query_string: str, exclude: tuple[str, ...], expected: str) -> None:
    assert sigv4.canonical_query(sigv4.query_pairs(query_string, exclude=exclude)) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  value1 ", "value1"),
        ('"a   b   c"', '"a b c"'),
        ("value1\n  value2\n\tvalue3", "value1 value2 value3"),
        ("a,b", "a,b"),
        ("", ""),
    ],
)
def test_canonical_header_value(value: str, expected: str) -> None:
    assert sigv4.canonical_header_value(value) == expected


def test_signing_key_is_cached_and_correct() -> None:
    # The AWS General Reference's derived-key example.
    key = sigv4.signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert key.hex() == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    before = sigv4.signing_key.cache_info().hits
    sigv4.signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")
    assert sigv4.signing_key.cache_info().hits == before + 1


def test_parse_authorization_header() -> None:
    parsed = sigv4.parse_authorization_header(
        "AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,SignedHeaders=Host;X-Amz-Date ,"
        "  Signature=abc"
    )
    assert parsed.credential == sigv4.CredentialScope("AKID", "20130524", "us-east-1", "s3")
    assert parsed.credential.scope == "20130524/us-east-1/s3/aws4_request"
    assert parsed.signed_headers == ("host", "x-amz-date")
    assert parsed.signature == "abc"


@pytest.mark.parametrize(
    "value",
    [
        "AWS4-HMAC-SHA256 Credential=a/20130524/us-east-1/s3/aws4_request, Credential=b, "
        "SignedHeaders=h, Signature=s",
        "AWS4-HMAC-SHA256 Credential=a//us-east-1/s3/aws4_request, SignedHeaders=h, Signature=s",
        "AWS4-HMAC-SHA256 Credential=a/20131324/us-east-1/s3/aws4_request, SignedHeaders=h, Signature=s",
        "AWS4-HMAC-SHA256 Credential=, SignedHeaders=h, Signature=s",
    ],
)
def test_malformed_authorization_headers(value: str) -> None:
    with pytest.raises(AuthorizationHeaderMalformed):
        sigv4.parse_authorization_header(value)


@pytest.mark.parametrize(
    ("value", "epoch"),
    [
        ("20130524T000000Z", 1369353600.0),
        ("20130524T000000", None),
        ("2013-05-24T00:00:00Z", None),
        ("20131324T000000Z", None),
        ("20130524T250000Z", None),
    ],
)
def test_parse_amz_date(value: str, epoch: float | None) -> None:
    assert sigv4.parse_amz_date(value) == epoch


def test_format_dates() -> None:
    assert sigv4.format_amz_date(1369353600.5) == "20130524T000000Z"
    assert sigv4.format_iso8601(1369353600.5) == "2013-05-24T00:00:00Z"


def test_expires_accepts_the_documented_range() -> None:
    base = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": "AKID/20130524/us-east-1/s3/aws4_request",
        "X-Amz-Date": "20130524T000000Z",
        "X-Amz-SignedHeaders": "host",
        "X-Amz-Signature": "abc",
    }
    assert sigv4.parse_presigned_query({**base, "X-Amz-Expires": "604800"}).expires == 604800
    assert (
        sigv4.parse_presigned_query(
            {**base, "X-Amz-Expires": "1", "X-Amz-Security-Token": "t"}
        ).security_token
        == "t"
    )
    with pytest.raises(S3Error):
        sigv4.parse_presigned_query({**base, "X-Amz-Expires": "1" * 20})


@pytest.mark.parametrize("query", [
    "", "a=1", "b=2&a=1", "a=2&a=1", "X-Amz-Signature=abc&x=1", "k=a%2fb", "k=a%2Fb", "k=%41", "k=a+b",
    "k=%E2%82%AC&j=%e2%82%ac", "empty=&novalue", "k=~._-", "uploads", "list-type=2&prefix=a%20b",
])
def test_canonical_query_string_matches_the_reference_path(query: str) -> None:
    exclude = ("X-Amz-Signature",)
    reference = sigv4.canonical_query(sigv4.query_pairs(query, exclude=exclude))
    assert sigv4.canonical_query_string(query, exclude=exclude) == reference
