"""AWS Signature Version 2 for S3 (HMAC-SHA1): the pure parts.

Still sent by older tools and by boto3's ``generate_presigned_url`` with ``signature_version='s3'``.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from ironbucket.errors import AccessDenied, InvalidArgument

ALGORITHM = "AWS"

# The query parameters that name a sub-resource (or override a response header) and therefore
# belong to the CanonicalizedResource; every other parameter is left out.
SUBRESOURCES = frozenset(
    {
        "accelerate",
        "acl",
        "analytics",
        "attributes",
        "cors",
        "delete",
        "encryption",
        "intelligent-tiering",
        "inventory",
        "legal-hold",
        "lifecycle",
        "location",
        "logging",
        "metrics",
        "notification",
        "object-lock",
        "ownershipControls",
        "partNumber",
        "policy",
        "policyStatus",
        "publicAccessBlock",
        "replication",
        "requestPayment",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "response-content-language",
        "response-content-type",
        "response-expires",
        "restore",
        "retention",
        "select",
        "select-type",
        "tagging",
        "torrent",
        "uploadId",
        "uploads",
        "versionId",
        "versioning",
        "versions",
        "website",
    }
)

_FOLD = re.compile(r"[ \t]*\r?\n[ \t]*")


def canonical_amz_headers(headers: Mapping[str, str]) -> str:
    """Every ``x-amz-*`` header as ``name:value\\n``, sorted by (lower-case) name, folded lines
    unfolded and the value trimmed. Repeated headers arrive already joined with ``,``."""
    amz = sorted(
        (name.lower(), value) for name, value in headers.items() if name.lower().startswith("x-amz-")
    )
    return "".join(f"{name}:{_FOLD.sub(' ', value).strip()}\n" for name, value in amz)


def canonical_resource(raw_path: str, query_string: str, *, bucket_from_host: str | None,
                       documented: bool = False) -> str:
    """``/bucket`` (virtual-host requests) + the path as sent + the sorted sub-resources.

    Sub-resource values are decoded; a parameter sent without ``=`` is signed without it, as the
    SDKs sign what they send (``?acl`` vs ``?acl=``). ``documented``: the S3 guide's literal rule
    instead, which other clients (rclone, goamz) follow: a path-style ``/bucket`` stays as sent
    and a sub-resource with an empty value is named bare (``?uploads=`` signs as ``?uploads``).
    """
    path = raw_path or "/"
    resource = f"/{bucket_from_host}{path}" if bucket_from_host else path
    if not documented and resource.count("/") == 1 and resource != "/":
        # A path-style request for a bucket ("/bucket") names the resource "/bucket/"; SDKs
        # sign that form (botocore's authPath) and S3 expects it.
        resource += "/"
    selected: list[tuple[str, str]] = []
    for part in query_string.split("&") if query_string else ():
        name, sep, value = part.partition("=")
        if name in SUBRESOURCES:
            bare = not sep or (documented and not value)
            selected.append((name, name if bare else f"{name}={unquote(value)}"))
    if selected:
        selected.sort(key=lambda item: item[0])  # stable: repeats keep their order
        resource += "?" + "&".join(text for _, text in selected)
    return resource


def string_to_sign(
    method: str,
    *,
    content_md5: str,
    content_type: str,
    date: str,
    amz_headers: Mapping[str, str],
    resource: str,
) -> str:
    return f"{method}\n{content_md5}\n{content_type}\n{date}\n{canonical_amz_headers(amz_headers)}{resource}"


def sign(secret_access_key: str, message: str) -> str:
    digest = hmac.new(secret_access_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signatures_equal(expected: str, provided: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii"), provided.encode("ascii", "replace"))


# --- parsers --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class HeaderSignature:
    access_key_id: str
    signature: str


def parse_authorization_header(value: str) -> HeaderSignature:
    """``AWS AKID:base64signature``."""
    algorithm, _, credential = value.strip().partition(" ")
    access_key_id, sep, signature = credential.strip().rpartition(":")
    if algorithm != ALGORITHM or not sep or not access_key_id or not signature:
        raise InvalidArgument(
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            ArgumentName="Authorization",
            ArgumentValue=value,
        )
    return HeaderSignature(access_key_id, signature)


@dataclass(frozen=True, slots=True)
class QuerySignature:
    access_key_id: str
    signature: str
    expires: int  # epoch seconds


def is_presigned(query: Mapping[str, str]) -> bool:
    return "AWSAccessKeyId" in query or "Signature" in query


def parse_presigned_query(query: Mapping[str, str]) -> QuerySignature:
    access_key_id = query.get("AWSAccessKeyId", "")
    signature = query.get("Signature", "")
    expires = query.get("Expires", "")
    if not access_key_id or not signature or not expires:
        raise AccessDenied(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
        )
    if not expires.isdigit() or len(expires) > 12:
        raise AccessDenied("Invalid date (should be seconds since epoch): " + expires)
    return QuerySignature(access_key_id, signature, int(expires))
