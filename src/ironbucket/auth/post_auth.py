"""Authenticating a browser POST upload from its form fields (the policy is what is signed).

https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/HTTPPOSTForms.html (SigV2)
The caller then holds the form to the policy with :func:`post_policy.check_fields` once it knows
the target bucket and the uploaded file's name.
"""

from __future__ import annotations

from collections.abc import Mapping

from ironbucket.auth import sigv2, sigv4
from ironbucket.auth.authentication import (
    POST,
    Authentication,
    anonymous,
    check_session,
    find_credential,
    signature_age_ms,
)
from ironbucket.auth.credentials import CredentialStore
from ironbucket.auth.payload import UNSIGNED
from ironbucket.auth.post_policy import check_expiration, parse_policy
from ironbucket.auth.streaming import signature_mismatch
from ironbucket.errors import InvalidArgument

_V4_FIELDS = ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "policy")
_V2_FIELDS = ("awsaccesskeyid", "signature", "policy")


def _missing(name: str) -> InvalidArgument:
    return InvalidArgument(
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the "
        "order of the fields.",
        ArgumentName=name,
        ArgumentValue="",
    )


async def authenticate_post_policy(
    fields: Mapping[str, str], credentials: CredentialStore, *, region: str, now: float
) -> Authentication:
    """Verify the signature over the form's ``policy`` (field names are case-insensitive) and
    that the policy has not expired. A form without any signature field is anonymous."""
    form = {name.lower(): value for name, value in fields.items()}
    if any(name in form for name in _V4_FIELDS[:4]):
        return await _post_v4(form, credentials, region=region, now=now)
    if "awsaccesskeyid" in form or "signature" in form:
        return await _post_v2(form, credentials, region=region, now=now)
    # The file of a POST upload is never signed, only the policy is.
    return anonymous(region, UNSIGNED)


async def _post_v4(
    form: Mapping[str, str], credentials: CredentialStore, *, region: str, now: float
) -> Authentication:
    for name in _V4_FIELDS:
        if not form.get(name):
            raise _missing(name)
    if form["x-amz-algorithm"] != sigv4.ALGORITHM:
        raise InvalidArgument(
            f"Only {sigv4.ALGORITHM} is supported",
            ArgumentName="X-Amz-Algorithm",
            ArgumentValue=form["x-amz-algorithm"],
        )
    scope = sigv4.parse_credential(form["x-amz-credential"], error=InvalidArgument, prefix="")
    if scope.region != region:
        raise InvalidArgument(
            f"the region '{scope.region}' is wrong; expecting '{region}'",
            ArgumentName="x-amz-credential",
            ArgumentValue=form["x-amz-credential"],
            Region=region,
        )
    amz_date = form["x-amz-date"]
    signed_at = sigv4.parse_amz_date(amz_date)
    if signed_at is None:
        raise InvalidArgument(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            ArgumentName="x-amz-date",
            ArgumentValue=amz_date,
        )
    if scope.date != amz_date[:8]:
        raise InvalidArgument(
            f'Invalid credential date "{scope.date}". This date is not the same as X-Amz-Date: '
            f'"{amz_date[:8]}".',
            ArgumentName="x-amz-credential",
            ArgumentValue=form["x-amz-credential"],
        )
    credential = await find_credential(credentials, scope.access_key_id)
    key = sigv4.signing_key(credential.secret_access_key, scope.date, scope.region, scope.service)
    policy = form["policy"]
    provided = form["x-amz-signature"]
    if not sigv4.signatures_equal(sigv4.sign(key, policy), provided):
        raise signature_mismatch(scope.access_key_id, policy, provided)
    check_session(credential, form.get("x-amz-security-token"), now)
    check_expiration(parse_policy(policy), now)
    return Authentication(
        principal=credential.principal,
        service=scope.service,
        region=scope.region,
        auth_type=POST,
        signature_version=sigv4.ALGORITHM,
        signature_age_ms=signature_age_ms(signed_at, now),
        access_key_id=scope.access_key_id,
        payload=UNSIGNED,
    )


async def _post_v2(
    form: Mapping[str, str], credentials: CredentialStore, *, region: str, now: float
) -> Authentication:
    for name in _V2_FIELDS:
        if not form.get(name):
            raise _missing("AWSAccessKeyId" if name == "awsaccesskeyid" else name)
    access_key_id = form["awsaccesskeyid"]
    credential = await find_credential(credentials, access_key_id)
    policy = form["policy"]
    provided = form["signature"]
    if not sigv2.signatures_equal(sigv2.sign(credential.secret_access_key, policy), provided):
        raise signature_mismatch(access_key_id, policy, provided)
    check_session(credential, form.get("x-amz-security-token"), now)
    check_expiration(parse_policy(policy), now)
    return Authentication(
        principal=credential.principal,
        service="s3",
        region=region,
        auth_type=POST,
        signature_version=sigv2.ALGORITHM,
        signature_age_ms=None,
        access_key_id=access_key_id,
        payload=UNSIGNED,
    )
