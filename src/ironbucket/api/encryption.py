"""Data keys of stored objects: made for writes, opened for reads, for the caller at hand.

The hierarchy (every object has its own random data key; see crypto/segments.py for how the
data key seals the bytes):

* SSE-S3 — the data key is wrapped by the server's key-encryption key (KEK), kept in the
  setting ``sse-s3-kek/<id>`` sealed under the master key. Rotating the master key re-seals the
  KEK only; no object is touched.
* SSE-KMS — the data key comes from the KMS (GenerateDataKey, context ``aws:s3:arn`` = the
  object's ARN) with the caller's own permissions, and opens only by a KMS Decrypt the caller
  may make. With an S3 Bucket Key the KMS data key is a bucket key (context = the bucket's ARN),
  reused for a few minutes, and each object's data key is wrapped by it: fewer KMS operations,
  yet every write and read still checks the caller's kms:GenerateDataKey / kms:Decrypt and the
  key's state.
* SSE-C — the data key is wrapped by a key derived from the customer's key (never stored).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ironbucket.api.bucket_encryption import default_encryption
from ironbucket.api.context import Context
from ironbucket.api.needs import bucket_arn, object_arn
from ironbucket.authz.context import Keys, request_keys
from ironbucket.crypto import envelope
from ironbucket.crypto.master_key import MasterKey
from ironbucket.errors import AccessDenied, InternalError, InvalidRequest, S3Error
from ironbucket.features import sse
from ironbucket.features.sse import (
    KMS_ALGORITHMS,
    SSE_C,
    SSE_S3,
    WRONG_CUSTOMER_KEY,
    CustomerKey,
    Encryption,
    Requested,
    check_customer_key,
)
from ironbucket.kms import ciphertext
from ironbucket.kms import internal as kms
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import AccessDeniedException, KmsError
from ironbucket.storage.interfaces import MetadataStore

KEK_SETTING = "sse-s3-kek/"
KEK_ID = "1"
BUCKET_KEY_LIFETIME = 300.0  # seconds a bucket key seals new objects before a fresh one is made
# Opened keys kept per worker: an AESGCM object holds ~2.8 KB of OpenSSL state, so the caches
# stay small (they serve hot objects; a miss costs one unwrap, ~2 µs).
_CACHE_LIMIT = 256
_SSE_S3_CONTEXT = b"ironbucket sse-s3 data key v1"
_BUCKET_KEY_CONTEXT = b"ironbucket sse-kms bucket-key data key v1"
_SSE_C_CONTEXT = b"ironbucket sse-c data key v1"


@dataclass(frozen=True, slots=True)
class ObjectCipher:
    """An object's data key, ready to seal or open, and the record that stores it."""

    aead: AESGCM
    record: Encryption
    given_context: Mapping[str, str] | None = None  # the request's own SSE-KMS context

    def write_headers(self) -> dict[str, str]:
        """What PutObject, CopyObject and CreateMultipartUpload answer about the encryption:
        the stored record's headers, and the encryption context as the request gave it (as S3
        does: without the aws:s3:arn pair it adds itself)."""
        headers = sse.response_headers(self.record)
        if self.given_context is not None:
            headers[sse.H_CONTEXT] = sse.encode_context(self.given_context)
        return headers


class ObjectKeys:
    """Per worker process: the SSE-S3 KEK and caches of opened keys (process memory only)."""

    def __init__(self, meta: MetadataStore, master: MasterKey) -> None:
        self._meta = meta
        self._master = master
        self._keks: dict[str, AESGCM] = {}
        self._opened: dict[bytes, AESGCM] = {}  # wrapped SSE-S3 data key → opened
        # (KMS ciphertext, wrapped data key) → the parsed ciphertext and the opened data key;
        # the caller's permission and the key's state are still checked on every use.
        self._kms_opened: dict[tuple[bytes, bytes], tuple[ciphertext.Blob, AESGCM]] = {}
        self._bucket_keys: dict[tuple[str, str], tuple[float, bytes, bytes]] = {}

    async def kek(self, kek_id: str = KEK_ID) -> AESGCM:
        found = self._keks.get(kek_id)
        if found is not None:
            return found
        name = KEK_SETTING + kek_id
        stored = await self._meta.get_setting(name)
        if stored is None:
            if kek_id != KEK_ID:
                raise InternalError()
            sealed = self._master.seal(envelope.new_data_key(), _kek_binding(kek_id))
            # Two workers racing to create it: whichever stored first wins, the other reads it.
            await self._meta.swap_setting(name, None, base64.b64encode(sealed).decode())
            stored = await self._meta.get_setting(name)
            if stored is None:
                raise InternalError()
        aead = AESGCM(self._master.unseal(base64.b64decode(stored), _kek_binding(kek_id)))
        self._keks[kek_id] = aead
        return aead

    def remember(self, wrapped: bytes, aead: AESGCM) -> None:
        _keep(self._opened, wrapped, aead)

    def opened(self, wrapped: bytes) -> AESGCM | None:
        return self._opened.get(wrapped)

    def remember_kms(self, slot: tuple[bytes, bytes], opened: tuple[ciphertext.Blob, AESGCM]) -> None:
        _keep(self._kms_opened, slot, opened)

    def kms_opened(self, slot: tuple[bytes, bytes]) -> tuple[ciphertext.Blob, AESGCM] | None:
        return self._kms_opened.get(slot)

    def bucket_key(self, bucket: str, key_arn: str, now: float) -> tuple[bytes, bytes] | None:
        """(plaintext, KMS ciphertext) of the bucket key in use for new objects, if still fresh."""
        entry = self._bucket_keys.get((bucket, key_arn))
        if entry is None or entry[0] < now:
            return None
        return entry[1], entry[2]

    def keep_bucket_key(self, bucket: str, key_arn: str, now: float, plaintext: bytes, blob: bytes) -> None:
        _keep(self._bucket_keys, (bucket, key_arn), (now + BUCKET_KEY_LIFETIME, plaintext, blob))


K = TypeVar("K")
V = TypeVar("V")


def _keep(cache: dict[K, V], key: K, value: V) -> None:
    if len(cache) >= _CACHE_LIMIT:  # bounded: simply start over
        cache.clear()
    cache[key] = value


def _kek_binding(kek_id: str) -> bytes:
    return f"sse-s3-kek:{kek_id}".encode()


def _keys(ctx: Context) -> ObjectKeys:
    found = ctx.services.object_keys
    if found is None:
        raise InternalError("Object encryption keys are not available.")
    return found


# --- KMS on the caller's behalf ------------------------------------------------------------------
def _kms_call(ctx: Context) -> KmsCall:
    assert ctx.auth is not None and ctx.authorizer is not None
    services, auth, request = ctx.services, ctx.auth, ctx.request
    if services.keyring is None:
        raise InternalError("The key ring is not available.")

    def keys() -> Keys:
        return request_keys(request, auth, now=ctx.now, trusted_proxies=services.settings.trusted_proxies,
                            resource_account=None)

    call = kms.service_call(services.meta, services.keyring, auth.principal,
                            region=services.settings.region, now=ctx.now, keys=keys,
                            decisions=ctx.authorizer.decisions,
                            clock_offset=services.settings.kms_test_clock_offset)
    call.endpoint = ctx.authorizer.endpoint
    return call


_KMS_ERRORS: dict[str, type[S3Error]] = {}


def s3_error(exc: KmsError) -> S3Error:
    """A KMS refusal as S3 reports it: AccessDenied, or ``KMS.<code>`` (400)."""
    if isinstance(exc, AccessDeniedException):
        return AccessDenied(exc.message)
    name = f"KMS.{type(exc).__name__}"
    cls = _KMS_ERRORS.get(name)
    if cls is None:
        cls = type(name, (S3Error,), {"status": 400, "code": name,
                                      "default_message": exc.default_message})
        _KMS_ERRORS[name] = cls
    return cls(exc.message)


async def _kms_data_key(ctx: Context, key_id: str | None, context: Mapping[str, str]
                        ) -> tuple[str, bytes, bytes]:
    try:
        found, plaintext, blob = await kms.generate_data_key(_kms_call(ctx), key_id, context)
    except KmsError as exc:
        raise s3_error(exc) from None
    return found.arn, plaintext, blob


async def _kms_open(ctx: Context, stored: Encryption) -> AESGCM:
    """The data key of an SSE-KMS object, decrypted by the KMS for the caller (through the
    bucket key, if it has one). A cached key skips only the cryptography: the caller's
    kms:Decrypt and the key's state are checked every time."""
    object_keys = _keys(ctx)
    blob = stored.bucket_key if stored.bucket_key is not None else stored.wrapped_key
    context = stored.context or {}
    slot = (blob, stored.wrapped_key)
    call = _kms_call(ctx)
    try:
        cached = object_keys.kms_opened(slot)
        if cached is not None:
            await kms.authorize_decrypt(call, cached[0], context)
            return cached[1]
        plaintext = (await kms.decrypt(call, blob, context))[1]
    except KmsError as exc:
        raise s3_error(exc) from None
    if stored.bucket_key is not None:
        plaintext = envelope.unwrap(AESGCM(plaintext), stored.wrapped_key, _BUCKET_KEY_CONTEXT)
    aead = AESGCM(plaintext)
    object_keys.remember_kms(slot, (ciphertext.parse(blob), aead))
    return aead


# --- writes --------------------------------------------------------------------------------------
async def for_write(ctx: Context, wanted: Requested, default: Requested, *, bucket: str, key: str
                    ) -> ObjectCipher:
    """A fresh data key for a new object (or multipart upload), as ``wanted`` asks, else as the
    bucket's ``default`` encryption says."""
    data_key = envelope.new_data_key()
    aead = AESGCM(data_key)
    if wanted.customer is not None:
        salt = envelope.new_salt()
        wrapped = envelope.wrap(envelope.customer_wrapping_key(wanted.customer.key, salt), data_key,
                                _SSE_C_CONTEXT)
        return ObjectCipher(aead, Encryption(SSE_C, wrapped, salt=salt,
                                             key_mac=envelope.customer_key_mac(wanted.customer.key, salt),
                                             key_md5=wanted.customer.key_md5))
    chosen = wanted if wanted.algorithm is not None else default
    algorithm = chosen.algorithm or SSE_S3
    if algorithm not in KMS_ALGORITHMS:
        kek = await _keys(ctx).kek()
        wrapped = envelope.wrap(kek, data_key, _SSE_S3_CONTEXT)
        return ObjectCipher(aead, Encryption(SSE_S3, wrapped, kek_id=KEK_ID))
    kms_key = chosen.kms_key_id
    # A request naming aws:kms without a key takes the bucket default's key only when the
    # default is SSE-KMS too (as S3 does); otherwise the AWS managed key aws/s3.
    if wanted.algorithm is not None and kms_key is None and default.algorithm in KMS_ALGORITHMS:
        kms_key = default.kms_key_id
    bucket_key = chosen.bucket_key if chosen.bucket_key is not None else bool(default.bucket_key)
    if bucket_key:
        return await _bucket_key_write(ctx, algorithm, kms_key, bucket, data_key, aead, chosen.context)
    context = {"aws:s3:arn": object_arn(bucket, key), **(chosen.context or {})}
    arn, plaintext, blob = await _kms_data_key(ctx, kms_key, context)
    return ObjectCipher(AESGCM(plaintext), Encryption(algorithm, blob, kms_key_arn=arn,
                                                      context=context), chosen.context)


async def _bucket_key_write(ctx: Context, algorithm: str, kms_key: str | None, bucket: str,
                            data_key: bytes, aead: AESGCM, extra: Mapping[str, str] | None
                            ) -> ObjectCipher:
    object_keys = _keys(ctx)
    context = {"aws:s3:arn": bucket_arn(bucket), **(extra or {})}
    try:
        # Resolved for this caller (an alias names a key of the caller's account) and checked
        # every time: a cached bucket key spares the KMS crypto, never the caller's permission.
        found = await kms.authorize_generate(_kms_call(ctx), kms_key or "alias/aws/s3", context)
    except KmsError as exc:
        raise s3_error(exc) from None
    arn = found.arn
    cached = object_keys.bucket_key(bucket, arn, time.monotonic()) if not extra else None
    if cached is not None:
        plaintext, blob = cached
    else:
        arn, plaintext, blob = await _kms_data_key(ctx, arn, context)
        if not extra:
            object_keys.keep_bucket_key(bucket, arn, time.monotonic(), plaintext, blob)
    wrapped = envelope.wrap(AESGCM(plaintext), data_key, _BUCKET_KEY_CONTEXT)
    return ObjectCipher(aead, Encryption(algorithm, wrapped, kms_key_arn=arn, bucket_key=blob,
                                         context=context), extra)


# --- reads ---------------------------------------------------------------------------------------
async def for_read(ctx: Context, stored: Encryption | None, customer: CustomerKey | None, *,
                   upload: bool = False) -> AESGCM | None:
    """The opened data key of a stored object or (``upload``) of a multipart upload (None:
    stored before encryption, in the clear). Refuses callers without the key (SSE-C) or without
    KMS permission (SSE-KMS)."""
    if stored is None:
        if customer is not None:
            raise InvalidRequest(sse.NOT_CUSTOMER_ENCRYPTED)
        return None
    _check_customer(stored, customer, upload=upload)
    try:
        if stored.algorithm == SSE_C:
            assert customer is not None and stored.salt is not None
            wrapping = envelope.customer_wrapping_key(customer.key, stored.salt)
            return AESGCM(envelope.unwrap(wrapping, stored.wrapped_key, _SSE_C_CONTEXT))
        if stored.algorithm in KMS_ALGORITHMS:
            return await _kms_open(ctx, stored)
        object_keys = _keys(ctx)
        opened = object_keys.opened(stored.wrapped_key)
        if opened is not None:
            return opened
        kek = await object_keys.kek(stored.kek_id or KEK_ID)
        aead = AESGCM(envelope.unwrap(kek, stored.wrapped_key, _SSE_S3_CONTEXT))
        object_keys.remember(stored.wrapped_key, aead)
        return aead
    except envelope.UnwrapError:
        raise InternalError() from None


# --- what a request asks for ---------------------------------------------------------------------
async def bucket_default(ctx: Context, bucket: str, wanted: Requested) -> Requested:
    """The bucket's default encryption, for a write that asks for ``wanted``: refused (403) when
    it asks for SSE-C and the bucket blocks SSE-C writes."""
    found = await default_encryption(ctx.services, bucket)
    if wanted.customer is not None and found.blocks_sse_c:
        raise AccessDenied("Requests specifying Server Side Encryption with Customer provided keys "
                           "are blocked for this bucket (BlockedEncryptionTypes).")
    return Requested(algorithm=found.algorithm, kms_key_id=found.kms_key_id,
                     bucket_key=found.bucket_key_enabled)


async def for_new_object(ctx: Context, bucket: str, key: str) -> ObjectCipher:
    """The data key of an object this request writes (PutObject, PostObject, CopyObject,
    CreateMultipartUpload), from its SSE headers or else the bucket's default encryption."""
    wanted = sse.requested(ctx.headers)
    return await for_write(ctx, wanted, await bucket_default(ctx, bucket, wanted), bucket=bucket, key=key)


async def for_stored(ctx: Context, extra: Mapping[str, Any], prefix: str = sse.CUSTOMER, *,
                     upload: bool = False) -> AESGCM | None:
    """The data key of a stored object (or ``upload``) for this request, whose customer-key
    headers (with ``prefix``: the copy source's) must match an SSE-C object's."""
    return await for_read(ctx, Encryption.from_extra(extra), sse.customer_key(ctx.headers, prefix),
                          upload=upload)


def check_head(ctx: Context, stored: Encryption | None) -> None:
    """HEAD (and GetObjectAttributes) decrypt nothing, but an SSE-C object still needs its key."""
    given = sse.customer_key(ctx.headers)
    if stored is None:
        if given is not None:
            raise InvalidRequest(sse.NOT_CUSTOMER_ENCRYPTED)
        return
    _check_customer(stored, given)


def _check_customer(stored: Encryption, given: CustomerKey | None, *, upload: bool = False) -> None:
    check_customer_key(stored, given)
    if stored.algorithm == SSE_C:
        assert given is not None and stored.salt is not None and stored.key_mac is not None
        if not envelope.customer_key_matches(given.key, stored.salt, stored.key_mac):
            # S3 answers a part sent under another key than its upload's with a 400.
            raise InvalidRequest(sse.PART_KEY_MISMATCH) if upload else AccessDenied(WRONG_CUSTOMER_KEY)
