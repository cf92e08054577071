"""The condition keys of a request, as policies see them (names lower-cased).

Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
S3 keys: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html

Identity and network facts come from the connection and the authenticated principal, never
from what the client claims: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only
when the connection comes from a configured trusted proxy.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl

from ironbucket.auth.authentication import Authentication
from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.http.request import Request

Keys = dict[str, tuple[str, ...]]

# Headers that become s3:<header> condition keys when present.
_HEADER_KEYS = ("x-amz-acl", "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id",
                "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-storage-class",
                "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp",
                "x-amz-grant-full-control", "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                "x-amz-object-lock-legal-hold", "x-amz-content-sha256")
_HEADER_KEY_NAMES = {name: f"s3:{name}" for name in _HEADER_KEYS}
_QUERY_KEYS = {"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys",
               "versionId": "s3:versionid"}


@lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)


def _in(address: str, cidrs: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(cidrs))


def client_facts(request: Request, trusted_proxies: tuple[str, ...]) -> tuple[str, bool]:
    """(source IP, over TLS) — through trusted proxies only, from their forwarding headers."""
    source, secure = request.client_ip, request.scheme == "https"
    if not trusted_proxies or not _in(source, trusted_proxies):
        return source, secure
    forwarded = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # The right-most address not belonging to a trusted proxy is the client.
    while forwarded and _in(forwarded[-1], trusted_proxies):
        forwarded.pop()
    if forwarded:
        source = forwarded[-1]
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto in ("http", "https"):
        secure = proto == "https"
    return source, secure


def direct_tls_version(request: Request, trusted_proxies: tuple[str, ...]) -> str | None:
    """The TLS version the client negotiated with us. Behind a trusted proxy the connection is
    the proxy's, which tells nothing about the client's TLS: the key is then absent."""
    if request.tls_version is None or (trusted_proxies and _in(request.client_ip, trusted_proxies)):
        return None
    return request.tls_version


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


_CLOCK: tuple[int, Keys] = (-1, {})


def _clock_keys(now: float) -> Keys:
    """aws:CurrentTime and aws:EpochTime, formatted once per second."""
    global _CLOCK
    second = int(now)
    if _CLOCK[0] != second:
        _CLOCK = (second, {"aws:currenttime": (_iso(second),), "aws:epochtime": (str(second),)})
    return _CLOCK[1]


# id(principal) -> (principal, its keys): authentication hands back the same Principal object
# for the same credentials, so its keys are built once (kept alive so the id stays unique).
_PRINCIPAL_KEYS: dict[int, tuple[Principal, Keys]] = {}


def principal_keys(principal: Principal, now: float) -> Keys:
    known = _PRINCIPAL_KEYS.get(id(principal))
    if known is not None and known[0] is principal:
        keys = dict(known[1])
    else:
        keys = _principal_keys(principal)
        if len(_PRINCIPAL_KEYS) >= 4096:
            _PRINCIPAL_KEYS.clear()
        _PRINCIPAL_KEYS[id(principal)] = (principal, dict(keys))
    session = principal.session
    if session is not None and session.mfa_authenticated and session.mfa_authenticated_at is not None:
        keys["aws:multifactorauthage"] = (str(int(now - session.mfa_authenticated_at)),)
    return keys


def _principal_keys(principal: Principal) -> Keys:
    keys: Keys = {}
    if principal.is_anonymous:
        keys["aws:principaltype"] = ("Anonymous",)
        keys["aws:userid"] = ("anonymous",)
        return keys
    keys["aws:principaltype"] = (principal.type.value,)
    if principal.type is PrincipalType.SERVICE:
        # A service principal has no account, ARN or user id: it brings the resource it acts for.
        keys["aws:principalservicename"] = (principal.arn,)
        keys["aws:principalisawsservice"] = ("true",)
        if principal.source_arn:
            keys["aws:sourcearn"] = (principal.source_arn,)
        if principal.source_account:
            keys["aws:sourceaccount"] = (principal.source_account,)
        return keys
    keys["aws:principalisawsservice"] = ("false",)
    if principal.account_id:
        keys["aws:principalaccount"] = (principal.account_id,)
    keys["aws:userid"] = (principal.user_id,)
    session = principal.session
    if principal.type is PrincipalType.ASSUMED_ROLE and session and session.role_arn:
        keys["aws:principalarn"] = (session.role_arn,)  # AWS gives the role, not the session
    else:
        keys["aws:principalarn"] = (principal.arn,)
    if principal.username is not None and principal.type is PrincipalType.USER:
        keys["aws:username"] = (principal.username,)
    for name, value in principal.tags.items():
        keys[f"aws:principaltag/{name.lower()}"] = (value,)
    if session is not None:
        keys["aws:tokenissuetime"] = (_iso(session.issued_at),)
        keys["aws:multifactorauthpresent"] = ("true" if session.mfa_authenticated else "false",)
        if session.source_identity:
            keys["aws:sourceidentity"] = (session.source_identity,)
    return keys


def request_keys(request: Request, auth: Authentication, *, now: float, trusted_proxies: tuple[str, ...],
                 resource_account: str | None) -> Keys:
    source_ip, secure = client_facts(request, trusted_proxies)
    keys = principal_keys(auth.principal, now)
    keys.update(_clock_keys(now))
    keys["aws:securetransport"] = ("true" if secure else "false",)
    endpoint = request.endpoint
    if endpoint is None:
        keys["aws:sourceip"] = (source_ip,)
    else:  # as on AWS: through a VPC endpoint, the VPC facts replace aws:SourceIp
        keys["aws:sourcevpce"] = (endpoint.id,)
        keys["aws:sourcevpc"] = (endpoint.vpc,)
        keys["aws:vpcsourceip"] = (source_ip,)
    tls_version = direct_tls_version(request, trusted_proxies)
    if tls_version is not None:
        keys["s3:tlsversion"] = (tls_version,)
    headers = request.headers
    if "user-agent" in headers:
        keys["aws:useragent"] = (headers["user-agent"],)
    if "referer" in headers:
        keys["aws:referer"] = (headers["referer"],)
    if auth.signature_version is not None:
        keys["s3:signatureversion"] = ("AWS4-HMAC-SHA256" if auth.signature_version.startswith("AWS4")
                                       else "AWS",)
        keys["s3:authtype"] = (auth.auth_type,)
    if auth.signature_age_ms is not None:
        keys["s3:signatureage"] = (str(auth.signature_age_ms),)
    if resource_account:
        keys["s3:resourceaccount"] = (resource_account,)
    for name in _HEADER_KEY_NAMES.keys() & headers.keys():
        keys[_HEADER_KEY_NAMES[name]] = (headers[name],)
    query = request.query
    for param in _QUERY_KEYS.keys() & query.keys():
        keys[_QUERY_KEYS[param]] = (query[param],)
    tagging = headers.get("x-amz-tagging")
    if tagging is not None:
        add_tags(keys, "s3:requestobjecttag", "s3:requestobjecttagkeys", parse_qsl(tagging))
    if "x-amz-object-lock-mode" in headers or "x-amz-object-lock-legal-hold" in headers:
        keys.update(object_lock_keys(headers, now))
    return keys


def object_lock_keys(headers: Mapping[str, str], now: float) -> Keys:
    """s3:object-lock-* keys of a write's lock headers (PutObjectRetention and
    PutObjectLegalHold add theirs from the request body, in the handler).
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html"""
    keys: Keys = {}
    mode, until = headers.get("x-amz-object-lock-mode"), headers.get("x-amz-object-lock-retain-until-date")
    if mode is not None:
        keys["s3:object-lock-mode"] = (mode,)
    if until is not None:
        keys["s3:object-lock-retain-until-date"] = (until,)
        try:
            parsed = datetime.fromisoformat(until.strip())
            left: float | None = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() - now
        except ValueError:
            left = None
        if left is not None:
            keys["s3:object-lock-remaining-retention-days"] = (str(max(0, math.ceil(left / 86400))),)
    hold = headers.get("x-amz-object-lock-legal-hold")
    if hold is not None:
        keys["s3:object-lock-legal-hold"] = (hold,)
    return keys


def add_tags(keys: Keys, prefix: str, keys_key: str, tags: Iterable[tuple[str, str]]) -> None:
    """``prefix/<tag>`` per tag, and the multivalued list of tag keys."""
    names: list[str] = []
    for name, value in tags:
        keys[f"{prefix}/{name.lower()}"] = (value,)
        names.append(name)
    keys[keys_key] = tuple(names)


def existing_object_tags(keys: Keys, tags: Mapping[str, str]) -> None:
    for name, value in tags.items():
        keys[f"s3:existingobjecttag/{name.lower()}"] = (value,)
