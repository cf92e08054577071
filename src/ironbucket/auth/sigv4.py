"""AWS Signature Version 4: the pure parts (canonical forms, keys, signatures, parsers).

Nothing here does I/O or looks up credentials; :mod:`ironbucket.auth.authenticate` glues it to a
request. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
S3 specifics: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote_from_bytes, unquote_to_bytes

from ironbucket.errors import AuthorizationHeaderMalformed, AuthorizationQueryParametersError, S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_CREDENTIAL_DATE = re.compile(r"\d{8}")
_WHITESPACE_RUN = re.compile(r"[ \t\r\n]+")
_CREDENTIAL_SHAPE = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"'


# --- canonical request ----------------------------------------------------------------------------
def uri_encode(data: str | bytes, *, keep_slash: bool = False) -> str:
    """Percent-encode every byte except the unreserved ones (and ``/`` in paths), with
    upper-case hex — exactly ``quote_from_bytes``, whose C-speed fast path handles the common
    all-unreserved case."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return quote_from_bytes(raw, safe=b"/" if keep_slash else b"")


def _remove_dot_segments(path: bytes) -> bytes:
    """RFC 3986 §5.2.4 plus empty-segment removal, as the generic (non-S3) signers normalise."""
    out: list[bytes] = []
    for segment in path.split(b"/"):
        if segment in (b"", b"."):
            continue
        if segment == b"..":
            if out:
                out.pop()
            continue
        out.append(segment)
    normalized = b"/" + b"/".join(out)
    trailing = path.endswith((b"/", b"/.", b"/..")) and out
    return normalized + b"/" if trailing else normalized


def canonical_uri(path: str | bytes, *, normalize: bool = False) -> str:
    """The CanonicalURI of a *decoded* path.

    S3 encodes each byte once and never normalises: ``/a/./b`` and ``/a//b`` name other keys than
    ``/a/b``. ``normalize=True`` exists only to check the generic signing test suite.
    """
    raw = path.encode("utf-8") if isinstance(path, str) else path
    if not raw.startswith(b"/"):
        raw = b"/" + raw
    if normalize:
        raw = _remove_dot_segments(raw)
    return uri_encode(raw, keep_slash=True)


def canonical_query(items: Iterable[tuple[str | bytes, str | bytes]]) -> str:
    """Decoded (name, value) pairs → CanonicalQueryString: encoded, sorted by name then value."""
    pairs = sorted((uri_encode(name), uri_encode(value)) for name, value in items)
    return "&".join(f"{name}={value}" for name, value in pairs)


@lru_cache(maxsize=8192)
def _canonical_component(raw: str) -> str:
    # Query names and most values repeat from request to request (X-Amz-Algorithm,
    # credentials, sub-resources), so their canonical forms are remembered.
    return quote_from_bytes(unquote_to_bytes(raw), safe=b"")


def canonical_query_string(query_string: str, *, exclude: Sequence[str] = ()) -> str:
    """A raw query string → CanonicalQueryString, dropping ``exclude`` names. Same result as
    ``canonical_query(query_pairs(...))``; ``exclude`` names must be unreserved characters only,
    so comparing their canonical form is comparing their decoded form."""
    pairs: list[tuple[str, str]] = []
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        canonical_name = _canonical_component(name)
        if canonical_name not in exclude:
            pairs.append((canonical_name, _canonical_component(value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def query_pairs(query_string: str, *, exclude: Sequence[str] = ()) -> list[tuple[bytes, bytes]]:
    """Split a raw query string into byte-exact decoded pairs (``+`` stays ``+`` as in the
    request parser), dropping the names in ``exclude`` (e.g. ``X-Amz-Signature``)."""
    pairs: list[tuple[bytes, bytes]] = []
    skip = {name.encode() for name in exclude}
    for part in query_string.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        raw_name = unquote_to_bytes(name)
        if raw_name not in skip:
            pairs.append((raw_name, unquote_to_bytes(value)))
    return pairs


def canonical_header_value(value: str) -> str:
    """Trim, and collapse inner whitespace runs (incl. obsolete line folding) to one space."""
    return _WHITESPACE_RUN.sub(" ", value).strip(" ")


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str:
    """The CanonicalHeaders block (each line ends with ``\\n``). A signed header that is absent
    contributes an empty value: the signature then simply does not match."""
    return "".join(f"{name}:{canonical_header_value(headers.get(name, ''))}\n" for name in signed_headers)


def canonical_request(
    method: str,
    uri: str,
    query: str,
    *,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    payload_hash: str,
) -> str:
    return "\n".join(
        (
            method,
            uri,
            query,
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            payload_hash,
        )
    )


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def string_to_sign(amz_date: str, scope: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{sha256_hex(canonical)}"


def chunk_string_to_sign(amz_date: str, scope: str, previous_signature: str, chunk_sha256: str) -> str:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html"""
    return f"{ALGORITHM}-PAYLOAD\n{amz_date}\n{scope}\n{previous_signature}\n{EMPTY_SHA256}\n{chunk_sha256}"


def trailer_string_to_sign(amz_date: str, scope: str, previous_signature: str, trailer_sha256: str) -> str:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html"""
    return f"{ALGORITHM}-TRAILER\n{amz_date}\n{scope}\n{previous_signature}\n{trailer_sha256}"


# --- keys and signatures --------------------------------------------------------------------------
def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


@lru_cache(maxsize=256)
def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning, derived with four HMACs; cached because one key signs a day of requests.
    The cache holds secrets in memory only (never logged, never in a repr)."""
    k_date = _hmac(f"AWS4{secret_access_key}".encode(), date)
    return _hmac(_hmac(_hmac(k_date, region), service), TERMINATOR)


def sign(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def signatures_equal(expected: str, provided: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), provided.encode("ascii", "replace"))


# --- credential scope and dates -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CredentialScope:
    access_key_id: str
    date: str  # yyyyMMdd
    region: str
    service: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


@lru_cache(maxsize=1024)  # pure, and the same credential string arrives all day long
def parse_credential(
    value: str,
    *,
    error: type[S3Error],
    prefix: str,
) -> CredentialScope:
    """``AKID/yyyyMMdd/region/service/aws4_request``; messages as S3 words them."""
    parts = value.split("/")
    if len(parts) != 5 or not all(parts):
        raise error(f"{prefix}the Credential is mal-formed; expecting {_CREDENTIAL_SHAPE}.")
    access_key_id, date, region, service, terminator = parts
    if terminator != TERMINATOR:
        raise error(f'{prefix}incorrect terminal "{terminator}". This endpoint uses "{TERMINATOR}".')
    if not _CREDENTIAL_DATE.fullmatch(date) or _parse_or_none(date + "T000000Z") is None:
        raise error(
            f'{prefix}incorrect date format "{date}". '
            'This date in the credential must be in the format "yyyyMMdd".'
        )
    return CredentialScope(access_key_id, date, region, service)


@lru_cache(maxsize=4096)
def _parse_or_none(value: str) -> float | None:
    # Cached and free of strptime: this runs on every signed request (presigned URLs repeat).
    if not _AMZ_DATE.fullmatch(value):
        return None
    try:
        moment = datetime(int(value[0:4]), int(value[4:6]), int(value[6:8]), int(value[9:11]),
                          int(value[11:13]), int(value[13:15]), tzinfo=UTC)
    except ValueError:
        return None
    return moment.timestamp()


def parse_amz_date(value: str) -> float | None:
    """``yyyyMMdd'T'HHmmss'Z'`` → epoch seconds, or None when malformed."""
    return _parse_or_none(value)


def format_amz_date(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime(AMZ_DATE_FORMAT)


def format_iso8601(epoch: float) -> str:
    """The ``ServerTime``/``Expires`` style of S3 error bodies: ``2013-05-24T00:00:00Z``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the Authorization header ---------------------------------------------------------------------
_HEADER_PREFIX = "The authorization header is malformed; "


@dataclass(frozen=True, slots=True)
class HeaderSignature:
    credential: CredentialScope
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization_header(value: str) -> HeaderSignature:
    """``AWS4-HMAC-SHA256 Credential=.., SignedHeaders=a;b, Signature=hex``."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthorizationHeaderMalformed(f"{_HEADER_PREFIX}the authorization mechanism is not {ALGORITHM}.")
    components: dict[str, str] = {}
    for raw in rest.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, component = item.partition("=")
        if not sep or not component or name in components:
            raise AuthorizationHeaderMalformed(
                f'{_HEADER_PREFIX}the authorization component "{item}" is malformed.'
            )
        components[name] = component
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in components:
            if len(components) != 3:
                raise AuthorizationHeaderMalformed(
                    f"{_HEADER_PREFIX}the authorization header requires three components: "
                    "Credential, SignedHeaders, and Signature."
                )
            raise AuthorizationHeaderMalformed(f"{_HEADER_PREFIX}missing {required}.")
    credential = parse_credential(
        components["Credential"], error=AuthorizationHeaderMalformed, prefix=_HEADER_PREFIX
    )
    return HeaderSignature(
        credential=credential,
        signed_headers=_signed_header_list(components["SignedHeaders"]),
        signature=components["Signature"],
    )


@lru_cache(maxsize=256)
def _signed_header_list(value: str) -> tuple[str, ...]:
    return tuple(name.strip().lower() for name in value.split(";") if name.strip())


# --- presigned query parameters -------------------------------------------------------------------
MAX_PRESIGNED_EXPIRES = 604800  # one week
_QUERY_PREFIX = "Error parsing the X-Amz-Credential parameter; "
_REQUIRED_QUERY = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)


@dataclass(frozen=True, slots=True)
class QuerySignature:
    credential: CredentialScope
    amz_date: str
    expires: int
    signed_headers: tuple[str, ...]
    signature: str
    security_token: str | None


_QUERY_AUTH_NAMES = frozenset(("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"))


def is_presigned(query: Mapping[str, str]) -> bool:
    return not _QUERY_AUTH_NAMES.isdisjoint(query)  # decided in C: every request asks


def parse_presigned_query(query: Mapping[str, str]) -> QuerySignature:
    """https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html"""
    if "X-Amz-Algorithm" in query and query["X-Amz-Algorithm"] != ALGORITHM:
        raise AuthorizationQueryParametersError(f'X-Amz-Algorithm only supports "{ALGORITHM}"')
    if not all(query.get(name) for name in _REQUIRED_QUERY):
        raise AuthorizationQueryParametersError(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
        )
    credential = parse_credential(
        query["X-Amz-Credential"], error=AuthorizationQueryParametersError, prefix=_QUERY_PREFIX
    )
    amz_date = query["X-Amz-Date"]
    if parse_amz_date(amz_date) is None:
        raise AuthorizationQueryParametersError(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        )
    expires = _parse_expires(query["X-Amz-Expires"])
    return QuerySignature(
        credential=credential,
        amz_date=amz_date,
        expires=expires,
        signed_headers=_signed_header_list(query["X-Amz-SignedHeaders"]),
        signature=query["X-Amz-Signature"],
        security_token=query.get("X-Amz-Security-Token"),
    )


def _parse_expires(value: str) -> int:
    text = value.strip()
    if not re.fullmatch(r"-?\d{1,12}", text):
        raise AuthorizationQueryParametersError("X-Amz-Expires should be a number")
    expires = int(text)
    if expires < 0:
        raise AuthorizationQueryParametersError("X-Amz-Expires must be non-negative")
    if expires == 0:
        # AWS documents the range 1..604800; a zero-second URL could never be used.
        raise AuthorizationQueryParametersError("X-Amz-Expires must be at least 1 second")
    if expires > MAX_PRESIGNED_EXPIRES:
        raise AuthorizationQueryParametersError(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
            "must be less than 604800 seconds"
        )
    return expires
