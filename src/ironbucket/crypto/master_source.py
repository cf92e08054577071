"""Where the server master key comes from. First found wins:

1. ``IRONBUCKET_MASTER_KEY``: base64 of 32 bytes (from a secret manager, say);
2. a passphrase: ``IRONBUCKET_MASTER_PASSPHRASE``, else the file ``--master-passphrase-file``,
   stretched with scrypt and the random salt kept in ``<data-dir>/master.kdf``;
3. the key file ``<data-dir>/master.key`` (base64, mode 0600), created on first start.

Whether the key found is the right one is decided against the check value stored with the data
(see ``ironbucket.masterkey.opening``). Nothing here logs or prints a key or a passphrase:
messages name only where one came from.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.storage.filesystem.writer import fsync_dir

ENV_KEY = "IRONBUCKET_MASTER_KEY"
ENV_PASSPHRASE = "IRONBUCKET_MASTER_PASSPHRASE"  # noqa: S105 - a variable's name
KEY_FILE = "master.key"
# A rotation's new key, until the commit that re-wrapped everything under it is known durable.
NEW_KEY_FILE = "master.key.new"
KDF_FILE = "master.kdf"
MIN_PASSPHRASE = 8
ENV, PASSPHRASE, FILE = "env", "passphrase", "file"
# scrypt cost: 64 MiB and ~0.2 s per derivation on a 2020s core; it runs once per process start.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**16, 8, 1
_KDF_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Source:
    kind: str  # ENV, PASSPHRASE or FILE
    label: str  # where the key comes from, for messages
    secret: bytes = field(default=b"", repr=False)  # the key (ENV) or the passphrase


@dataclass(frozen=True, slots=True)
class KdfParams:
    salt: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P


def pick_source(env: Mapping[str, str], passphrase_file: Path | None) -> Source | None:
    """The configured source, by precedence; None means the key file."""
    encoded = env.get(ENV_KEY)
    if encoded:
        return Source(ENV, ENV_KEY, decode_key(encoded, ENV_KEY))
    text = env.get(ENV_PASSPHRASE)
    if text:
        return Source(PASSPHRASE, ENV_PASSPHRASE, check_passphrase(text.encode(), ENV_PASSPHRASE))
    if passphrase_file is not None:
        return Source(PASSPHRASE, f"passphrase file {passphrase_file}", read_passphrase(passphrase_file))
    return None


def decode_key(encoded: str, where: str) -> bytes:
    try:
        key = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MasterKeyError(f"{where} must be base64 of 32 bytes") from exc
    if len(key) != 32:
        raise MasterKeyError(f"{where} must be base64 of 32 bytes")
    return key


def read_passphrase(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MasterKeyError(f"cannot read the master passphrase file {path}: {exc.strerror}") from exc
    # One trailing line break is the editor's, not the passphrase's.
    for ending in (b"\r\n", b"\n"):
        if raw.endswith(ending):
            raw = raw[: -len(ending)]
            break
    return check_passphrase(raw, f"passphrase file {path}")


def check_passphrase(passphrase: bytes, where: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise MasterKeyError(f"the master passphrase ({where}) must have at least "
                             f"{MIN_PASSPHRASE} characters")
    return passphrase


def derive(passphrase: bytes, params: KdfParams) -> MasterKey:
    kdf = Scrypt(salt=params.salt, length=32, n=params.n, r=params.r, p=params.p)
    return MasterKey(kdf.derive(passphrase))


def new_key() -> bytes:
    return os.urandom(32)


def encode_key(key: bytes) -> bytes:
    return base64.b64encode(key) + b"\n"


# --- files in the data directory ------------------------------------------------------------------
def read_key_file(path: Path) -> MasterKey | None:
    """The key in ``path``; None when there is no such file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return MasterKey(decode_key(raw.decode("ascii", "replace"), f"the key file {path}"))


def read_kdf(data_dir: Path) -> KdfParams | None:
    path = data_dir / KDF_FILE
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise MasterKeyError(f"{path} is not a key derivation record") from exc
    if not isinstance(doc, dict) or doc.get("v") != _KDF_FORMAT or doc.get("kdf") != "scrypt":
        raise MasterKeyError(f"{path}: unknown key derivation format")
    try:
        params = KdfParams(salt=base64.b64decode(doc["salt"], validate=True), n=int(doc["n"]),
                           r=int(doc["r"]), p=int(doc["p"]))
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise MasterKeyError(f"{path} is not a key derivation record") from exc
    # Bounds keep a tampered file from making every start allocate gigabytes.
    if (len(params.salt) < 16 or params.n < 2**14 or params.n > 2**20 or params.n & (params.n - 1)
            or not 1 <= params.r <= 32 or not 1 <= params.p <= 16):
        raise MasterKeyError(f"{path}: key derivation parameters out of range")
    return params


def create_kdf(data_dir: Path) -> KdfParams:
    """A new random salt with today's cost parameters, written durably (or the existing record,
    if another process got there first)."""
    params = KdfParams(salt=os.urandom(16))
    doc = {"v": _KDF_FORMAT, "kdf": "scrypt", "n": params.n, "r": params.r, "p": params.p,
           "salt": base64.b64encode(params.salt).decode()}
    try:
        write_new_file(data_dir / KDF_FILE, json.dumps(doc).encode() + b"\n")
    except FileExistsError:
        found = read_kdf(data_dir)
        assert found is not None
        return found
    return params


def write_new_file(path: Path, content: bytes) -> None:
    """Create ``path`` (0600; FileExistsError if it exists) and make it durable, name included."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
        f.flush()
        os.fsync(f.fileno())
    fsync_dir(path.parent)


def rename_durably(source: Path, target: Path) -> None:
    os.replace(source, target)
    fsync_dir(target.parent)


def remove_durably(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    fsync_dir(path.parent)
    return True

