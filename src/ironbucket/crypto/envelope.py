"""Envelope encryption: per-object data keys wrapped by a key-encryption key (pure; no I/O).

The wrapping keys: the server's SSE-S3 key-encryption key (itself sealed under the master
key), an SSE-KMS bucket key, or — for SSE-C — a key derived from the customer's key, which is
never stored. Only a MAC derived from it (with its own salt) is kept, to tell a wrong key from a
damaged object.
"""

from __future__ import annotations

import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32
_NONCE = 12
_SALT = 16
_WRAP_INFO = b"ironbucket sse-c wrapping key v1"
_MAC_INFO = b"ironbucket sse-c key check v1"


class UnwrapError(Exception):
    """A wrapped data key that does not open under the given key."""


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_BYTES)


def wrap(kek: AESGCM, data_key: bytes, context: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + kek.encrypt(nonce, data_key, context)


def unwrap(kek: AESGCM, wrapped: bytes, context: bytes) -> bytes:
    try:
        return kek.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], context)
    except (InvalidTag, ValueError):
        raise UnwrapError("the data key does not open under this key") from None


def _derive(customer_key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt, info).derive(customer_key)


def new_salt() -> bytes:
    return os.urandom(_SALT)


def customer_wrapping_key(customer_key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(_derive(customer_key, salt, _WRAP_INFO))


def customer_key_mac(customer_key: bytes, salt: bytes) -> bytes:
    return _derive(customer_key, salt, _MAC_INFO)


def customer_key_matches(customer_key: bytes, salt: bytes, mac: bytes) -> bool:
    return hmac.compare_digest(customer_key_mac(customer_key, salt), mac)
