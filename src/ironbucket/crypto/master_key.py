"""The server master key, which seals secrets at rest (IAM secret keys, later KMS material).

Sources, first found wins: ``IRONBUCKET_MASTER_KEY`` (base64 of 32 bytes), else the key file
``<data-dir>/master.key``, created with mode 0600 on first start.
Sealed format: b"IBK1" | 12-byte nonce | AES-256-GCM(ciphertext + tag), with caller-chosen
associated data binding a sealed value to what it belongs to (e.g. its access key id).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ENV_VAR = "IRONBUCKET_MASTER_KEY"
KEY_FILE = "master.key"
_MAGIC = b"IBK1"
_NONCE = 12


class MasterKeyError(Exception):
    pass


class MasterKey:
    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise MasterKeyError("the master key must be 32 bytes")
        self._aead = AESGCM(key)

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


def load_master_key(data_dir: Path, env: Mapping[str, str] | None = None) -> MasterKey:
    env = os.environ if env is None else env
    encoded = env.get(ENV_VAR)
    if encoded:
        try:
            return MasterKey(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise MasterKeyError(f"{ENV_VAR} must be base64 of 32 bytes") from exc
    path = data_dir / KEY_FILE
    try:
        return MasterKey(base64.b64decode(path.read_bytes().strip(), validate=True))
    except FileNotFoundError:
        pass
    key = os.urandom(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(base64.b64encode(key) + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return MasterKey(key)
