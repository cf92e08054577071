"""The storage contracts. Nothing above ``storage/`` knows which implementation is in use.

* ``MetadataStore`` — accounts, keys, buckets, object versions, multipart uploads, configs.
  Every method is a coroutine; a mutation returns only once it is durable (committed and
  fsync'd). Reads see every mutation acknowledged before they started, on any worker process.
* ``BlobStore`` — object bytes in immutable blobs named by generated ids (never by keys).
  Its methods block; callers run them in a thread.

Blob lifecycle: a writer streams into a temporary file; ``finish()`` makes it durable under its
id; only the metadata commit that references it makes it reachable. A blob that no committed
row references is an orphan, removed by startup recovery. Mutations that drop references
return the freed blob ids; the caller deletes those blobs *after* the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

# Shared through default_factory: Python 3.11 dataclasses refuse an unhashable default.
_EMPTY: Mapping[str, Any] = MappingProxyType({})

NULL_VERSION = "null"


# --- records -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Account:
    account_id: str  # 12 digits
    name: str
    canonical_id: str  # 64 hex characters, shown as Owner/ID
    created_at: float


@dataclass(frozen=True, slots=True)
class AccessKey:
    access_key_id: str
    account_id: str
    # Whose key: "root" for the account root user (IAM users/roles come with IAM).
    owner_kind: str
    owner_name: str
    # The secret, sealed under the server master key; only auth/ unseals it.
    sealed_secret: bytes = field(repr=False)
    active: bool = True
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Bucket:
    name: str
    owner_account_id: str
    region: str
    created_at: float
    versioning: str = ""  # "" (never enabled) | "Enabled" | "Suspended"
    object_lock: bool = False


@dataclass(frozen=True, slots=True)
class Segment:
    """One blob holding a contiguous run of an object's bytes."""

    blob_id: str
    size: int


@dataclass(frozen=True, slots=True)
class PartSummary:
    """A part of a completed multipart object, kept for partNumber GETs and GetObjectAttributes."""

    part_number: int
    size: int
    etag: str
    checksum: str | None = None


@dataclass(frozen=True, slots=True)
class ObjectVersion:
    bucket: str
    key: str
    version_id: str  # NULL_VERSION until versioning exists
    last_modified: float  # epoch seconds
    owner_account_id: str
    size: int = 0
    etag: str = ""  # without quotes: "<md5 hex>" or "<md5 of md5s>-<n>"
    is_delete_marker: bool = False
    is_latest: bool = True  # filled in by the store on reads; ignored on writes
    storage_class: str = "STANDARD"
    # Content-Type, Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires
    # (lower-case names, values as received).
    system_metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    user_metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # without the x-amz-meta- prefix
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    # Flexible checksum: algorithm ("CRC32", ...), base64 value, type ("FULL_OBJECT"/"COMPOSITE").
    checksum_algorithm: str | None = None
    checksum_value: str | None = None
    checksum_type: str | None = None
    parts: tuple[PartSummary, ...] = ()  # empty unless multipart
    # Exactly one of: inline bytes, or blob segments (in object order). Empty objects have neither.
    data: bytes | None = field(default=None, repr=False)
    segments: tuple[Segment, ...] = ()
    # Room for later features (encryption, lock, ACL ...) without a storage change.
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    @property
    def blob_ids(self) -> tuple[str, ...]:
        return tuple(s.blob_id for s in self.segments)


@dataclass(frozen=True, slots=True)
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated_at: float
    owner_account_id: str
    initiator_arn: str
    storage_class: str = "STANDARD"
    system_metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    user_metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class Part:
    upload_id: str
    part_number: int
    size: int
    etag: str
    last_modified: float
    segment: Segment | None  # None only for an empty part
    checksum: str | None = None  # base64 value of the upload's checksum algorithm


@dataclass(frozen=True, slots=True)
class WritePrecondition:
    """Conditional write, checked inside the committing transaction (atomic with the write)."""

    if_none_match_star: bool = False  # the key must have no current object
    if_match_etag: str | None = None  # the current object's ETag (unquoted) must equal this


# --- contracts ---------------------------------------------------------------------------------
class MetadataStore(Protocol):
    # server-wide settings (e.g. which account is the default one)
    async def get_setting(self, name: str) -> str | None: ...
    async def put_setting(self, name: str, value: str) -> None: ...

    # accounts and access keys
    async def create_account(self, account: Account, root_key: AccessKey | None) -> None: ...
    async def get_account(self, account_id: str) -> Account | None: ...
    async def list_accounts(self) -> list[Account]: ...
    async def get_access_key(self, access_key_id: str) -> AccessKey | None: ...
    async def put_access_key(self, key: AccessKey) -> None: ...

    # buckets; create raises BucketAlreadyExists / BucketAlreadyOwnedByYou,
    # delete raises NoSuchBucket / BucketNotEmpty (uploads in progress do not count)
    async def create_bucket(self, bucket: Bucket) -> None: ...
    async def get_bucket(self, name: str) -> Bucket | None: ...
    async def list_buckets(self, owner_account_id: str, prefix: str, start_after: str,
                           limit: int) -> list[Bucket]: ...
    async def delete_bucket(self, name: str) -> list[str]: ...
    async def update_bucket(self, bucket: Bucket) -> None: ...
    # Subresource documents (tagging, policy, cors, ...) as canonical text; None deletes.
    async def get_bucket_config(self, bucket: str, name: str) -> str | None: ...
    async def put_bucket_config(self, bucket: str, name: str, value: str | None) -> None: ...

    # object versions
    async def get_version(self, bucket: str, key: str, version_id: str | None = None,
                          *, with_data: bool = True) -> ObjectVersion | None:
        """The given version, or (version_id None) the latest one, which may be a delete marker."""
        ...

    async def put_version(self, version: ObjectVersion,
                          precondition: WritePrecondition | None = None) -> list[str]:
        """Make ``version`` the latest of its key, replacing a version with the same id (the ``null``
        version when unversioned). Raises PreconditionFailed if ``precondition`` fails.
        Returns the blob ids that are no longer referenced."""
        ...

    async def update_version(self, version: ObjectVersion) -> None:
        """Replace tags / metadata-only fields of an existing version in place (same data)."""
        ...

    async def delete_version(self, bucket: str, key: str, version_id: str,
                             precondition: WritePrecondition | None = None
                             ) -> tuple[ObjectVersion | None, list[str]]:
        """Remove one version for good; the next newest becomes latest. Returns what was removed."""
        ...

    async def list_current(self, bucket: str, prefix: str, start: str, inclusive: bool,
                           limit: int) -> list[ObjectVersion]:
        """Latest non-delete-marker versions with keys after (or from) ``start`` that begin with
        ``prefix``, in UTF-8 binary key order, without data. Costs O(limit), not O(bucket)."""
        ...

    async def list_versions(self, bucket: str, prefix: str, key_marker: str,
                            version_id_marker: str, limit: int) -> list[ObjectVersion]:
        """All versions (delete markers too), by key then newest first, without data."""
        ...

    # multipart uploads
    async def create_upload(self, upload: Upload) -> None: ...
    async def get_upload(self, upload_id: str) -> Upload | None: ...
    async def list_uploads(self, bucket: str, prefix: str, key_marker: str, upload_id_marker: str,
                           limit: int) -> list[Upload]: ...
    async def put_part(self, part: Part) -> list[str]:
        """Store or replace a part (raises NoSuchUpload if the upload is gone)."""
        ...

    async def list_parts(self, upload_id: str, after_part: int, limit: int) -> list[Part]: ...
    async def complete_upload(self, upload: Upload, version: ObjectVersion, used_parts: Iterable[int],
                              precondition: WritePrecondition | None = None) -> list[str]:
        """Atomically: the upload and its parts disappear, ``version`` becomes the latest. Blobs of
        parts not in ``used_parts`` and of a replaced version are returned as freed."""
        ...

    async def abort_upload(self, upload_id: str) -> list[str]: ...

    # recovery
    async def referenced_blobs(self, blob_ids: Iterable[str]) -> set[str]: ...
    async def close(self) -> None: ...


class BlobWriter(Protocol):
    blob_id: str
    size: int

    def write(self, data: bytes) -> None: ...
    def write_many(self, chunks: Sequence[bytes]) -> None:
        """Append ``chunks`` in order (one gathered write, no joining copy)."""
        ...

    def finish(self) -> None:
        """Durable under ``blob_id``: flushed, fsync'd, renamed into place, directory fsync'd."""
        ...

    def abort(self) -> None: ...


class BlobStore(Protocol):
    def new_writer(self) -> BlobWriter: ...
    def read(self, blob_id: str, offset: int, length: int) -> bytes: ...
    def delete(self, blob_ids: Iterable[str]) -> None: ...
    def iter_blob_ids(self) -> Iterator[str]: ...
    def clear_temporary(self) -> int: ...
