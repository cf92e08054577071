"""Master key rotation: every value sealed under the current key is sealed again under a new one,
in one transaction that also records the new key's check value. Object data is not touched:
object data keys are wrapped by KMS keys or SSE-S3 key-encryption keys, which are re-wrapped.

Crash safety: the new key is stored durably *before* the commit (``master.key.new``, the
passphrase's salt, or the operator's environment variable) and the old one is dropped only
*after* it, so whatever stops the rotation, the data is sealed under a key that exists. A new key
file left beside the old one is settled by the next start (``opening.finish_rotation``): the
stored check value says which of the two the data is under.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.crypto.master_source import (
    ENV,
    FILE,
    KEY_FILE,
    NEW_KEY_FILE,
    PASSPHRASE,
    create_kdf,
    decode_key,
    derive,
    encode_key,
    new_key,
    read_kdf,
    read_passphrase,
    remove_durably,
    rename_durably,
    write_new_file,
)
from ironbucket.masterkey.opening import CHECK_SETTING, Opened, finish_rotation
from ironbucket.masterkey.reseal import SETTING_PREFIXES, rotating
from ironbucket.storage.interfaces import MetadataStore
from ironbucket.storage.sealed import SettingSwap


@dataclass(frozen=True, slots=True)
class Target:
    """The new key: a fresh random key file (FILE), a passphrase (PASSPHRASE, from
    ``passphrase_file``) or a key the operator holds in an environment variable (ENV)."""

    kind: str = FILE
    passphrase_file: Path | None = None
    env_name: str | None = None


@dataclass(frozen=True, slots=True)
class Rotated:
    counts: Mapping[str, int]  # re-sealed values by what they are
    removed_old_key_file: bool


async def rotate(data_dir: Path, meta: MetadataStore, current: Opened, target: Target,
                 env: Mapping[str, str]) -> Rotated:
    """The server must be stopped (the caller holds the data directory's lock)."""
    key = _prepare(data_dir, target, env)
    if key.check == current.key.check:  # only a passphrase or variable can repeat: no file made
        raise MasterKeyError("the new master key is the current one")
    tally: Counter[str] = Counter()
    try:
        await meta.reseal_all(rotating(current.key, key, tally), SETTING_PREFIXES,
                              SettingSwap(CHECK_SETTING, current.key.check, key.check))
    except BaseException:
        # Decide by what the database says, never by the exception: the new key file goes only
        # if the data is not under it.
        finish_rotation(data_dir, await meta.get_setting(CHECK_SETTING))
        raise
    removed = False
    if target.kind == FILE:
        rename_durably(data_dir / NEW_KEY_FILE, data_dir / KEY_FILE)
    else:
        removed = remove_durably(data_dir / KEY_FILE)  # it holds the old key, which opens nothing now
    return Rotated(dict(tally), removed)


def _prepare(data_dir: Path, target: Target, env: Mapping[str, str]) -> MasterKey:
    """The new key, already stored durably wherever it will live."""
    if target.kind == PASSPHRASE:
        assert target.passphrase_file is not None
        passphrase = read_passphrase(target.passphrase_file)
        return derive(passphrase, read_kdf(data_dir) or create_kdf(data_dir))
    if target.kind == ENV:
        assert target.env_name is not None
        encoded = env.get(target.env_name)
        if not encoded:
            raise MasterKeyError(f"the environment variable {target.env_name} is not set")
        return MasterKey(decode_key(encoded, target.env_name))
    if target.kind != FILE:
        raise ValueError(f"unknown master key target {target.kind!r}")
    raw = new_key()
    try:  # opening the current key settled any leftover; one now is another rotation's
        write_new_file(data_dir / NEW_KEY_FILE, encode_key(raw))
    except FileExistsError as exc:
        raise MasterKeyError(f"{data_dir / NEW_KEY_FILE} exists: is another rotation running?") from exc
    return MasterKey(raw)
