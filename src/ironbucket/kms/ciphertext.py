"""The ciphertext blob KMS hands out (Encrypt, GenerateDataKey*), version 1:

    b"\\x01" | key id (36 ASCII, a UUID) | material version (uint32 BE) | nonce (12) | AES-GCM(ct+tag)

The header (everything before the nonce) and the canonical encryption context are the AEAD's
associated data, so changing the key id, the material version, a byte of the body, or the
context makes decryption fail. Decrypt finds the key from the header alone, as KMS does. Any
blob that does not parse or open answers InvalidCiphertextException.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.kms.errors import InvalidCiphertextException

FORMAT_V1 = 1
KEY_ID_LEN = 36
NONCE_LEN = 12
TAG_LEN = 16
HEADER_LEN = 1 + KEY_ID_LEN + 4
MIN_LEN = HEADER_LEN + NONCE_LEN + TAG_LEN
MAX_LEN = 6144  # AWS's CiphertextBlob limit


@dataclass(frozen=True, slots=True)
class Blob:
    key_id: str
    material_version: int
    header: bytes
    nonce: bytes
    sealed: bytes  # ciphertext + GCM tag


def header(key_id: str, material_version: int) -> bytes:
    raw = key_id.encode("ascii")
    if len(raw) != KEY_ID_LEN:
        raise ValueError("key ids are 36-character UUIDs")
    return bytes([FORMAT_V1]) + raw + struct.pack(">I", material_version)


def pack(key_id: str, material_version: int, nonce: bytes, sealed: bytes) -> bytes:
    return header(key_id, material_version) + nonce + sealed


def parse(blob: bytes) -> Blob:
    if len(blob) < MIN_LEN or len(blob) > MAX_LEN or blob[0] != FORMAT_V1:
        raise InvalidCiphertextException()
    try:
        key_id = blob[1:1 + KEY_ID_LEN].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidCiphertextException() from None
    (version,) = struct.unpack(">I", blob[1 + KEY_ID_LEN:HEADER_LEN])
    return Blob(key_id, version, blob[:HEADER_LEN], blob[HEADER_LEN:HEADER_LEN + NONCE_LEN],
                blob[HEADER_LEN + NONCE_LEN:])


def associated_data(head: bytes, context: Mapping[str, str]) -> bytes:
    """The header and the encryption context, canonical (sorted, compact): KMS binds the
    context as a whole, whatever order the caller listed its pairs in."""
    canonical = json.dumps(dict(sorted(context.items())), separators=(",", ":"), ensure_ascii=False)
    return head + canonical.encode("utf-8")
