"""The ``x-amz-copy-source`` header: ``[/]bucket/key[?versionId=id]``, URL-encoded."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from ironbucket.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class CopySource:
    bucket: str
    key: str
    version_id: str | None


def parse_copy_source(header: str) -> CopySource:
    path, _, query = header.partition("?")
    try:
        path = unquote(path, errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidArgument("Invalid copy source encoding", ArgumentName="x-amz-copy-source") from exc
    bucket, sep, key = path.lstrip("/").partition("/")
    if not bucket or not sep or not key:
        raise InvalidArgument(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            ArgumentName="x-amz-copy-source", ArgumentValue=header,
        )
    version_id = None
    if query:
        name, _, value = query.partition("=")
        if name != "versionId" or not value:
            raise InvalidArgument("Invalid copy source version id", ArgumentName="x-amz-copy-source")
        version_id = unquote(value)
    return CopySource(bucket=bucket, key=key, version_id=version_id)
