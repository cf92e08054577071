"""The headers that describe a stored object version on GET/HEAD and write responses."""

from __future__ import annotations

from ironbucket.api.common import http_date, quote_etag
from ironbucket.features.sse import Encryption, response_headers
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion

DEFAULT_CONTENT_TYPE = "binary/octet-stream"  # what S3 stores when a PUT names none


def checksum_headers(version: ObjectVersion) -> dict[str, str]:
    if not version.checksum_algorithm or not version.checksum_value:
        return {}
    headers = {f"x-amz-checksum-{version.checksum_algorithm.lower()}": version.checksum_value}
    if version.checksum_type:
        headers["x-amz-checksum-type"] = version.checksum_type
    return headers


def version_headers(version: ObjectVersion, versioned_bucket: bool) -> dict[str, str]:
    if versioned_bucket or version.version_id != NULL_VERSION:
        return {"x-amz-version-id": version.version_id}
    return {}


def object_headers(version: ObjectVersion, *, versioned_bucket: bool,
                   encryption: Encryption | None = None) -> dict[str, str]:
    """A new dict each call. ``encryption``: the version's record, when the caller has it
    parsed already."""
    # Computed once per version and kept with it: a cached version is read again and again.
    memo = _MEMO_KEYS[versioned_bucket]
    known: dict[str, str] | None = version.derived.get(memo)
    if known is None:
        known = version.derived[memo] = _object_headers(version, versioned_bucket, encryption)
    return dict(known)


_MEMO_KEYS = {False: "object_headers", True: "object_headers:versioned"}


def _object_headers(version: ObjectVersion, versioned_bucket: bool,
                    encryption: Encryption | None) -> dict[str, str]:
    headers = {
        "last-modified": http_date(version.last_modified),
        "etag": quote_etag(version.etag),
        "accept-ranges": "bytes",
        "content-type": version.system_metadata.get("content-type", DEFAULT_CONTENT_TYPE),
    }
    for name, value in version.system_metadata.items():
        if name != "content-type":
            headers[name] = value
    for name, value in version.user_metadata.items():
        headers[f"x-amz-meta-{name}"] = value
    if version.tags:
        headers["x-amz-tagging-count"] = str(len(version.tags))
    if version.storage_class != "STANDARD":
        headers["x-amz-storage-class"] = version.storage_class
    if encryption is None:
        encryption = Encryption.from_extra(version.extra)
    if encryption is not None:
        headers.update(response_headers(encryption))
    headers.update(version_headers(version, versioned_bucket))
    return headers
