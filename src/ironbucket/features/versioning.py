"""S3 Versioning: bucket states, version ids, and what a write or a delete does to a key's history.

A bucket is unversioned ("", never enabled), ``Enabled`` or ``Suspended``; once enabled it
never goes back to unversioned. Which version id a write gets follows from the state alone:
``Enabled`` makes a new, unique id; otherwise the write is the ``null`` version, replacing the
key's existing ``null`` version wherever it sits in the history and keeping every other one.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html

The delete rules live here, not in the handlers, so that the property test in
``tests/unit/features/test_versioning_model.py`` drives exactly the code the server runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from ironbucket.errors import InvalidArgument, InvalidBucketState, MalformedXML
from ironbucket.storage.interfaces import (
    NULL_VERSION,
    Bucket,
    MetadataStore,
    ObjectVersion,
    WritePrecondition,
)

UNVERSIONED, ENABLED, SUSPENDED = "", "Enabled", "Suspended"
MFA_HEADER = "x-amz-mfa"

# Called inside the committing transaction with a version about to be removed for good (or
# replaced in place); raising refuses the whole mutation. Object Lock plugs its check in here.
VersionGuard = Callable[[ObjectVersion], None]


def new_version_id() -> str:
    """Opaque and unique: 192 random bits, URL-safe (never needs escaping in a query), and never
    starting with "-", which command-line tools would read as an option (`--version-id -abc`)."""
    while True:
        found = secrets.token_urlsafe(24)
        if found[0] != "-":
            return found


_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
ID_LENGTH = 32


def check_version_id(value: str, argument: str = "versionId") -> None:
    """Refuse what cannot be a version id of ours, as S3 does (400, not NoSuchVersion)."""
    if value == NULL_VERSION:
        return
    if len(value) != ID_LENGTH or not _ID_CHARS.issuperset(value):
        message = ("Version id cannot be the empty string" if value == ""
                   else "Invalid version id specified")
        raise InvalidArgument(message, ArgumentName=argument, ArgumentValue=value)


def is_version_id(value: str) -> bool:
    try:
        check_version_id(value)
    except InvalidArgument:
        return False
    return True


def write_version_id(state: str) -> str:
    """The id a new object version written into a bucket in ``state`` gets."""
    return new_version_id() if state == ENABLED else NULL_VERSION


def is_versioned(state: str) -> bool:
    """Whether responses carry ``x-amz-version-id`` (any bucket that was ever enabled)."""
    return state != UNVERSIONED


# --- PutBucketVersioning ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class VersioningRequest:
    status: str | None  # None: the document leaves the state as it is
    mfa_delete: str | None


def validate_request(status: str | None, mfa_delete: str | None) -> VersioningRequest:
    """The ``Status`` and ``MfaDelete`` of a PutBucketVersioning document (None when absent).
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html"""
    if status is not None and status not in (ENABLED, SUSPENDED):
        raise MalformedXML()
    if mfa_delete is not None and mfa_delete not in ("Enabled", "Disabled"):
        raise MalformedXML()
    return VersioningRequest(status, mfa_delete)


def next_state(bucket: Bucket, request: VersioningRequest, mfa_header: str | None = None) -> str:
    """The state after ``request``, or the error AWS gives for it. ``MfaDelete`` and the
    ``x-amz-mfa`` header (``mfa_header``) are checked by ``api/mfa_delete.py``, which needs the
    caller and the device store."""
    if request.status is None:
        return bucket.versioning
    if request.status == SUSPENDED and bucket.object_lock:
        raise InvalidBucketState("An Object Lock configuration is present on this bucket, so the "
                                 "versioning state cannot be changed.")
    return request.status


# --- deleting -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Deletion:
    """What a DeleteObject did: the id for ``x-amz-version-id`` (None: no header) and whether a
    delete marker was created or removed (``x-amz-delete-marker: true``)."""

    version_id: str | None
    delete_marker: bool
    freed: tuple[str, ...]


async def delete(meta: MetadataStore, bucket: Bucket, key: str, version_id: str | None, *,
                 owner_account_id: str, now: float, precondition: WritePrecondition | None = None,
                 guard: VersionGuard | None = None) -> Deletion:
    """DeleteObject's effect on ``key``. With a version id: that version goes for good (a missing
    one is no error). Without: an unversioned bucket loses the ``null`` version; a versioned one
    gets a delete marker on top, keeping every earlier version (when suspended, the marker is the
    ``null`` version and so replaces an existing ``null`` version)."""
    if version_id is not None or bucket.versioning == UNVERSIONED:
        target = NULL_VERSION if version_id is None else version_id
        removed, freed = await meta.delete_version(bucket.name, key, target, precondition, guard=guard)
        marker = removed is not None and removed.is_delete_marker
        return Deletion(version_id, marker, tuple(freed))
    marker_version = ObjectVersion(bucket=bucket.name, key=key,
                                   version_id=write_version_id(bucket.versioning), last_modified=now,
                                   owner_account_id=owner_account_id, is_delete_marker=True)
    freed = await meta.put_version(marker_version, precondition, guard=guard)
    return Deletion(marker_version.version_id, True, tuple(freed))
