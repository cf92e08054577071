"""The authenticate stage: which signature a request carries, and whether it holds.

Recognises a SigV4 ``Authorization`` header, SigV4 presigned query parameters, a SigV2 header,
SigV2 query parameters, or nothing at all (anonymous: the caller decides what that may do).
Browser POST forms authenticate from their fields: :func:`authenticate_post_policy`.
The body is not read here (bar the small bodies of non-S3 services that sign a body hash
without sending it); the returned :class:`PayloadCheck` says how :func:`open_body` verifies it.
"""

from __future__ import annotations

from ironbucket.auth import sigv2, sigv4, verify_v2, verify_v4
from ironbucket.auth.authentication import REST_HEADER, REST_QUERY_STRING, Authentication, anonymous
from ironbucket.auth.credentials import CredentialStore
from ironbucket.auth.payload import PayloadCheck, VerifiedBody, open_body, payload_check
from ironbucket.auth.post_auth import authenticate_post_policy
from ironbucket.errors import InvalidArgument
from ironbucket.http.request import Request

__all__ = [
    "REST_HEADER",
    "REST_QUERY_STRING",
    "Authentication",
    "PayloadCheck",
    "VerifiedBody",
    "authenticate",
    "authenticate_post_policy",
    "open_body",
]


async def authenticate(
    request: Request,
    credentials: CredentialStore,
    *,
    region: str,
    now: float,
    bucket_from_host: str | None,
) -> Authentication:
    authorization = request.headers.get("authorization")
    v4_query = sigv4.is_presigned(request.query)
    v2_query = sigv2.is_presigned(request.query)
    if sum((authorization is not None, v4_query, v2_query)) > 1:
        raise InvalidArgument(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature "
            "query string parameter or the Authorization header should be specified",
            ArgumentName="Authorization",
            ArgumentValue=authorization or "",
        )
    if authorization is not None:
        scheme = authorization.strip().partition(" ")[0]
        if scheme == sigv4.ALGORITHM:
            return await verify_v4.verify_header(request, credentials, region=region, now=now)
        if scheme == sigv2.ALGORITHM:
            return await verify_v2.verify_header(
                request, credentials, region=region, now=now, bucket_from_host=bucket_from_host
            )
        raise InvalidArgument(
            "Unsupported Authorization Type", ArgumentName="Authorization", ArgumentValue=authorization
        )
    if v4_query:
        return await verify_v4.verify_query(request, credentials, region=region, now=now)
    if v2_query:
        return await verify_v2.verify_query(
            request, credentials, region=region, now=now, bucket_from_host=bucket_from_host
        )
    # Anonymous requests may still ask for a body check (or send an unsigned aws-chunked body).
    content_sha256 = request.headers.get("x-amz-content-sha256")
    return anonymous(region, payload_check(content_sha256, request.headers, signing=None))
