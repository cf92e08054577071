"""Key material and the cryptography done with it, behind ``Keyring`` so that an external KMS or
HSM can replace the built-in one. Callers see only sealed material (bytes safe to store).

``LocalKeyring``: 256-bit material from the OS, sealed under the server master key (bound to
its key id and version, so sealed material cannot be swapped between keys); AES-256-GCM.
Unsealed material is never stored, logged or returned by this module.
"""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ironbucket.crypto.master_key import MasterKey, MasterKeyError

MATERIAL_BYTES = 32
NONCE_BYTES = 12
_CACHE_LIMIT = 1024


class KeyringError(Exception):
    """The sealed material or the ciphertext does not open."""


class Keyring(Protocol):
    def new_material(self, key_id: str, version: int) -> bytes:
        """Fresh material for a key version, returned sealed."""
    def encrypt(self, sealed: bytes, key_id: str, version: int, plaintext: bytes,
                aad: bytes) -> tuple[bytes, bytes]:
        """(nonce, ciphertext+tag) of ``plaintext`` under the material."""
    def decrypt(self, sealed: bytes, key_id: str, version: int, nonce: bytes, ciphertext: bytes,
                aad: bytes) -> bytes:
        """The plaintext; KeyringError if anything does not authenticate."""


def material_binding(key_id: str, version: int) -> bytes:
    return f"kms-material:{key_id}:{version}".encode()


class LocalKeyring:
    def __init__(self, master: MasterKey) -> None:
        self._master = master
        # Opened materials by their sealed bytes: unsealing on every Decrypt would cost an
        # extra AES-GCM pass; the cache lives in process memory only.
        self._open: dict[tuple[str, int, bytes], AESGCM] = {}

    def new_material(self, key_id: str, version: int) -> bytes:
        return self._master.seal(os.urandom(MATERIAL_BYTES), material_binding(key_id, version))

    def _aead(self, sealed: bytes, key_id: str, version: int) -> AESGCM:
        slot = (key_id, version, sealed)
        aead = self._open.get(slot)
        if aead is None:
            try:
                aead = AESGCM(self._master.unseal(sealed, material_binding(key_id, version)))
            except MasterKeyError as exc:
                raise KeyringError("key material does not open") from exc
            if len(self._open) >= _CACHE_LIMIT:
                self._open.clear()
            self._open[slot] = aead
        return aead

    def encrypt(self, sealed: bytes, key_id: str, version: int, plaintext: bytes,
                aad: bytes) -> tuple[bytes, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        return nonce, self._aead(sealed, key_id, version).encrypt(nonce, plaintext, aad)

    def decrypt(self, sealed: bytes, key_id: str, version: int, nonce: bytes, ciphertext: bytes,
                aad: bytes) -> bytes:
        try:
            return self._aead(sealed, key_id, version).decrypt(nonce, ciphertext, aad)
        except InvalidTag as exc:
            raise KeyringError("ciphertext does not authenticate") from exc
