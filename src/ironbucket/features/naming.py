"""Which bucket names and object keys S3 accepts.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html (general purpose)
     https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
"""

from __future__ import annotations

import re

from ironbucket.errors import (
    InvalidBucketName,
    InvalidObjectName,
    KeyTooLongError,
    S3Error,
    UserKeyMustBeSpecified,
)

MAX_KEY_BYTES = 1024

# Dot-separated labels of lowercase letters, digits and hyphens, each starting and ending with a
# letter or digit. That is the documented "begin and end with a letter or number" and "no two
# adjacent periods", plus no "-." / ".-": the documentation dropped that rule, but S3 still
# refuses such names (ceph s3-tests test_bucket_create_naming_dns_dash_dot, run against AWS),
# and they are not valid DNS labels for virtual-hosted addressing.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_BUCKET = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_IP_ADDRESS = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")

# Prefixes and suffixes reserved for S3 features (access point aliases, Object Lambda,
# Multi-Region Access Points, directory buckets, table buckets, documentation examples).
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def is_valid_bucket_name(name: str) -> bool:
    return (
        3 <= len(name) <= 63
        and name.isascii()
        and _BUCKET.fullmatch(name) is not None
        and _IP_ADDRESS.fullmatch(name) is None
        and not name.startswith(RESERVED_PREFIXES)
        and not name.endswith(RESERVED_SUFFIXES)
    )


def validate_bucket_name(name: str) -> None:
    """InvalidBucketName (with <BucketName>) unless ``name`` follows the general purpose rules."""
    if not is_valid_bucket_name(name):
        raise InvalidBucketName(BucketName=name)


def validate_object_key(key: str, *, empty: type[S3Error] = UserKeyMustBeSpecified) -> None:
    """Refuse keys S3 cannot store: empty, or over 1024 bytes of UTF-8.

    Everything else is data, never a path: ``../x``, ``a//b``, ``\\``, NUL and control
    characters are valid keys (object-keys.html lists them as "characters that might require
    special handling", not as forbidden). ``empty`` is the error the calling operation answers
    for an empty key (DeleteObjects: UserKeyMustBeSpecified; CopyObject's source: InvalidArgument).
    """
    if not key:
        raise empty()
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        # A lone surrogate (from a broken percent-encoding) has no UTF-8 form to store.
        raise InvalidObjectName() from None
    if size > MAX_KEY_BYTES:
        raise KeyTooLongError(Size=str(size), MaxSizeAllowed=str(MAX_KEY_BYTES))
