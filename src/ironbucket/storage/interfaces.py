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

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from ironbucket.storage.kms_records import KmsStore
from ironbucket.storage.sealed import SealedStore

# Shared through default_factory: Python 3.11 dataclasses refuse an unhashable default.
_EMPTY: Mapping[str, Any] = MappingProxyType({})

NULL_VERSION = "null"


class IamStoreError(Exception):
    """A refused IAM mutation; ``str(exc)`` is the message AWS gives. The IAM service answers it
    with the error code of the subclass."""


class IamNoSuchEntity(IamStoreError):
    pass


class IamEntityExists(IamStoreError):
    pass


class IamEntityInUse(IamStoreError):
    pass


class IamQuotaExceeded(IamStoreError):
    pass


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
    # owner_kind "service": a service principal (owner_name, e.g. cloudfront.amazonaws.com)
    # acting for this resource of the account (aws:SourceArn); account_id is aws:SourceAccount.
    source_arn: str | None = None


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
    # What readers compute from this version (its response headers), kept with it for as long as
    # a cache holds it. Never stored or compared; dataclasses.replace starts a new one.
    derived: dict[str, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

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


# --- IAM records (one account's users, groups, roles and customer-managed policies) ----------------
# Names are unique per account without regard to case (as AWS has it); reads take any case.
IAM_USER, IAM_GROUP, IAM_ROLE, IAM_POLICY = "user", "group", "role", "policy"
PERMISSIONS_POLICY, PERMISSIONS_BOUNDARY = "PermissionsPolicy", "PermissionsBoundary"


@dataclass(frozen=True, slots=True)
class IamUser:
    account_id: str
    name: str
    user_id: str  # AIDA...
    path: str = "/"
    created_at: float = 0.0
    permissions_boundary: str | None = None  # ARN of a managed policy (filled in by reads)
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:user{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class IamGroup:
    account_id: str
    name: str
    group_id: str  # AGPA...
    path: str = "/"
    created_at: float = 0.0

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:group{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class IamRole:
    account_id: str
    name: str
    role_id: str  # AROA...
    trust_policy: str  # the AssumeRolePolicyDocument as given
    path: str = "/"
    created_at: float = 0.0
    description: str | None = None
    max_session_duration: int = 3600
    permissions_boundary: str | None = None  # filled in by reads
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    last_used_at: float | None = None
    last_used_region: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:role{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A customer-managed policy. The counts are filled in by reads and ignored on writes."""

    account_id: str
    name: str
    policy_id: str  # ANPA...
    path: str = "/"
    created_at: float = 0.0
    updated_at: float = 0.0
    default_version: str = "v1"
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    attachment_count: int = 0
    boundary_usage_count: int = 0

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account_id}:policy{self.path}{self.name}"


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    version_id: str  # "v1", "v2", ...
    document: str
    created_at: float
    is_default: bool


@dataclass(frozen=True, slots=True)
class PolicyEntity:
    """A user, group or role a managed policy is attached to (or bounds)."""

    kind: str  # IAM_USER | IAM_GROUP | IAM_ROLE
    name: str
    entity_id: str


@dataclass(frozen=True, slots=True)
class KeyUse:
    """When, for which service and in which region an access key last authenticated a request."""

    access_key_id: str
    used_at: float
    service: str
    region: str


@dataclass(frozen=True, slots=True)
class PrincipalPolicies:
    """Every identity-based document that applies to one user or role, for the policy engine.

    Each document comes with a label naming where it is from ("user/alice/inline/ReadOnly",
    "group/devs/managed/arn:aws:iam::111122223333:policy/S3Read", ...). ``found`` is False when the
    user or role does not exist (any more)."""

    found: bool
    identity: tuple[tuple[str, str], ...] = ()
    boundary: tuple[str, str] | None = None


@dataclass(frozen=True, slots=True)
class StsSession:
    """Temporary credentials: who they act as, until when, capped by which session policies."""

    access_key_id: str  # ASIA...
    account_id: str
    kind: str  # "role" (AssumeRole) | "user" | "root" (GetSessionToken)
    issued_at: float
    expires_at: float
    sealed_secret: bytes = field(repr=False)
    sealed_token: bytes = field(repr=False)
    role_arn: str | None = None
    role_id: str | None = None
    session_name: str | None = None
    user_name: str | None = None
    user_arn: str | None = None
    user_id: str | None = None
    policies: tuple[tuple[str, str], ...] = ()  # (label, document) session policies
    tags: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # session tags
    source_identity: str | None = None
    mfa_authenticated_at: float | None = None



@dataclass(frozen=True, slots=True)
class UsageRecord:
    """Requests and bytes charged to one account for one bucket on one (UTC) day."""

    day: str  # YYYY-MM-DD
    account_id: str  # the account charged
    bucket: str
    payer: str  # "Requester" (a requester paid) | "BucketOwner" (the owner paid)
    requests: int
    bytes_in: int
    bytes_out: int

# --- contracts ---------------------------------------------------------------------------------
class IamStore(Protocol):
    """IAM entities of each account. Mutations raise the ``Iam*`` errors above; entities are
    addressed by their ids (``user_id``, ``group_id``, ``role_id``, ``policy_id``) once found by name.
    Lists are ordered and paged by key, costing O(page): ``after`` is the last item of the previous
    page (``(path, name)`` for path-ordered lists), ``None`` for the first page."""

    # users
    async def iam_create_user(self, user: IamUser) -> None: ...
    async def iam_get_user(self, account_id: str, name: str) -> IamUser | None: ...
    async def iam_list_users(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                             limit: int) -> list[IamUser]: ...
    async def iam_update_user(self, user_id: str, new_name: str | None, new_path: str | None) -> None: ...
    async def iam_delete_user(self, user_id: str) -> None:
        """Raises IamEntityInUse while the user has keys, policies or group memberships."""
        ...

    # groups and their members
    async def iam_create_group(self, group: IamGroup) -> None: ...
    async def iam_get_group(self, account_id: str, name: str) -> IamGroup | None: ...
    async def iam_list_groups(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                              limit: int) -> list[IamGroup]: ...
    async def iam_update_group(self, group_id: str, new_name: str | None, new_path: str | None) -> None: ...
    async def iam_delete_group(self, group_id: str) -> None: ...
    async def iam_add_group_member(self, group_id: str, user_id: str, max_groups: int) -> None: ...
    async def iam_remove_group_member(self, group_id: str, user_id: str) -> None: ...
    async def iam_list_group_members(self, group_id: str, after: str | None, limit: int) -> list[IamUser]: ...
    async def iam_list_user_groups(self, user_id: str, after: str | None, limit: int) -> list[IamGroup]: ...

    # roles
    async def iam_create_role(self, role: IamRole) -> None: ...
    async def iam_get_role(self, account_id: str, name: str) -> IamRole | None: ...
    async def iam_list_roles(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                             limit: int) -> list[IamRole]: ...
    async def iam_update_role(self, role_id: str, *, trust_policy: str | None = None,
                              description: str | None = None,
                              max_session_duration: int | None = None) -> None:
        """Changes the fields given (None leaves a field as it is)."""
        ...

    async def iam_delete_role(self, role_id: str) -> None: ...

    # tags of users, roles and managed policies (``kind`` is IAM_USER, IAM_ROLE or "policy")
    async def iam_tag(self, kind: str, entity_id: str, add: Mapping[str, str], remove: Sequence[str],
                      max_tags: int) -> None: ...

    # inline policies (``kind``: IAM_USER | IAM_GROUP | IAM_ROLE); ``size`` counts what the quota
    # counts, and the entity's inline policies together may not exceed ``max_total``
    async def iam_put_inline_policy(self, kind: str, entity_id: str, name: str, document: str, size: int,
                                    max_total: int) -> None: ...
    async def iam_get_inline_policy(self, entity_id: str, name: str) -> str | None: ...
    async def iam_delete_inline_policy(self, kind: str, entity_id: str, name: str) -> None: ...
    async def iam_list_inline_policies(self, entity_id: str, after: str | None, limit: int) -> list[str]: ...
    async def iam_inline_policies(self, entity_id: str) -> list[tuple[str, str]]:
        """Every (name, document) of an entity (bounded by the size quota)."""
        ...

    # customer-managed policies and their versions
    async def iam_create_policy(self, policy: ManagedPolicy, document: str) -> None: ...
    async def iam_get_policy(self, account_id: str, name: str) -> ManagedPolicy | None: ...
    async def iam_list_policies(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                                limit: int, *, only_attached: bool = False,
                                usage: str | None = None) -> list[ManagedPolicy]: ...
    async def iam_delete_policy(self, policy_id: str) -> None: ...
    async def iam_create_policy_version(self, policy_id: str, document: str, set_default: bool, now: float,
                                        max_versions: int) -> PolicyVersion: ...
    async def iam_get_policy_version(self, policy_id: str, version_id: str) -> PolicyVersion | None: ...
    async def iam_list_policy_versions(self, policy_id: str) -> list[PolicyVersion]:
        """Newest first (a policy keeps at most a handful)."""
        ...

    async def iam_delete_policy_version(self, policy_id: str, version_id: str) -> None: ...
    async def iam_set_default_policy_version(self, policy_id: str, version_id: str, now: float) -> None: ...

    # attachments of managed policies, and permissions boundaries
    async def iam_attach_policy(self, kind: str, entity_id: str, policy_id: str,
                                max_attached: int) -> None: ...
    async def iam_detach_policy(self, kind: str, entity_id: str, policy_id: str) -> None: ...
    async def iam_attached_policies(self, entity_id: str) -> list[ManagedPolicy]:
        """The managed policies attached to an entity, by name (bounded by the attachment quota)."""
        ...

    async def iam_set_boundary(self, kind: str, entity_id: str, policy_id: str | None) -> None: ...
    async def iam_list_policy_entities(self, policy_id: str, usage: str | None, kind: str | None,
                                       path_prefix: str, after: tuple[str, str] | None,
                                       limit: int) -> list[PolicyEntity]:
        """Entities using a policy, by (kind, name); ``after`` is the last (kind, name) seen."""
        ...

    # access keys of IAM users (``owner_id`` is the user id; None for the account's root user)
    async def iam_create_access_key(self, key: AccessKey, owner_id: str | None, max_keys: int) -> None: ...
    async def iam_list_access_keys(self, account_id: str, owner_id: str | None) -> list[AccessKey]: ...
    async def iam_key_owner(self, access_key_id: str) -> str | None:
        """The user id owning a key (None for root keys and unknown keys)."""
        ...

    async def iam_update_access_key(self, access_key_id: str, active: bool) -> None: ...
    async def iam_delete_access_key(self, access_key_id: str) -> None: ...
    async def iam_record_key_use(self, uses: Sequence[KeyUse]) -> None:
        """Record many uses in one write (callers batch and throttle them)."""
        ...

    async def iam_key_last_used(self, access_key_id: str) -> KeyUse | None: ...

    # everything the policy engine needs about a user or a role, in one cached call
    async def iam_principal_policies(self, account_id: str, kind: str, name: str) -> PrincipalPolicies: ...


class StsStore(Protocol):
    async def sts_create_session(self, session: StsSession) -> None: ...
    async def sts_get_session(self, access_key_id: str) -> StsSession | None: ...
    async def sts_purge_expired(self, expired_before: float) -> int: ...



class UsageStore(Protocol):
    # counters are added to (never replaced), so any number of workers may report
    async def usage_add(self, records: Sequence[UsageRecord]) -> None: ...
    async def usage_list(self, bucket: str | None = None,
                         account_id: str | None = None) -> list[UsageRecord]: ...

class MetadataStore(IamStore, StsStore, UsageStore, KmsStore, SealedStore, Protocol):
    # server-wide settings (e.g. which account is the default one)
    async def get_setting(self, name: str) -> str | None: ...
    async def put_setting(self, name: str, value: str | None) -> None: ...  # None deletes
    async def put_settings(self, items: Mapping[str, str | None]) -> None: ...  # in one commit
    # Compare-and-set (None: absent); False when the setting no longer holds ``expected``.
    async def swap_setting(self, name: str, expected: str | None, value: str | None) -> bool: ...
    # (name, value) of the settings named prefix..., in name order after ``after``
    async def list_settings(self, prefix: str, after: str, limit: int) -> list[tuple[str, str]]: ...

    # accounts and access keys
    async def create_account(self, account: Account, root_key: AccessKey | None) -> None: ...
    async def get_account(self, account_id: str) -> Account | None: ...
    async def list_accounts(self) -> list[Account]: ...
    async def get_access_key(self, access_key_id: str) -> AccessKey | None: ...
    async def put_access_key(self, key: AccessKey) -> None: ...

    # buckets; create raises BucketAlreadyExists / BucketAlreadyOwnedByYou,
    # delete raises NoSuchBucket / BucketNotEmpty (uploads in progress do not count)
    # ``configs``: subresource documents the bucket starts with, stored in the same commit.
    async def create_bucket(self, bucket: Bucket, configs: Mapping[str, str] | None = None) -> None: ...
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
                          precondition: WritePrecondition | None = None, *,
                          guard: Callable[[ObjectVersion], None] | None = None) -> list[str]:
        """Make ``version`` the latest of its key, replacing a version with the same id (the ``null``
        version when unversioned). Raises PreconditionFailed if ``precondition`` fails.
        ``guard`` is called in the transaction with the version being replaced, if any; raising
        refuses the write. Returns the blob ids that are no longer referenced."""
        ...

    async def update_version(self, version: ObjectVersion, *,
                             guard: Callable[[ObjectVersion], None] | None = None) -> None:
        """Replace tags / metadata-only fields of an existing version in place (same data).
        Without ``guard`` the stored Object Lock (``extra["lock"]``) is kept as it is; with one,
        ``guard`` vets the stored version in the transaction and ``version``'s lock is written."""
        ...

    async def delete_version(self, bucket: str, key: str, version_id: str,
                             precondition: WritePrecondition | None = None, *,
                             guard: Callable[[ObjectVersion], None] | None = None
                             ) -> tuple[ObjectVersion | None, list[str]]:
        """Remove one version for good; the next newest becomes latest. ``guard`` is called in the
        transaction with the version about to go; raising refuses the delete. Returns what was
        removed."""
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
                              precondition: WritePrecondition | None = None, *,
                              guard: Callable[[ObjectVersion], None] | None = None) -> list[str]:
        """Atomically: the upload and its parts disappear, ``version`` becomes the latest. Blobs of
        parts not in ``used_parts`` and of a replaced version are returned as freed. ``guard``: as
        for ``put_version``."""
        ...

    async def abort_upload(self, upload_id: str) -> list[str]: ...

    # recovery
    async def referenced_blobs(self, blob_ids: Iterable[str]) -> set[str]: ...
    async def close(self) -> None: ...


class BlobWriter(Protocol):
    blob_id: str
    size: int

    def write(self, data: bytes) -> None: ...
    def write_many(self, chunks: Sequence[bytes | bytearray | memoryview]) -> None:
        """Append ``chunks`` in order (one gathered write, no joining copy). Nothing of them may
        be kept past the return: callers reuse the buffers."""
        ...

    def finish(self) -> None:
        """Durable under ``blob_id``: flushed, fsync'd, renamed into place, directory fsync'd."""
        ...

    def abort(self) -> None: ...


class BlobStore(Protocol):
    def new_writer(self) -> BlobWriter: ...
    def read(self, blob_id: str, offset: int, length: int) -> bytes: ...
    def read_uncached(self, blob_id: str, offset: int, length: int
                      ) -> AbstractContextManager[memoryview]:
        """``read`` for big blobs read once, sparing the OS page cache where possible; the view
        is valid inside the ``with`` only."""
        ...

    def delete(self, blob_ids: Iterable[str]) -> None: ...
    def iter_blob_ids(self) -> Iterator[str]: ...
    def clear_temporary(self) -> int: ...
