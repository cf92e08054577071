"""The server master key, which seals secrets at rest (IAM secret keys, STS sessions, MFA seeds,
KMS key material, SSE-S3 key-encryption keys). Where it comes from: ``master_source.py``.

Sealed format: b"IBK1" | 12-byte nonce | AES-256-GCM(ciphertext + tag), with caller-chosen
associated data binding a sealed value to what it belongs to (e.g. its access key id).
The *check value* (``check``) identifies a key without revealing it: it is stored with the data,
so a wrong key is refused at start instead of failing to open secrets later.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_MAGIC = b"IBK1"
_NONCE = 12
_CHECK_LABEL = b"ironbucket/master-key-check/v1"
CHECK_PREFIX = "v1:"


class MasterKeyError(Exception):
    pass


class MasterKey:
    __slots__ = ("_aead", "check")

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise MasterKeyError("the master key must be 32 bytes")
        self._aead = AESGCM(key)
        # An HMAC of a fixed label under the key: equal for equal keys, and says nothing of it.
        self.check = CHECK_PREFIX + hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"MasterKey(check={self.check[:11]}...)"  # never the key itself

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return _MAGIC + nonce + self._aead.encrypt(nonce, plaintext, associated)

    def unseal(self, sealed: bytes, associated: bytes) -> bytes:
        if not sealed.startswith(_MAGIC) or len(sealed) < len(_MAGIC) + _NONCE + 16:
            raise MasterKeyError("not a sealed value")
        nonce = sealed[len(_MAGIC): len(_MAGIC) + _NONCE]
        try:
            return self._aead.decrypt(nonce, sealed[len(_MAGIC) + _NONCE:], associated)
        except InvalidTag as exc:
            raise MasterKeyError("sealed value does not open with this master key") from exc

