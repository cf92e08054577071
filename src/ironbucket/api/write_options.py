"""What a write request says about the object to create (PutObject, CopyObject with REPLACE,
CreateMultipartUpload, PostObject): metadata, tags, storage class — and the settings this
server does not implement yet, which are refused rather than silently stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.features.metadata import storage_class, system_metadata, user_metadata
from ironbucket.features.tagging import parse_tagging_header

# Accepting these would promise behaviour (website redirects) that does not exist yet; AWS's
# own answer for unsupported functionality is NotImplemented. (Object Lock headers are handled
# by api/lock_writes.py, encryption headers by api/encryption.py.)
_UNSUPPORTED_PREFIXES = ("x-amz-website-redirect-location",)


@dataclass(frozen=True, slots=True)
class WriteOptions:
    system_metadata: dict[str, str]
    user_metadata: dict[str, str]
    tags: dict[str, str]
    storage_class: str


def reject_unsupported(headers: Mapping[str, str]) -> None:
    for name in headers:
        if name.startswith(_UNSUPPORTED_PREFIXES):
            raise S3NotImplemented(f"The {name} header is not implemented by this server yet.",
                                 Header=name)


def parse_write_options(headers: Mapping[str, str]) -> WriteOptions:
    reject_unsupported(headers)
    tagging = headers.get("x-amz-tagging")
    return WriteOptions(
        system_metadata=system_metadata(headers),
        user_metadata=user_metadata(headers),
        tags=dict(parse_tagging_header(tagging)) if tagging is not None else {},
        storage_class=storage_class(headers),
    )
