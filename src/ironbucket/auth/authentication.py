"""The result of authentication, and the checks every signature version shares."""

from __future__ import annotations

import hmac
from datetime import UTC
from email.utils import parsedate_to_datetime

from ironbucket.auth import sigv4
from ironbucket.auth.credentials import Credential, CredentialStore
from ironbucket.auth.payload import PayloadCheck
from ironbucket.auth.principal import ANONYMOUS, Principal
from ironbucket.errors import ExpiredToken, InvalidAccessKeyId, InvalidToken, RequestTimeTooSkewed
from ironbucket.values import value_class

# Values of the s3:authType condition key.
# https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html
REST_HEADER = "REST-HEADER"
REST_QUERY_STRING = "REST-QUERY-STRING"
POST = "POST"

MAX_SKEW_SECONDS = 15 * 60


@value_class  # frozen to mypy; see ironbucket/values.py
class Authentication:
    principal: Principal
    service: str  # from the credential scope ("s3" for SigV2 and anonymous requests)
    region: str
    auth_type: str  # s3:authType; "" for anonymous requests
    signature_version: str | None  # "AWS4-HMAC-SHA256" | "AWS" | None (anonymous)
    signature_age_ms: int | None  # s3:signatureAge; None when the signing time is unknown
    access_key_id: str | None
    payload: PayloadCheck

    @property
    def is_anonymous(self) -> bool:
        return self.principal.is_anonymous


def anonymous(region: str, payload: PayloadCheck) -> Authentication:
    return Authentication(
        principal=ANONYMOUS,
        service="s3",
        region=region,
        auth_type="",
        signature_version=None,
        signature_age_ms=None,
        access_key_id=None,
        payload=payload,
    )


async def find_credential(store: CredentialStore, access_key_id: str) -> Credential:
    credential = await store.lookup(access_key_id)
    # A deactivated key answers exactly like an unknown one: nothing to learn by probing.
    if credential is None or not credential.active:
        raise InvalidAccessKeyId(AWSAccessKeyId=access_key_id)
    return credential


def check_session(credential: Credential, token: str | None, now: float) -> None:
    """Temporary credentials need their exact session token; long-term keys take none."""
    expected = credential.session_token
    if expected is None:
        if token:
            raise InvalidToken(**{"Token-0": token})
    elif not token or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        raise InvalidToken(**({"Token-0": token} if token else {}))
    if credential.expires_at is not None and now >= credential.expires_at:
        raise ExpiredToken(**({"Token-0": token} if token else {}))


def check_skew(request_time: float, raw_time: str, now: float) -> None:
    if abs(now - request_time) > MAX_SKEW_SECONDS:
        raise RequestTimeTooSkewed(
            RequestTime=raw_time,
            ServerTime=sigv4.format_iso8601(now),
            MaxAllowedSkewMilliseconds=str(MAX_SKEW_SECONDS * 1000),
        )


def signature_age_ms(request_time: float, now: float) -> int:
    return max(0, int((now - request_time) * 1000))


def parse_http_date(value: str) -> float | None:
    """An RFC 1123 ``Date`` (``Fri, 24 May 2013 00:00:00 GMT``) → epoch seconds, or None."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
