"""Bucket CORS end to end: the configuration API, preflights, headers on actual responses, and
that CORS never changes who may do what."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer, running_server
from tests.integration.test_hostile_input import code, md5_header, presigned_url, send
from tests.integration.test_workers import one_per_worker

A = "http://127.0.0.1:8001"
B = "http://127.0.0.1:8002"
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
RULES: list[dict[str, Any]] = [
    {"ID": "app", "AllowedOrigins": [A], "AllowedMethods": ["GET", "PUT"],
     "AllowedHeaders": ["Content-Type", "x-amz-meta-*"], "ExposeHeaders": ["ETag", "x-amz-request-id"],
     "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
]


@pytest.fixture
def cors_bucket(s3: Any, bucket: str) -> str:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    s3.put_object(Bucket=bucket, Key="k", Body=b"hello")
    return bucket


def preflight(server: RunningServer, path: str, origin: str | None, method: str | None,
              request_headers: str | None = None) -> tuple[int, dict[str, str], bytes]:
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if method is not None:
        headers["Access-Control-Request-Method"] = method
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return send(server, "OPTIONS", path, headers=headers, unsigned=True)


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    error = excinfo.value.response
    return error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]


# --- configuration ------------------------------------------------------------------------------
def test_put_get_delete_round_trip(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_cors(Bucket=bucket)
    assert _error(caught) == ("NoSuchCORSConfiguration", 404)
    put = s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": RULES})
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == RULES
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_cors(Bucket=bucket)
    assert _error(caught) == ("NoSuchCORSConfiguration", 404)
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def _rule(**kw: Any) -> dict[str, Any]:
    return {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], **kw}


@pytest.mark.parametrize(("rules", "expected"), [
    ([_rule(ExposeHeaders=["ETag\r\nSet-Cookie: a=b"])], "InvalidRequest"),
    ([_rule(AllowedOrigins=["http://a\nSet-Cookie: a=b"])], "InvalidRequest"),
    ([_rule(AllowedHeaders=["x-a\r\nx-b"])], "InvalidRequest"),
    ([_rule(AllowedMethods=["PATCH"])], "InvalidRequest"),
    ([_rule(AllowedMethods=["OPTIONS"])], "InvalidRequest"),
    ([_rule(AllowedOrigins=["http://*.*.example.com"])], "InvalidRequest"),
    ([_rule(ExposeHeaders=["*"])], "InvalidRequest"),
    ([_rule()] * 101, "MalformedXML"),
    ([], "MalformedXML"),
])
def test_invalid_configurations_are_refused_and_not_stored(s3: Any, bucket: str, rules: list[dict[str, Any]],
                                                          expected: str) -> None:
    with pytest.raises(ClientError) as caught:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert _error(caught) == (expected, 400)
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_cors(Bucket=bucket)
    assert _error(caught)[0] == "NoSuchCORSConfiguration"


def _put_raw(server: RunningServer, bucket: str, document: bytes) -> tuple[int, bytes]:
    status, _, body = send(server, "PUT", f"/{bucket}?cors", document, md5_header(document))
    return status, body


@pytest.mark.parametrize("value", ["ETag&#13;&#10;Set-Cookie: a=b", "ETag&#13;", "ETag&#10;"])
def test_header_injection_through_character_references_is_refused(server: RunningServer, bucket: str,
                                                                  value: str) -> None:
    document = (f"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
                f"<AllowedMethod>GET</AllowedMethod><ExposeHeader>{value}</ExposeHeader>"
                f"</CORSRule></CORSConfiguration>").encode()
    status, body = _put_raw(server, bucket, document)
    assert (status, code(body)) == (400, "InvalidRequest")


@pytest.mark.parametrize("document", [
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
    b"<MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
    b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"
    b"<Unknown>x</Unknown></CORSRule></CORSConfiguration>",
    b"<Other/>",
    b"<CORSConfiguration><CORSRule>",
])
def test_malformed_documents(server: RunningServer, bucket: str, document: bytes) -> None:
    status, body = _put_raw(server, bucket, document)
    assert (status, code(body)) == (400, "MalformedXML")


def test_configuration_over_64_kib_is_refused(server: RunningServer, s3: Any, bucket: str) -> None:
    rule = (f"<CORSRule><AllowedOrigin>http://{'a' * 1000}.example</AllowedOrigin>"
            f"<AllowedMethod>GET</AllowedMethod></CORSRule>")
    document = f"<CORSConfiguration>{rule * 70}</CORSConfiguration>".encode()
    assert len(document) > 64 * 1024
    status, _ = _put_raw(server, bucket, document)
    assert status == 400
    with pytest.raises(ClientError):
        s3.get_bucket_cors(Bucket=bucket)


def test_put_bucket_cors_needs_permission(server: RunningServer, bucket: str) -> None:
    document = (b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
                b"<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")
    status, _, body = send(server, "PUT", f"/{bucket}?cors", document, md5_header(document), unsigned=True)
    assert (status, code(body)) == (403, "AccessDenied")


# --- preflight ----------------------------------------------------------------------------------
def test_preflight_match(server: RunningServer, cors_bucket: str) -> None:
    status, headers, body = preflight(server, f"/{cors_bucket}/k", A, "PUT", "Content-Type, X-Amz-Meta-Color")
    assert status == 200, body
    assert headers["access-control-allow-origin"] == A
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "content-type, x-amz-meta-color"
    assert headers["access-control-expose-headers"] == "ETag, x-amz-request-id"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["vary"] == VARY


def test_preflight_wildcard_origin_answers_star_without_credentials(server: RunningServer,
                                                                   cors_bucket: str) -> None:
    status, headers, _ = preflight(server, f"/{cors_bucket}", B, "HEAD")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "HEAD"
    assert "access-control-allow-credentials" not in headers
    assert "access-control-max-age" not in headers


@pytest.mark.parametrize(("origin", "method", "request_headers"), [
    (B, "PUT", None),  # origin not allowed for PUT
    (A, "DELETE", None),  # method not allowed
    (A, "PUT", "Content-Type, Authorization"),  # one header not allowed
    (A.upper(), "GET", None),
])
def test_preflight_mismatch(server: RunningServer, cors_bucket: str, origin: str, method: str,
                            request_headers: str | None) -> None:
    status, headers, body = preflight(server, f"/{cors_bucket}/k", origin, method, request_headers)
    assert (status, code(body)) == (403, "AccessForbidden")
    assert b"This CORS request is not allowed" in body and b"<ResourceType>OBJECT</ResourceType>" in body
    assert not any(name.startswith("access-control-") for name in headers)


def test_preflight_without_configuration_or_origin(server: RunningServer, bucket: str) -> None:
    status, _, body = preflight(server, f"/{bucket}/k", A, "PUT")
    assert (status, code(body)) == (403, "AccessForbidden")
    assert b"CORS is not enabled for this bucket" in body and b"<Method>PUT</Method>" in body
    status, _, body = preflight(server, f"/{bucket}/k", None, "PUT")
    assert (status, code(body)) == (400, "BadRequest")
    status, _, body = preflight(server, f"/no-such-bucket-{uuid.uuid4().hex[:8]}/k", A, "PUT")
    assert (status, code(body)) == (403, "AccessForbidden")
    assert b"Bucket not found" in body


def test_preflight_without_request_method(server: RunningServer, cors_bucket: str) -> None:
    status, _, body = preflight(server, f"/{cors_bucket}/k", A, None)
    assert (status, code(body)) == (400, "BadRequest")


def test_preflight_is_never_authenticated(server: RunningServer, cors_bucket: str) -> None:
    """A browser sends the preflight to the presigned URL itself: its query (and any stale or bogus
    credentials) belong to the actual request, and must not fail the preflight."""
    url = presigned_url(server, "PUT", f"/{cors_bucket}/k", expires=60)
    path = url[len(server.endpoint):]
    status, headers, _ = send(server, "OPTIONS", path, headers={
        "Origin": A, "Access-Control-Request-Method": "PUT"}, unsigned=True)
    assert status == 200 and headers["access-control-allow-origin"] == A
    status, headers, _ = send(server, "OPTIONS", f"/{cors_bucket}/k", headers={
        "Origin": A, "Access-Control-Request-Method": "PUT",
        "Authorization": "AWS4-HMAC-SHA256 Credential=bogus"}, unsigned=True)
    assert status == 200 and headers["access-control-allow-origin"] == A


# --- actual requests ----------------------------------------------------------------------------
def test_actual_get_and_put_carry_cors_headers(server: RunningServer, cors_bucket: str) -> None:
    status, headers, body = send(server, "GET", f"/{cors_bucket}/k", headers={"Origin": A})
    assert (status, body) == (200, b"hello")
    assert headers["access-control-allow-origin"] == A
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-expose-headers"] == "ETag, x-amz-request-id"
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["vary"] == VARY
    assert "access-control-allow-headers" not in headers
    status, headers, _ = send(server, "PUT", f"/{cors_bucket}/new", b"data", {"Origin": A})
    assert status == 200 and headers["access-control-allow-origin"] == A
    status, headers, _ = send(server, "HEAD", f"/{cors_bucket}/k", headers={"Origin": B})
    assert status == 200 and headers["access-control-allow-origin"] == "*"


def test_no_cors_headers_without_origin_or_match(server: RunningServer, cors_bucket: str) -> None:
    for extra in ({}, {"Origin": B}):  # no Origin; an Origin no GET rule allows
        status, headers, _ = send(server, "GET", f"/{cors_bucket}/k", headers=extra)
        assert status == 200
        assert not any(name.startswith("access-control-") for name in headers)
        assert "vary" not in headers


def test_error_responses_carry_cors_headers(server: RunningServer, cors_bucket: str) -> None:
    status, headers, body = send(server, "GET", f"/{cors_bucket}/missing", headers={"Origin": A})
    assert (status, code(body)) == (404, "NoSuchKey")
    assert headers["access-control-allow-origin"] == A and headers["vary"] == VARY


def test_cors_never_grants_access(server: RunningServer, s3: Any, cors_bucket: str) -> None:
    """A rule allowing the origin lets a page read the answer, not do more than its signer may."""
    status, headers, body = send(server, "GET", f"/{cors_bucket}/k", headers={"Origin": A}, unsigned=True)
    assert (status, code(body)) == (403, "AccessDenied")
    assert headers["access-control-allow-origin"] == A  # the page may read the denial
    status, _, body = send(server, "PUT", f"/{cors_bucket}/anon", b"x", {"Origin": A}, unsigned=True)
    assert (status, code(body)) == (403, "AccessDenied")
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=cors_bucket, Key="anon")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    status, _, body = send(server, "GET", f"/{cors_bucket}?cors", headers={"Origin": A}, unsigned=True)
    assert (status, code(body)) == (403, "AccessDenied")


def test_configuration_changes_are_seen_by_every_worker(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", workers=2) as server:
        a, b = one_per_worker(server)
        bucket = f"cors-{uuid.uuid4().hex[:10]}"
        assert a.request("PUT", f"/{bucket}")[0] == 200
        ask = {"Origin": A, "Access-Control-Request-Method": "GET"}
        for i in range(6):
            writer, reader = (a, b) if i % 2 else (b, a)
            origin = A if i % 3 else B
            document = (f"<CORSConfiguration><CORSRule><AllowedOrigin>{origin}</AllowedOrigin>"
                        f"<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>").encode()
            assert reader.request("OPTIONS", f"/{bucket}", headers=ask)[0] in {200, 403}  # cache it
            assert writer.request("PUT", f"/{bucket}?cors", document, md5_header(document))[0] == 200
            assert reader.request("OPTIONS", f"/{bucket}", headers=ask)[0] == (200 if origin == A else 403)
        assert a.request("DELETE", f"/{bucket}?cors")[0] == 204
        status, _, body = b.request("OPTIONS", f"/{bucket}", headers=ask)
        assert status == 403 and b"CORS is not enabled" in body
        a.close()
        b.close()
