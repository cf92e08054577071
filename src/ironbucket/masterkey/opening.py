"""Opening the master key of a data directory, and refusing one that is not its key.

The metadata store holds the key's check value (setting ``master-key/check``). The first start
records it, after proving that every value already sealed opens with the key (so a data
directory from before check values gets one too). Every later start, worker and admin command
compares: a wrong passphrase, a changed ``IRONBUCKET_MASTER_KEY`` or a lost key file stops the
server at once with a message saying so, instead of leaving secrets that no longer open.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.crypto.master_source import (
    ENV,
    ENV_KEY,
    FILE,
    KDF_FILE,
    KEY_FILE,
    NEW_KEY_FILE,
    PASSPHRASE,
    Source,
    create_kdf,
    derive,
    encode_key,
    new_key,
    pick_source,
    read_kdf,
    read_key_file,
    remove_durably,
    rename_durably,
    write_new_file,
)
from ironbucket.masterkey.reseal import SETTING_PREFIXES, opening
from ironbucket.storage.interfaces import MetadataStore
from ironbucket.storage.sealed import SettingChanged, SettingSwap

CHECK_SETTING = "master-key/check"
# Admin commands that seal hold it shared; a rotation holds it exclusively.
LOCK_FILE = "master.lock"


@dataclass(frozen=True, slots=True)
class Opened:
    key: MasterKey
    source: Source
    finished: str | None = None  # what an interrupted rotation left, and what became of it


async def open_master_key(data_dir: Path, meta: MetadataStore, passphrase_file: Path | None,
                          env: Mapping[str, str] | None = None, *, first: bool = True) -> Opened:
    """``first`` (bootstrap, admin commands): finish an interrupted rotation, and on the data
    directory's first start create the key file (or the passphrase's salt) and record the check.
    Workers (``first=False``) only load and compare. MasterKeyError says what is wrong."""
    env = os.environ if env is None else env
    check = await meta.get_setting(CHECK_SETTING)
    finished = finish_rotation(data_dir, check) if first else None
    source = pick_source(env, passphrase_file)
    created: Path | None = None
    if source is None:
        path = data_dir / KEY_FILE
        source = Source(FILE, f"the key file {path}")
        found = read_key_file(path)
        if found is None and (check is not None or not first):
            raise MasterKeyError(f"no master key: {path} is missing and neither {ENV_KEY} nor a "
                                 "master passphrase is set")
        if found is None:
            key, created = _create_key_file(path), path
        else:
            key = found
    elif source.kind == PASSPHRASE:
        params = read_kdf(data_dir)
        if params is None and (check is not None or not first):
            raise MasterKeyError(f"{data_dir / KDF_FILE} (the passphrase's salt) is missing"
                                 + _hint(data_dir, source, check))
        key = derive(source.secret, params or create_kdf(data_dir))
    else:
        key = MasterKey(source.secret)
    if check is None and first:
        check = await _record_check(meta, key, source, created)
    if check != key.check:
        raise MasterKeyError(_mismatch(data_dir, source, check))
    return Opened(key, source, finished)


def finish_rotation(data_dir: Path, check: str | None) -> str | None:
    """A rotation to a new key file writes ``master.key.new``, commits, then renames it into
    place. If it stopped in between, the stored check value tells which key the data is under."""
    path = data_dir / NEW_KEY_FILE
    if not path.exists():
        return None
    try:
        new = read_key_file(path)
    except MasterKeyError:
        new = None  # written and fsync'd before the commit: torn means never committed
    if new is not None and check == new.check:
        rename_durably(path, data_dir / KEY_FILE)
        return f"completed an interrupted master key rotation ({NEW_KEY_FILE} -> {KEY_FILE})"
    remove_durably(path)
    return f"removed {NEW_KEY_FILE} of a master key rotation that did not commit"


@contextlib.contextmanager
def key_lock(data_dir: Path, *, exclusive: bool) -> Iterator[None]:
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB if exclusive else fcntl.LOCK_SH)
        except BlockingIOError as exc:
            raise MasterKeyError("another ironbucket admin command is using the master key") from exc
        yield
    finally:
        os.close(fd)


def _create_key_file(path: Path) -> MasterKey:
    key = new_key()
    try:
        write_new_file(path, encode_key(key))
    except FileExistsError:  # another process's first start won
        found = read_key_file(path)
        assert found is not None
        return found
    return MasterKey(key)


async def _record_check(meta: MetadataStore, key: MasterKey, source: Source,
                        created: Path | None) -> str | None:
    """Record the key's check value, in the transaction that proves every sealed value opens."""
    try:
        await meta.reseal_all(opening(key, Counter()), SETTING_PREFIXES,
                              SettingSwap(CHECK_SETTING, None, key.check))
    except SettingChanged:  # another process recorded one meanwhile: compare with that
        return await meta.get_setting(CHECK_SETTING)
    except MasterKeyError as exc:
        if created is not None:
            remove_durably(created)
        raise MasterKeyError(f"the master key from {source.label} does not open the secrets "
                             f"already stored ({exc})") from exc
    return key.check


def _mismatch(data_dir: Path, source: Source, check: str | None) -> str:
    if check is None:
        return "the master key's check value is not recorded yet: start the server once first"
    if source.kind == PASSPHRASE:
        problem = f"wrong master passphrase ({source.label}): it does not open this data directory"
    elif source.kind == ENV:
        problem = f"{ENV_KEY} is not the master key of this data directory"
    else:
        problem = f"{source.label} is not the master key of this data directory"
    return problem + _hint(data_dir, source, check)


def _hint(data_dir: Path, source: Source, check: str | None) -> str:
    """When the key file is the right key, but a setting that takes precedence is in the way."""
    if source.kind != FILE and check is not None:
        with contextlib.suppress(MasterKeyError, OSError):
            on_disk = read_key_file(data_dir / KEY_FILE)
            if on_disk is not None and on_disk.check == check:
                return (f"; {data_dir / KEY_FILE} is the master key, and {source.label} takes "
                        "precedence over it: remove that setting")
    return ""
