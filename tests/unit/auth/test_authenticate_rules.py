"""The rules around the signature, table-driven: clock skew, presigned expiry, session tokens,
key state, unsigned headers, scope, payload headers, malformed input, anonymous requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from unittest.mock import patch

import pytest
from botocore.auth import HmacV1Auth, HmacV1QueryAuth, S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ironbucket.auth import sigv4
from ironbucket.auth.authenticate import authenticate
from ironbucket.auth.payload import PayloadMode
from ironbucket.auth.principal import ANONYMOUS
from ironbucket.errors import S3Error
from ironbucket.http.request import Request
from tests.unit.auth.auth_testing import MemoryStore, credential, from_botocore, make_request, run

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z
URL = "https://s3.example.test/bucket/key"
AKID, SECRET = "AKIAIOSFODNN7EXAMPLE", "secret"
TEMP_AKID, TOKEN = "ASIATEMPORARYKEY0000", "session-token"
STORE = MemoryStore.of(
    credential(AKID, SECRET),
    credential("AKIAINACTIVE00000000", SECRET, active=False),
    credential(TEMP_AKID, SECRET, token=TOKEN, expires_at=NOW + 3600),
    credential("ASIAEXPIRED000000000", SECRET, token=TOKEN, expires_at=NOW - 1),
)


def sign(
    signer: Any,
    *,
    at: float = NOW,
    method: str = "GET",
    url: str = URL,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
) -> Request:
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    moment = datetime.fromtimestamp(at, UTC).replace(tzinfo=None)
    with (
        patch("botocore.auth.get_current_datetime", return_value=moment),
        patch.object(HmacV1Auth, "_get_date", lambda self: formatdate(at, usegmt=True)),
        patch("time.time", return_value=at),
    ):
        signer.add_auth(request)
    return from_botocore(request.prepare())


def v4(akid: str = AKID, token: str | None = None, region: str = "us-east-1") -> S3SigV4Auth:
    return S3SigV4Auth(Credentials(akid, SECRET, token), "s3", region)


def v4_query(akid: str = AKID, token: str | None = None, expires: Any = 3600) -> S3SigV4QueryAuth:
    return S3SigV4QueryAuth(Credentials(akid, SECRET, token), "s3", "us-east-1", expires=expires)


def v2(akid: str = AKID, token: str | None = None) -> HmacV1Auth:
    return HmacV1Auth(Credentials(akid, SECRET, token))


def outcome(request: Request, now: float = NOW) -> tuple[str, str, dict[str, str]]:
    try:
        run(authenticate(request, STORE, region="us-east-1", now=now, bucket_from_host=None))
    except S3Error as error:
        return error.code, error.message, error.fields
    return "", "", {}


def code(request: Request, now: float = NOW) -> str:
    return outcome(request, now)[0]


# --- clock skew -----------------------------------------------------------------------------------
MINUTE = 60.0


@pytest.mark.parametrize("signer", [v4, v2], ids=["v4", "v2"])
@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (0, ""),
        (-14 * MINUTE, ""),
        (14 * MINUTE, ""),
        (-16 * MINUTE, "RequestTimeTooSkewed"),
        (16 * MINUTE, "RequestTimeTooSkewed"),
    ],
)
def test_clock_skew(signer: Callable[[], Any], offset: float, expected: str) -> None:
    got, _, fields = outcome(sign(signer(), at=NOW + offset))
    assert got == expected
    if expected:
        assert fields["ServerTime"] == "2023-11-14T22:13:20Z"
        assert fields["MaxAllowedSkewMilliseconds"] == "900000"
        assert fields["RequestTime"]


def test_v4_with_a_date_header_instead_of_x_amz_date() -> None:
    request = sign(v4(), headers={"Date": "placeholder"})
    assert "x-amz-date" not in request.headers
    assert code(request) == ""
    assert code(request, now=NOW + 20 * MINUTE) == "RequestTimeTooSkewed"


@pytest.mark.parametrize("headers", [{}, {"date": "not a date"}, {"x-amz-date": "20231114"}])
def test_a_request_date_is_required(headers: dict[str, str]) -> None:
    request = sign(v4())
    for name in ("x-amz-date", "date"):
        request.headers.pop(name, None)
    request.headers.update(headers)
    assert outcome(request)[:2] == (
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
    )


# --- presigned expiry -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        (1, ""),
        (3600, ""),
        (604800, ""),
        (0, "AuthorizationQueryParametersError"),
        (-1, "AuthorizationQueryParametersError"),
        (604801, "AuthorizationQueryParametersError"),
        ("abc", "AuthorizationQueryParametersError"),
    ],
)
def test_presigned_expires_bounds(expires: Any, expected: str) -> None:
    assert code(sign(v4_query(expires=expires))) == expected


@pytest.mark.parametrize(
    ("now", "expected", "message"),
    [
        (NOW + 60, "", ""),
        (NOW + 60.5, "AccessDenied", "Request has expired"),
        (NOW - 14 * MINUTE, "", ""),
        (NOW - 16 * MINUTE, "AccessDenied", "Request is not valid yet"),
    ],
)
def test_presigned_validity_window(now: float, expected: str, message: str) -> None:
    got, text, fields = outcome(sign(v4_query(expires=60)), now=now)
    assert (got, text) == (expected, message or text)
    if message == "Request has expired":
        assert fields == {
            "X-Amz-Expires": "60",
            "Expires": "2023-11-14T22:14:20Z",
            "ServerTime": "2023-11-14T22:14:20Z",
        }


def test_presigned_signature_age() -> None:
    auth = run(
        authenticate(sign(v4_query()), STORE, region="us-east-1", now=NOW + 12.5, bucket_from_host=None)
    )
    assert auth.signature_age_ms == 12_500


def test_sigv2_presigned_expiry() -> None:
    signer = HmacV1QueryAuth(Credentials(AKID, SECRET), expires=60)
    request = sign(signer)
    assert code(request, now=NOW + 60) == ""
    got, message, fields = outcome(request, now=NOW + 61)
    assert (got, message) == ("AccessDenied", "Request has expired")
    assert fields == {"Expires": "2023-11-14T22:14:20Z", "ServerTime": "2023-11-14T22:14:21Z"}


# --- keys and session tokens ----------------------------------------------------------------------
SIGNERS = {
    "v4": v4,
    "v4-query": v4_query,
    "v2": v2,
    "v2-query": lambda akid, token: HmacV1QueryAuth(Credentials(akid, SECRET, token)),
}


@pytest.mark.parametrize("style", SIGNERS)
@pytest.mark.parametrize(
    ("akid", "token", "expected"),
    [
        (AKID, None, ""),
        ("AKIAUNKNOWN000000000", None, "InvalidAccessKeyId"),
        ("AKIAINACTIVE00000000", None, "InvalidAccessKeyId"),
        (TEMP_AKID, TOKEN, ""),
        (TEMP_AKID, "another-token", "InvalidToken"),
        (TEMP_AKID, None, "InvalidToken"),
        (AKID, TOKEN, "InvalidToken"),  # a token with a long-term key
        ("ASIAEXPIRED000000000", TOKEN, "ExpiredToken"),
    ],
)
def test_keys_and_session_tokens(style: str, akid: str, token: str | None, expected: str) -> None:
    assert code(sign(SIGNERS[style](akid, token))) == expected


def test_principal_comes_from_the_credential() -> None:
    auth = run(
        authenticate(sign(v4(TEMP_AKID, TOKEN)), STORE, region="us-east-1", now=NOW, bucket_from_host=None)
    )
    assert auth.principal == STORE.keys[TEMP_AKID].principal
    assert (auth.access_key_id, auth.region, auth.service) == (TEMP_AKID, "us-east-1", "s3")


# --- headers that must be signed ------------------------------------------------------------------
@pytest.mark.parametrize("signer", [v4(), v4_query()], ids=["header", "query"])
def test_unsigned_amz_headers_are_refused(signer: Any) -> None:
    request = sign(signer, headers={"x-amz-meta-signed": "1"})
    request.headers["x-amz-meta-added"] = "2"
    request.headers["x-amz-acl"] = "public-read"
    got, message, fields = outcome(request)
    assert (got, message) == (
        "AccessDenied",
        "There were headers present in the request which were not signed",
    )
    assert fields == {"HeadersNotSigned": "x-amz-acl, x-amz-meta-added"}


def manual_v4(
    *,
    signed_headers: tuple[str, ...] = ("host", "x-amz-content-sha256", "x-amz-date"),
    scope_date: str = "20231114",
    region: str = "us-east-1",
    amz_date: str = "20231114T221320Z",
    content_sha256: str | None = sigv4.EMPTY_SHA256,
    extra: dict[str, str] | None = None,
) -> Request:
    """A SigV4 header request signed by hand, for shapes botocore will not produce."""
    headers = {"host": "s3.example.test", "x-amz-date": amz_date, **(extra or {})}
    if content_sha256 is not None:
        headers["x-amz-content-sha256"] = content_sha256
    canonical = sigv4.canonical_request(
        "GET",
        "/bucket/key",
        "",
        headers=headers,
        signed_headers=signed_headers,
        payload_hash=content_sha256 or sigv4.EMPTY_SHA256,
    )
    scope = f"{scope_date}/{region}/s3/aws4_request"
    key = sigv4.signing_key(SECRET, scope_date, region, "s3")
    signature = sigv4.sign(key, sigv4.string_to_sign(amz_date, scope, canonical))
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={AKID}/{scope}, SignedHeaders={';'.join(signed_headers)}, "
        f"Signature={signature}"
    )
    return make_request("GET", "/bucket/key", "", headers)


def test_manual_signer_is_right() -> None:
    assert code(manual_v4()) == ""


def test_host_must_be_signed() -> None:
    got, _, fields = outcome(manual_v4(signed_headers=("x-amz-content-sha256", "x-amz-date")))
    assert (got, fields) == ("AccessDenied", {"HeadersNotSigned": "host"})


# --- credential scope -----------------------------------------------------------------------------
def test_wrong_region() -> None:
    got, message, fields = outcome(sign(v4(region="eu-west-1")))
    assert got == "AuthorizationHeaderMalformed"
    assert (
        message
        == "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'"
    )
    assert fields == {"Region": "us-east-1"}
    query = sign(S3SigV4QueryAuth(Credentials(AKID, SECRET), "s3", "eu-west-1"))
    assert outcome(query)[:2] == (
        "AuthorizationQueryParametersError",
        "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; "
        "expecting 'us-east-1'",
    )


def test_credential_date_must_be_the_request_date() -> None:
    assert outcome(manual_v4(scope_date="20231113"))[:2] == (
        "AuthorizationHeaderMalformed",
        "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.",
    )


# --- x-amz-content-sha256 -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("content_sha256", "extra", "expected"),
    [
        (None, {}, "InvalidRequest"),
        ("abc", {}, "InvalidArgument"),
        ("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", {}, "NotImplemented"),
        ("UNSIGNED-PAYLOAD", {}, ""),
        ("UNSIGNED-PAYLOAD", {"content-encoding": "aws-chunked"}, "InvalidArgument"),
        (sigv4.EMPTY_SHA256.upper(), {}, ""),
        (sigv4.EMPTY_SHA256, {"x-amz-trailer": "x-amz-checksum-crc32"}, "MalformedTrailerError"),
        ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", {}, "MissingContentLength"),
        ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", {"x-amz-decoded-content-length": "x"}, "InvalidArgument"),
        ("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", {"x-amz-decoded-content-length": "10"}, ""),
        ("STREAMING-UNSIGNED-PAYLOAD-TRAILER", {"x-amz-decoded-content-length": "10"}, ""),
    ],
)
def test_content_sha256(content_sha256: str | None, extra: dict[str, str], expected: str) -> None:
    signed = (
        "host",
        "x-amz-content-sha256",
        "x-amz-date",
        *sorted(name for name in extra if name.startswith("x-amz")),
    )
    if content_sha256 is None:
        signed = ("host", "x-amz-date")
    request = manual_v4(content_sha256=content_sha256, extra=extra, signed_headers=tuple(sorted(signed)))
    assert code(request) == expected


def test_content_sha256_messages() -> None:
    assert outcome(manual_v4(content_sha256=None, signed_headers=("host", "x-amz-date")))[1] == (
        "Missing required header for this request: x-amz-content-sha256"
    )
    _got, message, fields = outcome(manual_v4(content_sha256="abc"))
    assert message.startswith(
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    )
    assert fields == {"ArgumentName": "x-amz-content-sha256", "ArgumentValue": "abc"}


# --- malformed authorization ----------------------------------------------------------------------
GOOD = "Credential=AKIAIOSFODNN7EXAMPLE/20231114/us-east-1/s3/aws4_request"
MALFORMED = [
    ("AWS4-HMAC-SHA256", "AuthorizationHeaderMalformed", "requires three components"),
    (
        f"AWS4-HMAC-SHA256 {GOOD}, SignedHeaders=host",
        "AuthorizationHeaderMalformed",
        "requires three components",
    ),
    (
        f"AWS4-HMAC-SHA256 {GOOD}, SignedHeaders=host, Sig=abc",
        "AuthorizationHeaderMalformed",
        "missing Signature.",
    ),
    (
        f"AWS4-HMAC-SHA256 {GOOD}, SignedHeaders, Signature=abc",
        "AuthorizationHeaderMalformed",
        'the authorization component "SignedHeaders" is malformed.',
    ),
    (
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/s3, SignedHeaders=host, Signature=a",
        "AuthorizationHeaderMalformed",
        "the Credential is mal-formed",
    ),
    (
        "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/s3/aws5_request, "
        "SignedHeaders=host, Signature=a",
        "AuthorizationHeaderMalformed",
        'incorrect terminal "aws5_request"',
    ),
    (
        "AWS4-HMAC-SHA256 Credential=AKID/2023-11-14/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=a",
        "AuthorizationHeaderMalformed",
        'incorrect date format "2023-11-14"',
    ),
    ("AWS AKIAIOSFODNN7EXAMPLE", "InvalidArgument", "Expected AwsAccessKeyId:signature"),
    ("AWS :sig", "InvalidArgument", "Expected AwsAccessKeyId:signature"),
    ("Bearer token", "InvalidArgument", "Unsupported Authorization Type"),
    ("", "InvalidArgument", "Unsupported Authorization Type"),
    ("AWS4-ECDSA-P256-SHA256 Credential=x", "InvalidArgument", "Unsupported Authorization Type"),
]


@pytest.mark.parametrize(("header", "expected", "message"), MALFORMED)
def test_malformed_authorization_header(header: str, expected: str, message: str) -> None:
    request = make_request(
        "GET",
        "/b/k",
        "",
        {
            "host": "h",
            "x-amz-date": "20231114T221320Z",
            "authorization": header,
            "x-amz-content-sha256": sigv4.EMPTY_SHA256,
        },
    )
    got, text, _ = outcome(request)
    assert got == expected and message in text


PRESIGNED = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20231114%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20231114T221320Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            PRESIGNED.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
        ),
        (PRESIGNED.replace("&X-Amz-Expires=60", ""), "Query-string authentication version 4 requires"),
        (PRESIGNED.replace("&X-Amz-Signature=00", ""), "Query-string authentication version 4 requires"),
        (
            PRESIGNED.replace("20231114T221320Z", "20231114T2213Z"),
            "X-Amz-Date must be in the ISO8601 Long Format",
        ),
        (PRESIGNED.replace("20231114T221320Z", "20231115T001320Z"), 'Invalid credential date "20231114"'),
        (PRESIGNED.replace("X-Amz-Expires=60", "X-Amz-Expires=x"), "X-Amz-Expires should be a number"),
        (PRESIGNED.replace("X-Amz-Expires=60", "X-Amz-Expires=-5"), "X-Amz-Expires must be non-negative"),
        (PRESIGNED.replace("X-Amz-Expires=60", "X-Amz-Expires=604801"), "must be less than a week"),
        (PRESIGNED.replace("aws4_request", "aws5_request"), "incorrect terminal"),
    ],
)
def test_malformed_presigned_query(query: str, message: str) -> None:
    got, text, _ = outcome(make_request("GET", "/b/k", query, {"host": "h"}))
    assert got == "AuthorizationQueryParametersError" and message in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1700000060", "AccessDenied"),
        ("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=x&Expires=soon", "AccessDenied"),
        ("Signature=x&X-Amz-Signature=y", "InvalidArgument"),
    ],
)
def test_malformed_v2_query(query: str, expected: str) -> None:
    assert code(make_request("GET", "/b/k", query, {"host": "h"})) == expected


def test_two_auth_mechanisms_are_refused() -> None:
    request = sign(v4_query())
    request.headers["authorization"] = "AWS AKIAIOSFODNN7EXAMPLE:abc"
    assert outcome(request)[:2] == (
        "InvalidArgument",
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string "
        "parameter or the Authorization header should be specified",
    )


# --- anonymous ------------------------------------------------------------------------------------
def test_anonymous() -> None:
    auth = run(
        authenticate(
            make_request("GET", "/b/k", "", {"host": "h"}),
            STORE,
            region="us-east-1",
            now=NOW,
            bucket_from_host=None,
        )
    )
    assert auth.principal is ANONYMOUS and auth.is_anonymous
    assert (auth.auth_type, auth.signature_version, auth.access_key_id, auth.service) == (
        "",
        None,
        None,
        "s3",
    )
    assert auth.payload.mode is PayloadMode.UNSIGNED


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"x-amz-content-sha256": sigv4.EMPTY_SHA256}, PayloadMode.SHA256),
        (
            {
                "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "x-amz-decoded-content-length": "1",
            },
            PayloadMode.STREAMING_UNSIGNED_TRAILER,
        ),
        (
            {
                "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "x-amz-decoded-content-length": "1",
            },
            "InvalidRequest",
        ),
        ({"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}, PayloadMode.UNSIGNED),
        ({"x-amz-content-sha256": "SHA256"}, "InvalidArgument"),  # a mode's name, not a hash
        ({"x-amz-content-sha256": "unsigned-payload"}, "InvalidArgument"),
        ({"x-amz-content-sha256": sigv4.EMPTY_SHA256[:-1]}, "InvalidArgument"),
        ({"x-amz-content-sha256": "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"}, "NotImplemented"),
    ],
)
def test_anonymous_payloads(headers: dict[str, str], expected: Any) -> None:
    request = make_request("PUT", "/b/k", "", {"host": "h", **headers})
    try:
        auth = run(authenticate(request, STORE, region="us-east-1", now=NOW, bucket_from_host=None))
    except S3Error as error:
        assert error.code == expected
    else:
        assert auth.payload.mode is expected


def test_v2_signed_streaming_is_refused() -> None:
    request = sign(
        v2(),
        method="PUT",
        headers={
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "x-amz-decoded-content-length": "3",
        },
    )
    assert code(request) == "InvalidRequest"


def test_sigv4_for_another_service_over_a_body() -> None:
    request = sign(
        SigV4Auth(Credentials(AKID, SECRET), "iam", "us-east-1"),
        method="POST",
        url="https://s3.example.test/",
        body=b"Action=ListUsers&Version=2010-05-08",
    )
    auth = run(authenticate(request, STORE, region="us-east-1", now=NOW, bucket_from_host=None))
    assert auth.service == "iam"
