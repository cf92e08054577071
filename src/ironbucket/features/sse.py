"""Server-side encryption as requests state it and responses report it (pure; no I/O).

https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
Modes: SSE-S3 (``AES256``), SSE-KMS (``aws:kms``; ``aws:kms:dsse`` is accepted and stored as
such, encrypted the same way), SSE-C (customer key headers). What an object was encrypted with
is its ``Encryption`` record, kept in the version's ``extra["sse"]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ironbucket.errors import InvalidArgument, InvalidEncryptionAlgorithmError, InvalidRequest

SSE_S3 = "AES256"
SSE_KMS = "aws:kms"
SSE_KMS_DSSE = "aws:kms:dsse"
SSE_C = "SSE-C"  # the record's name for customer keys (the request headers carry no such value)
KMS_ALGORITHMS = frozenset({SSE_KMS, SSE_KMS_DSSE})

H_ALGORITHM = "x-amz-server-side-encryption"
H_KMS_KEY = "x-amz-server-side-encryption-aws-kms-key-id"
H_CONTEXT = "x-amz-server-side-encryption-context"
H_BUCKET_KEY = "x-amz-server-side-encryption-bucket-key-enabled"
CUSTOMER = "x-amz-server-side-encryption-customer-"
COPY_SOURCE_CUSTOMER = "x-amz-copy-source-server-side-encryption-customer-"

# A read with another key than the object's (403 AccessDenied) ...
WRONG_CUSTOMER_KEY = ("Requests specifying Server Side Encryption with Customer provided keys must "
                      "provide the correct secret key.")
# ... and an UploadPart with another key than its upload's (400 InvalidRequest).
PART_KEY_MISMATCH = "The provided encryption parameters did not match the ones used originally."
NEEDS_CUSTOMER_KEY = ("The object was stored using a form of Server Side Encryption. The correct "
                      "parameters must be provided to retrieve the object.")
NOT_CUSTOMER_ENCRYPTED = "The encryption parameters are not applicable to this object."
INVALID_CUSTOMER_KEY = "The secret key was invalid for the specified algorithm."


@dataclass(frozen=True, slots=True)
class CustomerKey:
    key: bytes = field(repr=False)
    key_md5: str  # base64, as the client sent it


@dataclass(frozen=True, slots=True)
class Requested:
    """What a write asks for; ``algorithm`` None leaves it to the bucket's default."""

    algorithm: str | None = None
    kms_key_id: str | None = None
    bucket_key: bool | None = None
    context: Mapping[str, str] | None = None  # extra SSE-KMS encryption context
    customer: CustomerKey | None = None


@dataclass(frozen=True, slots=True)
class Encryption:
    """How a stored object's data key is kept (see api/encryption.py for the key hierarchy)."""

    algorithm: str  # SSE_S3 | SSE_KMS | SSE_KMS_DSSE | SSE_C
    wrapped_key: bytes = field(repr=False)  # the data key, wrapped (by what: see the fields below)
    kek_id: str | None = None  # SSE-S3: the server key-encryption key that wraps it
    kms_key_arn: str | None = None  # SSE-KMS
    bucket_key: bytes | None = field(default=None, repr=False)  # SSE-KMS bucket key's KMS ciphertext
    context: Mapping[str, str] | None = None  # SSE-KMS encryption context used
    salt: bytes | None = None  # SSE-C: salt of the key-recognition MAC and the wrapping key
    key_mac: bytes | None = field(default=None, repr=False)  # SSE-C: HMAC recognising the key
    key_md5: str | None = None  # SSE-C: reported back to clients

    def to_extra(self) -> dict[str, Any]:
        out: dict[str, Any] = {"v": 1, "alg": self.algorithm, "dk": self.wrapped_key}
        for name, value in (("kek", self.kek_id), ("kms", self.kms_key_arn), ("bk", self.bucket_key),
                            ("salt", self.salt), ("mac", self.key_mac), ("md5", self.key_md5)):
            if value is not None:
                out[name] = value
        if self.context is not None:
            out["ctx"] = dict(self.context)
        return out

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> Encryption | None:
        doc = extra.get("sse")
        if doc is None:
            return None  # stored before encryption existed: plaintext
        # A cached version hands back the very same record: parse it once (kept with the
        # record, so its id cannot be reused while cached).
        known = _PARSED.get(id(doc))
        if known is not None and known[0] is doc:
            return known[1]
        if doc.get("v") != 1:
            raise ValueError("unknown encryption record version")
        parsed = cls(algorithm=doc["alg"], wrapped_key=doc["dk"], kek_id=doc.get("kek"),
                     kms_key_arn=doc.get("kms"), bucket_key=doc.get("bk"), context=doc.get("ctx"),
                     salt=doc.get("salt"), key_mac=doc.get("mac"), key_md5=doc.get("md5"))
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[id(doc)] = (doc, parsed)
        return parsed


_PARSED_LIMIT = 4096
_PARSED: dict[int, tuple[Mapping[str, Any], Encryption]] = {}


def customer_key(headers: Mapping[str, str], prefix: str = CUSTOMER) -> CustomerKey | None:
    """The customer key of a request (or of its copy source), validated as S3 does.

    S3 names ``x-amz-server-side-encryption`` as the ArgumentName of every one of these errors,
    for the copy-source headers too, and checks the MD5 before the key's length."""
    algorithm = headers.get(prefix + "algorithm")
    encoded = headers.get(prefix + "key")
    md5 = headers.get(prefix + "key-md5")
    if algorithm is None and encoded is None and md5 is None:
        return None
    if algorithm is None:
        raise _customer_error("Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide a valid encryption algorithm.")
    if encoded is None:
        raise _customer_error("Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide an appropriate secret key.")
    if algorithm != "AES256":
        raise InvalidEncryptionAlgorithmError(
            "The Encryption request you specified is not valid. Supported value: AES256.",
            ArgumentName=H_ALGORITHM, ArgumentValue=algorithm)
    if md5 is None:
        raise _customer_error("Requests specifying Server Side Encryption with Customer provided "
                              "keys must provide the client calculated MD5 of the secret key.")
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise _customer_error(INVALID_CUSTOMER_KEY) from None
    if base64.b64encode(hashlib.md5(key, usedforsecurity=False).digest()).decode() != md5.strip():
        raise _customer_error("The calculated MD5 hash of the key did not match the hash that was "
                              "provided.")
    if len(key) != 32:
        raise _customer_error(INVALID_CUSTOMER_KEY)
    return CustomerKey(key, md5.strip())


def _customer_error(message: str) -> InvalidArgument:
    return InvalidArgument(message, ArgumentName=H_ALGORITHM, ArgumentValue="null")


def requested(headers: Mapping[str, str]) -> Requested:
    """The encryption a write request asks for, validated as S3 does."""
    algorithm = headers.get(H_ALGORITHM)
    kms_key = headers.get(H_KMS_KEY)
    context = headers.get(H_CONTEXT)
    bucket_key = headers.get(H_BUCKET_KEY)
    if algorithm is not None and algorithm not in (SSE_S3, *KMS_ALGORITHMS):
        raise InvalidArgument("The encryption method specified is not supported",
                              ArgumentName=H_ALGORITHM, ArgumentValue=algorithm)
    # S3 refuses the combination before it looks at the customer key headers' values.
    if algorithm is not None and any(CUSTOMER + name in headers
                                     for name in ("algorithm", "key", "key-md5")):
        raise InvalidArgument("Server Side Encryption with Customer provided key is incompatible with "
                              "the encryption method specified", ArgumentName=H_ALGORITHM,
                              ArgumentValue=algorithm)
    customer = customer_key(headers)
    if (kms_key is not None or context is not None) and algorithm not in KMS_ALGORITHMS:
        raise InvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header "
                              "x-amz-server-side-encryption : aws:kms",
                              ArgumentName=H_KMS_KEY if kms_key is not None else H_CONTEXT)
    if kms_key is not None and not kms_key.strip():
        raise InvalidArgument("KMS key id must not be empty", ArgumentName=H_KMS_KEY)
    if bucket_key is not None and bucket_key.lower() not in ("true", "false"):
        raise InvalidArgument("The header 'x-amz-server-side-encryption-bucket-key-enabled' shall be "
                              "either 'true' or 'false'", ArgumentName=H_BUCKET_KEY)
    if bucket_key is not None and customer is not None:
        raise InvalidArgument("Bucket Key cannot be used with Server Side Encryption with Customer "
                              "provided keys", ArgumentName=H_BUCKET_KEY)
    return Requested(algorithm=algorithm, kms_key_id=kms_key.strip() if kms_key else None,
                     bucket_key=None if bucket_key is None else bucket_key.lower() == "true",
                     context=_context(context) if context is not None else None, customer=customer)


def _context(encoded: str) -> dict[str, str]:
    try:
        doc = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError, RecursionError):  # deep nesting: a client error, not a 500
        doc = None
    if not isinstance(doc, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                            for k, v in doc.items()):
        raise InvalidArgument("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded "
                              "UTF-8 string holding JSON which represents a string-string map",
                              ArgumentName=H_CONTEXT)
    return doc


def encode_context(context: Mapping[str, str]) -> str:
    """An encryption context as the header carries it: base64 of its JSON."""
    return base64.b64encode(json.dumps(dict(context), separators=(",", ":")).encode()).decode("ascii")


def check_customer_key(stored: Encryption, given: CustomerKey | None, *, copy_source: bool = False
                       ) -> None:
    """Before any key work: a customer-key object needs its key; other objects refuse one."""
    if stored.algorithm == SSE_C and given is None:
        raise InvalidRequest(NEEDS_CUSTOMER_KEY)
    if stored.algorithm != SSE_C and given is not None:
        raise InvalidRequest(NOT_CUSTOMER_ENCRYPTED)


def response_headers(stored: Encryption | None) -> dict[str, str]:
    """The headers S3 reports an object's encryption with (none for pre-encryption objects)."""
    if stored is None:
        return {}
    if stored.algorithm == SSE_C:
        return {CUSTOMER + "algorithm": "AES256", CUSTOMER + "key-md5": stored.key_md5 or ""}
    headers = {H_ALGORITHM: stored.algorithm}
    if stored.kms_key_arn is not None:
        headers[H_KMS_KEY] = stored.kms_key_arn
    if stored.bucket_key is not None:
        headers[H_BUCKET_KEY] = "true"
    return headers
