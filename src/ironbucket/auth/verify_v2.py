"""Verifying a SigV2 request: ``Authorization: AWS`` header or ``AWSAccessKeyId``/``Signature``
query parameters. https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
"""

from __future__ import annotations

from collections.abc import Mapping

from ironbucket.auth import sigv2, sigv4
from ironbucket.auth.authentication import (
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
from ironbucket.auth.streaming import signature_mismatch
from ironbucket.errors import AccessDenied
from ironbucket.http.request import Request

NO_DATE = "AWS authentication requires a valid Date or x-amz-date header"
_MEMO: SignatureMemo[bool] = SignatureMemo()


async def verify_header(
    request: Request,
    credentials: CredentialStore,
    *,
    region: str,
    now: float,
    bucket_from_host: str | None,
) -> Authentication:
    headers = request.headers
    parsed = sigv2.parse_authorization_header(headers["authorization"])
    raw_time = headers.get("x-amz-date") or headers.get("date") or ""
    request_time = sigv4.parse_amz_date(raw_time.strip()) or parse_http_date(raw_time)
    if request_time is None:
        raise AccessDenied(NO_DATE)
    check_skew(request_time, raw_time, now)
    payload = _payload(headers)
    credential = await find_credential(credentials, parsed.access_key_id)
    # With x-amz-date present, the Date line is signed empty (x-amz-date is signed among the
    # x-amz-* headers instead).
    date = "" if "x-amz-date" in headers else headers.get("date", "").strip()
    _verify(
        request,
        credential,
        access_key_id=parsed.access_key_id,
        provided=parsed.signature,
        date=date,
        amz_headers=headers,
        content_type=headers.get("content-type", ""),
        bucket_from_host=bucket_from_host,
    )
    check_session(credential, headers.get("x-amz-security-token"), now)
    return _authentication(credential, region, REST_HEADER, signature_age_ms(request_time, now), payload)


async def verify_query(
    request: Request,
    credentials: CredentialStore,
    *,
    region: str,
    now: float,
    bucket_from_host: str | None,
) -> Authentication:
    parsed = sigv2.parse_presigned_query(request.query)
    if now > parsed.expires:
        raise AccessDenied(
            "Request has expired",
            Expires=sigv4.format_iso8601(parsed.expires),
            ServerTime=sigv4.format_iso8601(now),
        )
    headers = request.headers
    payload = _payload(headers)
    credential = await find_credential(credentials, parsed.access_key_id)
    # Presigning SDKs move x-amz-* headers (e.g. the session token) and Content-Type into the
    # query string but sign them as headers.
    query = {name.lower(): value for name, value in request.query_items}
    amz_headers = {name: value for name, value in query.items() if name.startswith("x-amz-")}
    amz_headers.update(headers)
    content_type = headers.get("content-type", query.get("content-type", ""))
    _verify(
        request,
        credential,
        access_key_id=parsed.access_key_id,
        provided=parsed.signature,
        date=request.query["Expires"],
        amz_headers=amz_headers,
        content_type=content_type,
        bucket_from_host=bucket_from_host,
        content_md5=query.get("content-md5", ""),
    )
    check_session(credential, amz_headers.get("x-amz-security-token"), now)
    return _authentication(credential, region, REST_QUERY_STRING, None, payload)


def _verify(
    request: Request,
    credential: Credential,
    *,
    access_key_id: str,
    provided: str,
    date: str,
    amz_headers: Mapping[str, str],
    content_type: str,
    bucket_from_host: str | None,
    content_md5: str = "",
) -> None:
    def string_to_sign(date: str, amz_headers: Mapping[str, str], documented: bool = False) -> str:
        return sigv2.string_to_sign(
            request.method,
            content_md5=request.headers.get("content-md5", content_md5).strip(),
            content_type=content_type.strip(),
            date=date,
            amz_headers=amz_headers,
            resource=sigv2.canonical_resource(
                request.raw_path, request.query_string, bucket_from_host=bucket_from_host,
                documented=documented,
            ),
        )

    memo_key = (request.method, request.raw_path, request.query_string, provided, date, content_type,
                content_md5, request.headers.get("content-md5"), bucket_from_host,
                tuple(sorted((k, v) for k, v in amz_headers.items() if k.startswith("x-amz-"))))
    if _MEMO.get(memo_key, credential):
        return
    secret = credential.secret_access_key
    signed = string_to_sign(date, amz_headers)
    if sigv2.signatures_equal(sigv2.sign(secret, signed), provided):
        _MEMO.remember(memo_key, credential, True)
        return
    # The resource as the S3 guide words it, as rclone --s3-v2-auth signs: "/bucket", "?uploads".
    if sigv2.signatures_equal(sigv2.sign(secret, string_to_sign(date, amz_headers, True)), provided):
        _MEMO.remember(memo_key, credential, True)
        return
    amz_date = amz_headers.get("x-amz-date")
    if amz_date is not None and not date:
        # The S3 guide's own DELETE example signs x-amz-date in the Date line instead (and not
        # among the x-amz-* headers); clients following that example are accepted too.
        others = {name: value for name, value in amz_headers.items() if name != "x-amz-date"}
        if sigv2.signatures_equal(sigv2.sign(secret, string_to_sign(amz_date.strip(), others)), provided):
            return
    raise signature_mismatch(access_key_id, signed, provided)


def _payload(headers: Mapping[str, str]) -> PayloadCheck:
    content_sha256 = headers.get("x-amz-content-sha256")
    if content_sha256 is not None:
        validate_content_sha256(content_sha256)
    return payload_check(content_sha256, headers, signing=None)


def _authentication(
    credential: Credential, region: str, auth_type: str, age_ms: int | None, payload: PayloadCheck
) -> Authentication:
    return Authentication(
        principal=credential.principal,
        service="s3",
        region=region,
        auth_type=auth_type,
        signature_version=sigv2.ALGORITHM,
        signature_age_ms=age_ms,
        access_key_id=credential.access_key_id,
        payload=payload,
    )
