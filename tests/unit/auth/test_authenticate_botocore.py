"""Requests signed by botocore's own signers (and sent by a real boto3 client) authenticate;
tampering with one byte or header gives the error S3 gives."""

from __future__ import annotations

import base64
import io
import time
import zlib
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest
from botocore.auth import (
    HmacV1Auth,
    HmacV1QueryAuth,
    S3SigV4Auth,
    S3SigV4QueryAuth,
    SigV4Auth,
    SigV4QueryAuth,
)
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials

from ironbucket.auth.authenticate import authenticate
from ironbucket.auth.payload import PayloadMode
from ironbucket.http.request import Request
from tests.unit.auth.auth_testing import (
    MemoryStore,
    credential,
    from_botocore,
    make_request,
    raises_code,
    read_verified,
    run,
)

AKID, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CREDS = Credentials(AKID, SECRET)
STORE = MemoryStore.of(credential(AKID, SECRET))
ENDPOINT = "https://s3.example.test"
KEYS = [
    "plain.txt",
    "dir/sub/file",
    "space key",
    "ünïcødé/ключ",
    "a+b=c&d",
    "100%",
    "~tilde_-.",
    "$dollar",
    "!*'()",
]


def authenticate_now(request: Request, bucket_from_host: str | None = None) -> Any:
    return authenticate(
        request, STORE, region="us-east-1", now=time.time(), bucket_from_host=bucket_from_host
    )


def signed(
    signer: Any, method: str, url: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> Any:
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    signer.add_auth(request)
    return request.prepare()


# --- SigV4 header (S3SigV4Auth) -------------------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_s3_sigv4_header(key: str) -> None:
    url = f"{ENDPOINT}/bucket/{quote(key, safe='/~')}?versionId=3%2F4&tagging"
    prepared = signed(S3SigV4Auth(CREDS, "s3", "us-east-1"), "GET", url, {"x-amz-meta-a": "  b   c "})
    auth = run(authenticate_now(from_botocore(prepared)))
    assert (auth.principal.access_key_id, auth.service, auth.auth_type) == (AKID, "s3", "REST-HEADER")
    assert 0 <= auth.signature_age_ms < 60_000


def test_s3_sigv4_header_with_body() -> None:
    body = b"x" * 100_000
    prepared = signed(S3SigV4Auth(CREDS, "s3", "us-east-1"), "PUT", f"{ENDPOINT}/bucket/key", body=body)
    request = from_botocore(prepared, pieces=7)
    auth = run(authenticate_now(request))
    assert auth.payload.mode is PayloadMode.SHA256
    assert run(read_verified(request, auth.payload)) == (body, {})


def test_s3_sigv4_header_body_tampered() -> None:
    prepared = signed(S3SigV4Auth(CREDS, "s3", "us-east-1"), "PUT", f"{ENDPOINT}/bucket/key", body=b"hello")
    prepared.body = b"jello"
    request = from_botocore(prepared)
    auth = run(authenticate_now(request))  # the header is intact: the body is checked as it streams
    assert raises_code(read_verified(request, auth.payload)) == "XAmzContentSHA256Mismatch"


def tamper_path(r: Request) -> None:
    r.raw_path += "x"


def tamper_query(r: Request) -> None:
    r.query_string = r.query_string.replace("versionId=3", "versionId=4")


def tamper_header(r: Request) -> None:
    r.headers["x-amz-meta-a"] = "d"


def tamper_method(r: Request) -> None:
    r.method = "DELETE"


def tamper_signature(r: Request) -> None:
    value = r.headers["authorization"]
    r.headers["authorization"] = value[:-1] + ("0" if value[-1] != "0" else "1")


def add_unsigned_header(r: Request) -> None:
    r.headers["x-amz-acl"] = "public-read"


def unknown_key(r: Request) -> None:
    r.headers["authorization"] = r.headers["authorization"].replace(AKID, "AKIAUNKNOWNKEY000000")


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (tamper_path, "SignatureDoesNotMatch"),
        (tamper_query, "SignatureDoesNotMatch"),
        (tamper_header, "SignatureDoesNotMatch"),
        (tamper_method, "SignatureDoesNotMatch"),
        (tamper_signature, "SignatureDoesNotMatch"),
        (add_unsigned_header, "AccessDenied"),
        (unknown_key, "InvalidAccessKeyId"),
    ],
)
def test_s3_sigv4_header_tampered(tamper: Any, code: str) -> None:
    url = f"{ENDPOINT}/bucket/key?versionId=3"
    request = from_botocore(signed(S3SigV4Auth(CREDS, "s3", "us-east-1"), "GET", url, {"x-amz-meta-a": "b"}))
    tamper(request)
    assert raises_code(authenticate_now(request)) == code


def test_signature_mismatch_carries_the_diagnostics() -> None:
    request = from_botocore(signed(S3SigV4Auth(CREDS, "s3", "us-east-1"), "GET", f"{ENDPOINT}/bucket/key"))
    tamper_path(request)
    from ironbucket.errors import SignatureDoesNotMatch

    with pytest.raises(SignatureDoesNotMatch) as raised:
        run(authenticate_now(request))
    fields = raised.value.fields
    assert fields["AWSAccessKeyId"] == AKID
    assert fields["CanonicalRequest"].startswith("GET\n/bucket/keyx\n")
    assert fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n")
    assert fields["SignatureProvided"] == request.headers["authorization"].rsplit("=", 1)[1]
    assert bytes.fromhex(fields["StringToSignBytes"]).decode() == fields["StringToSign"]


def test_wrong_secret() -> None:
    wrong = Credentials(AKID, "not-the-secret")
    request = from_botocore(signed(S3SigV4Auth(wrong, "s3", "us-east-1"), "GET", f"{ENDPOINT}/bucket/key"))
    assert raises_code(authenticate_now(request)) == "SignatureDoesNotMatch"


# --- SigV4 presigned (S3SigV4QueryAuth, SigV4QueryAuth) -------------------------------------------
@pytest.mark.parametrize("key", KEYS)
def test_s3_sigv4_presigned(key: str) -> None:
    url = f"{ENDPOINT}/bucket/{quote(key, safe='/~')}?response-content-type=text%2Fplain"
    prepared = signed(S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=60), "GET", url)
    auth = run(authenticate_now(from_botocore(prepared)))
    assert auth.auth_type == "REST-QUERY-STRING" and auth.payload.mode is PayloadMode.UNSIGNED


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda q: q.replace("X-Amz-Expires=60", "X-Amz-Expires=61"), "SignatureDoesNotMatch"),
        (lambda q: q + "&extra=1", "SignatureDoesNotMatch"),
        (lambda q: q.replace("X-Amz-Signature=", "X-Amz-Signature=0"), "SignatureDoesNotMatch"),
        (lambda q: q.replace("us-east-1", "eu-west-1"), "AuthorizationQueryParametersError"),
        (
            lambda q: q.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"),
            "AuthorizationQueryParametersError",
        ),
    ],
)
def test_s3_sigv4_presigned_tampered(edit: Any, code: str) -> None:
    prepared = signed(S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=60), "GET", f"{ENDPOINT}/bucket/k")
    request = from_botocore(prepared)
    query = edit(request.query_string)
    assert (
        raises_code(authenticate_now(make_request("GET", request.raw_path, query, request.headers))) == code
    )


def test_s3_sigv4_presigned_expired() -> None:
    prepared = signed(S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=60), "GET", f"{ENDPOINT}/bucket/k")
    request = from_botocore(prepared)
    later = authenticate(request, STORE, region="us-east-1", now=time.time() + 120, bucket_from_host=None)
    assert raises_code(later) == "AccessDenied"


def test_generic_sigv4_header_for_another_service() -> None:
    """IAM/STS requests: form body, no x-amz-content-sha256, path normalisation irrelevant."""
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    prepared = signed(SigV4Auth(CREDS, "sts", "us-east-1"), "POST", f"{ENDPOINT}/", headers, body)
    request = from_botocore(prepared)
    auth = run(authenticate_now(request))
    assert auth.service == "sts" and auth.payload.mode is PayloadMode.SHA256
    assert run(read_verified(request, auth.payload)) == (body, {})
    tampered = from_botocore(prepared)
    tampered.body = from_botocore(
        signed(SigV4Auth(CREDS, "sts", "us-east-1"), "POST", ENDPOINT, headers, body + b"x")
    ).body
    assert raises_code(authenticate_now(tampered)) == "SignatureDoesNotMatch"


def test_generic_sigv4_presigned_for_another_service() -> None:
    prepared = signed(
        SigV4QueryAuth(CREDS, "sts", "us-east-1", expires=60),
        "GET",
        f"{ENDPOINT}/?Action=GetCallerIdentity&Version=2011-06-15",
    )
    assert run(authenticate_now(from_botocore(prepared))).service == "sts"


# --- SigV2 (HmacV1Auth, HmacV1QueryAuth) ----------------------------------------------------------
@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("virtual_host", [False, True])
def test_sigv2_header(key: str, virtual_host: bool) -> None:
    path = f"/{quote(key, safe='/~')}"
    query = "acl&versionId=v%201&response-content-type=text%2Fplain&prefix=ignored"
    url = (
        f"https://bucket.s3.example.test{path}?{query}"
        if virtual_host
        else f"{ENDPOINT}/bucket{path}?{query}"
    )
    request = AWSRequest(method="PUT", url=url, headers={"Content-Type": "text/plain", "x-amz-meta-Z": " a "})
    if virtual_host:
        request.auth_path = f"/bucket{path}"
    HmacV1Auth(CREDS).add_auth(request)
    ours = from_botocore(request.prepare())
    auth = run(authenticate_now(ours, "bucket" if virtual_host else None))
    assert (auth.signature_version, auth.service, auth.auth_type) == ("AWS", "s3", "REST-HEADER")
    ours.headers["x-amz-meta-z"] = "b"
    assert raises_code(authenticate_now(ours, "bucket" if virtual_host else None)) == "SignatureDoesNotMatch"


def test_sigv2_query_with_session_token() -> None:
    temporary = Credentials("ASIATEMPORARY0000000", SECRET, "the-session-token")
    store = MemoryStore.of(
        credential("ASIATEMPORARY0000000", SECRET, token="the-session-token", expires_at=time.time() + 3600)
    )
    request = AWSRequest(method="GET", url=f"{ENDPOINT}/bucket/key")
    HmacV1QueryAuth(temporary, expires=60).add_auth(request)
    prepared = request.prepare()
    assert "x-amz-security-token=the-session-token" in prepared.url
    auth = run(
        authenticate(
            from_botocore(prepared), store, region="us-east-1", now=time.time(), bucket_from_host=None
        )
    )
    assert auth.auth_type == "REST-QUERY-STRING" and auth.signature_age_ms is None
    later = authenticate(
        from_botocore(prepared), store, region="us-east-1", now=time.time() + 120, bucket_from_host=None
    )
    assert raises_code(later) == "AccessDenied"


# --- a real boto3 client ---------------------------------------------------------------------------
class _Raw:
    def stream(self, **_: Any) -> Any:
        return iter([b""])


def boto3_client(**config: Any) -> tuple[Any, list[Any]]:
    session = boto3.session.Session(
        aws_access_key_id=AKID, aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    client = session.client("s3", endpoint_url=ENDPOINT, config=Config(**config))
    captured: list[Any] = []

    def capture(request: Any, **_: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 200, {}, _Raw())

    client.meta.events.register("before-send.s3", capture)
    return client, captured


def test_boto3_put_object_with_trailing_checksum() -> None:
    """boto3 streams a checksum in an unsigned aws-chunked trailer over TLS."""
    client, captured = boto3_client(s3={"addressing_style": "path"})
    data = b"0123456789" * 20_000
    client.put_object(Bucket="bucket", Key="some key", Body=io.BytesIO(data), ChecksumAlgorithm="CRC32")
    request = from_botocore(captured[-1], pieces=13)
    assert request.body.content_length is None  # Transfer-Encoding: chunked
    auth = run(authenticate_now(request))
    assert auth.payload.mode is PayloadMode.STREAMING_UNSIGNED_TRAILER
    decoded, trailers = run(read_verified(request, auth.payload))
    assert decoded == data
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    assert trailers == {"x-amz-checksum-crc32": crc}


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
@pytest.mark.parametrize("addressing_style", ["path", "virtual"])
def test_boto3_operations(signature_version: str, addressing_style: str) -> None:
    client, captured = boto3_client(
        signature_version=signature_version, s3={"addressing_style": addressing_style}
    )
    client.put_object(Bucket="bucket", Key="k/ü y", Body=b"data", Metadata={"m": "v"}, ACL="private")
    client.get_object(Bucket="bucket", Key="k/ü y", Range="bytes=0-1", VersionId="v1")
    client.list_objects_v2(Bucket="bucket", Prefix="a b", MaxKeys=5)
    client.put_bucket_tagging(Bucket="bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    client.delete_objects(Bucket="bucket", Delete={"Objects": [{"Key": "a"}]})
    for prepared in captured:
        host = urlsplit(prepared.url).hostname or ""
        bucket = host.split(".")[0] if addressing_style == "virtual" else None
        request = from_botocore(prepared)
        auth = run(authenticate_now(request, bucket))
        assert auth.access_key_id == AKID, prepared.url
        _data, _ = run(read_verified(request, auth.payload))


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_boto3_presigned_urls(signature_version: str) -> None:
    client, _ = boto3_client(signature_version=signature_version, s3={"addressing_style": "path"})
    url = client.generate_presigned_url(
        "get_object",
        Params={"Bucket": "bucket", "Key": "a/ü b+c", "ResponseContentType": "x/y"},
        ExpiresIn=300,
    )
    parts = urlsplit(url)
    request = make_request("GET", parts.path, parts.query, {"host": parts.netloc})
    auth = run(authenticate_now(request))
    assert auth.auth_type == "REST-QUERY-STRING"
    assert auth.signature_version == ("AWS4-HMAC-SHA256" if signature_version == "s3v4" else "AWS")
