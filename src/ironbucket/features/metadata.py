"""Object metadata from request headers: user ``x-amz-meta-*``, system headers, directives,
storage class, and GetObject's ``response-*`` overrides.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
     https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (directives)
     https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (response-* overrides)

Header names arrive lower-case (see ``ironbucket.http.request.Headers``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from ironbucket.errors import InvalidArgument, InvalidStorageClass, MetadataTooLarge

# Values that go back out as response headers: CR or LF would split the response (header
# injection), NUL is never valid. Request headers cannot hold them; form fields and URL-decoded
# query parameters can.
_UNSENDABLE = frozenset("\r\n\x00")

USER_METADATA_PREFIX = "x-amz-meta-"
MAX_USER_METADATA_BYTES = 2048

# The user-settable system headers S3 stores and returns with the object.
SYSTEM_METADATA_HEADERS = (
    "content-type",
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
)

STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
        "OUTPOSTS",
        "EXPRESS_ONEZONE",
        "SNOW",
    }
)

# GetObject query parameter -> the response header it overrides.
RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}


def user_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    """``x-amz-meta-*`` as ``{name-without-prefix: value}``; MetadataTooLarge above 2 KB.

    UsingMetadata.html: "the user-defined metadata is limited to 2 KB ... measured by taking the
    sum of the number of bytes in the UTF-8 encoding of each key and value". Decision: the key
    is counted without its ``x-amz-meta-`` prefix, the name the object keeps it under.
    """
    metadata = {
        name[len(USER_METADATA_PREFIX) :]: value
        for name, value in headers.items()
        if name.startswith(USER_METADATA_PREFIX)
    }
    for name, value in metadata.items():
        require_sendable(USER_METADATA_PREFIX + name, value)
    size = user_metadata_size(metadata)
    if size > MAX_USER_METADATA_BYTES:
        raise MetadataTooLarge(Size=str(size), MaxSizeAllowed=str(MAX_USER_METADATA_BYTES))
    return metadata


def user_metadata_size(metadata: Mapping[str, str]) -> int:
    return sum(
        len(name.encode("utf-8", "surrogateescape")) + len(value.encode("utf-8", "surrogateescape"))
        for name, value in metadata.items()
    )


def system_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    """The system headers sent, lower-case names, values as sent.

    ``aws-chunked`` is a transfer coding of SigV4 streaming uploads, not the object's: S3 drops
    it from Content-Encoding (sigv4-streaming.html), and drops the header if nothing is left.
    """
    metadata = {name: headers[name] for name in SYSTEM_METADATA_HEADERS if name in headers}
    for name, value in metadata.items():
        require_sendable(name, value)
    if "content-encoding" in metadata:
        codings = [c.strip() for c in metadata["content-encoding"].split(",")]
        kept = [c for c in codings if c and c.lower() != "aws-chunked"]
        if kept:
            metadata["content-encoding"] = ",".join(kept)
        else:
            del metadata["content-encoding"]
    return metadata


class Directive(enum.Enum):
    COPY = "COPY"
    REPLACE = "REPLACE"


def metadata_directive(headers: Mapping[str, str]) -> Directive:
    """CopyObject's ``x-amz-metadata-directive`` (COPY when absent)."""
    return _directive(headers, "x-amz-metadata-directive", "Unknown metadata directive.")


def tagging_directive(headers: Mapping[str, str]) -> Directive:
    """CopyObject's ``x-amz-tagging-directive`` (COPY when absent)."""
    return _directive(headers, "x-amz-tagging-directive", "Unknown tagging directive.")


def _directive(headers: Mapping[str, str], name: str, message: str) -> Directive:
    value = headers.get(name)
    if value is None:
        return Directive.COPY
    try:
        return Directive(value)
    except ValueError:
        raise InvalidArgument(message, ArgumentName=name, ArgumentValue=value) from None


def storage_class(headers: Mapping[str, str]) -> str:
    """``x-amz-storage-class`` (STANDARD when absent), or InvalidStorageClass."""
    value = headers.get("x-amz-storage-class")
    if value is None:
        return "STANDARD"
    if value not in STORAGE_CLASSES:
        raise InvalidStorageClass(StorageClassRequested=value)
    return value


_OVERRIDE_PARAMS = frozenset(RESPONSE_OVERRIDES)


def response_overrides(query: Mapping[str, str]) -> dict[str, str]:
    """GetObject/HeadObject ``response-*`` query parameters as ``{Header-Name: value}``.

    S3 refuses these on anonymous requests (InvalidRequest); the caller, which knows the
    principal, checks that before applying them.
    """
    if _OVERRIDE_PARAMS.isdisjoint(query):  # the usual case, decided in C
        return {}
    overrides = {header: query[param] for param, header in RESPONSE_OVERRIDES.items() if param in query}
    for name, value in overrides.items():
        require_sendable(name, value)
    return overrides


def require_sendable(name: str, value: str) -> None:
    """InvalidArgument for a value that would be sent back as a header but cannot be one."""
    if not _UNSENDABLE.isdisjoint(value):
        raise InvalidArgument("Header values cannot contain CR, LF or NUL characters.", ArgumentName=name)
