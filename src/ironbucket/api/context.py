"""What a handler receives: the parsed request, who made it, what they were granted, and the
services it may use. Handlers reach storage only through ``services``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from ironbucket.errors import InternalError, NoSuchBucket

if TYPE_CHECKING:
    from ironbucket.api.encryption import ObjectKeys
    from ironbucket.api.operation import Operation
    from ironbucket.auth.authenticate import Authentication
    from ironbucket.auth.credentials import CredentialStore
    from ironbucket.authz.authorize import Authorizer
    from ironbucket.authz.grant import AccessGrant
    from ironbucket.config import Settings
    from ironbucket.events.decision_log import DecisionLog
    from ironbucket.events.usage import UsageMeter
    from ironbucket.http.addressing import Address
    from ironbucket.http.request import Request
    from ironbucket.kms.keyring import Keyring
    from ironbucket.storage.interfaces import BlobStore, Bucket, MetadataStore

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(slots=True)
class Services:
    settings: Settings
    meta: MetadataStore
    blobs: BlobStore
    credentials: CredentialStore
    default_account_id: str
    clock: Callable[[], float]
    decisions: DecisionLog | None = None  # authorization traces, for `ironbucket explain`
    usage: UsageMeter | None = None  # Requester Pays usage counters, for `ironbucket usage`
    keyring: Keyring | None = None  # KMS key material (sealed under the master key)
    object_keys: ObjectKeys | None = None  # data keys of stored objects (api/encryption.py)
    # Blocking work (blob I/O, hashing big buffers) runs here; hashlib releases the GIL.
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(32, "ironbucket-io"))

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        if kwargs:
            return await loop.run_in_executor(self.executor, lambda: fn(*args, **kwargs))
        return await loop.run_in_executor(self.executor, fn, *args)


@dataclass(slots=True)
class Context:
    request: Request
    address: Address
    operation: Operation
    services: Services
    auth: Authentication | None = None
    authorizer: Authorizer | None = None
    grant: AccessGrant | None = None
    bucket_record: Bucket | None = None
    now: float = 0.0

    @property
    def bucket(self) -> Bucket:
        if self.bucket_record is None:
            raise NoSuchBucket(BucketName=self.address.bucket or "")
        return self.bucket_record

    @property
    def bucket_name(self) -> str:
        if self.address.bucket is None:
            raise InternalError()
        return self.address.bucket

    @property
    def key(self) -> str:
        if self.address.key is None:
            raise InternalError()
        return self.address.key

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    @property
    def headers(self) -> dict[str, str]:
        return self.request.headers
