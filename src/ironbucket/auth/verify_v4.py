"""Verifying a SigV4 request: ``Authorization`` header or presigned query parameters.

https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from ironbucket.auth import sigv4
from ironbucket.auth.authentication import (
    MAX_SKEW_SECONDS,
    REST_HEADER,
    REST_QUERY_STRING,
    Authentication,
    check_session,
    check_skew,
    find_credential,
    parse_http_date,
    signature_age_ms,
)
from ironbucket.auth.credentials import Credential, CredentialStore
from ironbucket.auth.payload import PayloadCheck, payload_check, validate_content_sha256
from ironbucket.auth.signature_memo import SignatureMemo
from ironbucket.auth.streaming import ChunkSigning, signature_mismatch
from ironbucket.errors import (
    AccessDenied,
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    InvalidRequest,
)
from ironbucket.http.request import Body, Headers, Request

NO_DATE = "AWS authentication requires a valid Date or x-amz-date header"
NOT_SIGNED = "There were headers present in the request which were not signed"
# Services other than S3 (IAM, STS, KMS, ...) sign the body hash without sending it; their
# bodies are small documents, read whole to hash them.
MAX_HASHED_BODY = 1024 * 1024
_MEMO: SignatureMemo[ChunkSigning] = SignatureMemo()


async def verify_header(
    request: Request, credentials: CredentialStore, *, region: str, now: float
) -> Authentication:
    headers = request.headers
    parsed = sigv4.parse_authorization_header(headers["authorization"])
    scope = parsed.credential
    if scope.region != region:
        raise AuthorizationHeaderMalformed(
            f"The authorization header is malformed; the region '{scope.region}' is wrong; "
            f"expecting '{region}'",
            Region=region,
        )
    amz_date, request_time, raw_time = _request_date(headers)
    if scope.date != amz_date[:8]:
        raise AuthorizationHeaderMalformed(
            "The authorization header is malformed; Invalid credential date. "
            "Date is not the same as X-Amz-Date."
        )
    check_skew(request_time, raw_time, now)
    _check_signed_headers(headers, parsed.signed_headers)
    content_sha256 = headers.get("x-amz-content-sha256")
    if content_sha256 is not None:
        validate_content_sha256(content_sha256)
    elif scope.service == "s3":
        raise InvalidRequest("Missing required header for this request: x-amz-content-sha256")
    credential = await find_credential(credentials, scope.access_key_id)
    payload_hash = content_sha256 if content_sha256 is not None else await _hash_body(request)
    signing = _verify(
        request,
        credential,
        scope,
        amz_date=amz_date,
        signed_headers=parsed.signed_headers,
        provided=parsed.signature,
        payload_hash=payload_hash,
        exclude=(),
    )
    check_session(credential, headers.get("x-amz-security-token"), now)
    return _authentication(
        credential,
        scope,
        REST_HEADER,
        signature_age_ms(request_time, now),
        payload_check(payload_hash, headers, signing=signing),
    )


async def verify_query(
    request: Request, credentials: CredentialStore, *, region: str, now: float
) -> Authentication:
    parsed = _parsed_query_signature(request)
    scope = parsed.credential
    if scope.region != region:
        raise AuthorizationQueryParametersError(
            f"Error parsing the X-Amz-Credential parameter; the region '{scope.region}' is wrong; "
            f"expecting '{region}'",
            Region=region,
        )
    if scope.date != parsed.amz_date[:8]:
        raise AuthorizationQueryParametersError(
            f'Invalid credential date "{scope.date}". '
            f'This date is not the same as X-Amz-Date: "{parsed.amz_date[:8]}".'
        )
    signed_at = sigv4.parse_amz_date(parsed.amz_date)
    assert signed_at is not None  # parse_presigned_query checked the format
    expires_at = signed_at + parsed.expires
    if signed_at - now > MAX_SKEW_SECONDS:
        raise AccessDenied(
            "Request is not valid yet",
            **{
                "X-Amz-Date": parsed.amz_date,
                "Expires": sigv4.format_iso8601(expires_at),
                "ServerTime": sigv4.format_iso8601(now),
            },
        )
    if now > expires_at:
        raise AccessDenied(
            "Request has expired",
            **{
                "X-Amz-Expires": str(parsed.expires),
                "Expires": sigv4.format_iso8601(expires_at),
                "ServerTime": sigv4.format_iso8601(now),
            },
        )
    _check_signed_headers(request.headers, parsed.signed_headers)
    # A presigned URL cannot know its body: S3 signs UNSIGNED-PAYLOAD unless the client says.
    content_sha256 = request.query.get("X-Amz-Content-Sha256") or request.headers.get("x-amz-content-sha256")
    if content_sha256 is not None:
        validate_content_sha256(content_sha256)
    credential = await find_credential(credentials, scope.access_key_id)
    if content_sha256 is None:
        content_sha256 = sigv4.UNSIGNED_PAYLOAD if scope.service == "s3" else await _hash_body(request)
    signing = _verify(
        request,
        credential,
        scope,
        amz_date=parsed.amz_date,
        signed_headers=parsed.signed_headers,
        provided=parsed.signature,
        payload_hash=content_sha256,
        exclude=("X-Amz-Signature",),
    )
    check_session(credential, parsed.security_token or request.headers.get("x-amz-security-token"), now)
    return _authentication(
        credential,
        scope,
        REST_QUERY_STRING,
        signature_age_ms(signed_at, now),
        payload_check(content_sha256, request.headers, signing=signing),
    )


_PARSED: dict[str, sigv4.QuerySignature] = {}


def _parsed_query_signature(request: Request) -> sigv4.QuerySignature:
    """parse_presigned_query, remembered per query string (presigned URLs are fetched again and
    again; the parse is pure, and only successful parses are kept)."""
    parsed = _PARSED.get(request.query_string)
    if parsed is None:
        parsed = sigv4.parse_presigned_query(request.query)
        if len(_PARSED) >= 1024:
            _PARSED.clear()
        _PARSED[request.query_string] = parsed
    return parsed


def _verify(
    request: Request,
    credential: Credential,
    scope: sigv4.CredentialScope,
    *,
    amz_date: str,
    signed_headers: Sequence[str],
    provided: str,
    payload_hash: str,
    exclude: Sequence[str],
) -> ChunkSigning:
    """Recompute the signature; on success return what verifying signed chunks needs."""
    memo_key = (request.method, request.raw_path, request.query_string,
                tuple(map(request.headers.get, signed_headers)), tuple(signed_headers), amz_date,
                scope.access_key_id, scope.date, scope.region, scope.service,  # not scope: its
                provided, payload_hash, tuple(exclude))  # dataclass __hash__ runs in Python
    remembered = _MEMO.get(memo_key, credential)
    if remembered is not None:
        return remembered
    canonical = sigv4.canonical_request(
        request.method,
        sigv4.canonical_uri(unquote_to_bytes(request.raw_path)),
        sigv4.canonical_query_string(request.query_string, exclude=exclude),
        headers=request.headers,
        signed_headers=signed_headers,
        payload_hash=payload_hash,
    )
    string_to_sign = sigv4.string_to_sign(amz_date, scope.scope, canonical)
    key = sigv4.signing_key(credential.secret_access_key, scope.date, scope.region, scope.service)
    if not sigv4.signatures_equal(sigv4.sign(key, string_to_sign), provided):
        raise signature_mismatch(scope.access_key_id, string_to_sign, provided, canonical)
    signing = ChunkSigning(
        signing_key=key,
        amz_date=amz_date,
        scope=scope.scope,
        seed_signature=provided,
        access_key_id=scope.access_key_id,
        canonical_request=canonical,
    )
    _MEMO.remember(memo_key, credential, signing)
    return signing


def _authentication(
    credential: Credential, scope: sigv4.CredentialScope, auth_type: str, age_ms: int, payload: PayloadCheck
) -> Authentication:
    # Positional, in the order of Authentication's fields: see http/asgi.build_request.
    return Authentication(credential.principal, scope.service, scope.region, auth_type,
                          sigv4.ALGORITHM, age_ms, scope.access_key_id, payload)


def _request_date(headers: Headers) -> tuple[str, float, str]:
    """(timestamp as signed, epoch seconds, as sent) from ``x-amz-date``, else ``Date``."""
    raw = headers.get("x-amz-date")
    if raw is not None:
        epoch = sigv4.parse_amz_date(raw.strip())
        if epoch is None:
            raise AccessDenied(NO_DATE)
        return raw.strip(), epoch, raw
    raw = headers.get("date")
    epoch = parse_http_date(raw) if raw else None
    if raw is None or epoch is None:
        raise AccessDenied(NO_DATE)
    return sigv4.format_amz_date(epoch), epoch, raw


def _check_signed_headers(headers: Headers, signed_headers: Sequence[str]) -> None:
    """``host`` and every ``x-amz-*`` header present must be covered by the signature."""
    if "host" in signed_headers and not any(name.startswith("x-amz-") for name in headers):
        return  # the usual presigned GET: nothing else to look at
    signed = set(signed_headers)
    unsigned = sorted(name for name in headers if name.startswith("x-amz-") and name not in signed)
    if "host" not in signed:
        unsigned.insert(0, "host")
    if unsigned:
        raise AccessDenied(NOT_SIGNED, HeadersNotSigned=", ".join(unsigned))


async def _hash_body(request: Request) -> str:
    """Read a small body whole, hash it, and put it back for the handler."""
    data = await request.body.read(MAX_HASHED_BODY)
    replayed = False

    async def receive() -> dict[str, Any]:
        nonlocal replayed
        if replayed:
            return {"type": "http.disconnect"}
        replayed = True
        return {"type": "http.request", "body": data, "more_body": False}

    request.body = Body(receive, len(data))
    return sigv4.sha256_hex(data)
