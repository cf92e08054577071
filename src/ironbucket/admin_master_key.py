"""``ironbucket admin rotate-master-key``, and how admin commands that seal secrets open the
master key (see ``masterkey/``).

``cli`` imports this module for its arguments also when it only serves, and the server's
supervisor stays small: storage and crypto are imported inside the functions that use them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ironbucket import config

if TYPE_CHECKING:
    from ironbucket.crypto.master_key import MasterKey
    from ironbucket.masterkey.rotate import Target
    from ironbucket.storage.interfaces import MetadataStore

PASSPHRASE_FILE_ENV = config.ENV_PREFIX + "MASTER_PASSPHRASE_FILE"
ENV_KEY, ENV_PASSPHRASE = config.ENV_PREFIX + "MASTER_KEY", config.ENV_PREFIX + "MASTER_PASSPHRASE"


def add_arguments(admin: argparse.ArgumentParser, commands: Any) -> None:
    """``admin --master-passphrase-file`` and the ``rotate-master-key`` command."""
    admin.add_argument("--master-passphrase-file", type=Path, default=None,
                       help=f"the master passphrase, when the server uses one (env {PASSPHRASE_FILE_ENV})")
    rotate_cmd = commands.add_parser(
        "rotate-master-key", help="seal every stored secret under a new master key (server stopped)",
        description="Re-seal access keys, STS sessions, MFA seeds, KMS key material and SSE-S3 keys "
        "under a new master key, in one transaction; object data is not touched. Default: a new "
        "random key in <data-dir>/master.key.")
    # Also accepted after the command name (SUPPRESS: absent, they leave admin's value alone).
    rotate_cmd.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                            help=f"data directory (env {config.ENV_PREFIX}DATA_DIR)")
    rotate_cmd.add_argument("--master-passphrase-file", type=Path, default=argparse.SUPPRESS,
                            help="the current master passphrase, if the server uses one")
    new = rotate_cmd.add_mutually_exclusive_group()
    new.add_argument("--new-passphrase-file", type=Path, default=None, metavar="FILE",
                     help="derive the new key from the passphrase in FILE")
    new.add_argument("--new-key-env", default=None, metavar="NAME",
                     help=f"the new key (base64 of 32 bytes) is in the environment variable NAME; "
                     f"start the server with {ENV_KEY} set to it")


def passphrase_file(args: argparse.Namespace) -> Path | None:
    given: Path | None = getattr(args, "master_passphrase_file", None)
    from_env = os.environ.get(PASSPHRASE_FILE_ENV)
    return given if given is not None else Path(from_env) if from_env else None


@contextlib.asynccontextmanager
async def sealing(data_dir: Path, args: argparse.Namespace) -> AsyncIterator[tuple[MetadataStore, MasterKey]]:
    """The store and the checked master key, for an admin command that seals secrets; a
    rotation cannot start meanwhile."""
    from ironbucket.masterkey.opening import key_lock, open_master_key
    from ironbucket.storage.open import open_storage

    with key_lock(data_dir, exclusive=False):
        meta, _ = open_storage(data_dir)
        try:
            opened = await open_master_key(data_dir, meta, passphrase_file(args))
            yield meta, opened.key
        finally:
            await meta.close()


async def run_rotate(data_dir: Path, args: argparse.Namespace) -> int:
    from ironbucket.crypto.master_key import MasterKeyError
    from ironbucket.crypto.master_source import ENV, FILE, PASSPHRASE
    from ironbucket.masterkey.opening import key_lock, open_master_key
    from ironbucket.masterkey.rotate import Target, rotate
    from ironbucket.server.run import DataDirInUse, lock_data_dir
    from ironbucket.storage.open import open_storage

    target = Target(PASSPHRASE, passphrase_file=args.new_passphrase_file) if args.new_passphrase_file \
        else Target(ENV, env_name=args.new_key_env) if args.new_key_env else Target(FILE)
    try:
        server_lock = lock_data_dir(data_dir)
    except DataDirInUse as exc:
        print(f"ironbucket: {exc}: stop it before rotating the master key", file=sys.stderr)
        return 1
    try:
        with key_lock(data_dir, exclusive=True):
            meta, _ = open_storage(data_dir)
            try:
                current = await open_master_key(data_dir, meta, passphrase_file(args))
                done = await rotate(data_dir, meta, current, target, os.environ)
            finally:
                await meta.close()
    except MasterKeyError as exc:
        print(f"ironbucket: {exc}", file=sys.stderr)
        return 2
    finally:
        os.close(server_lock)
    counts = ", ".join(f"{n} {what}" for what, n in sorted(done.counts.items())) or "nothing sealed yet"
    print(f"master key rotated: re-sealed {counts}")
    for line in _next_steps(data_dir, current.source.kind, target, done.removed_old_key_file):
        print(f"  {line}")
    return 0


def _next_steps(data_dir: Path, old: str, target: Target, removed: bool) -> list[str]:
    from ironbucket.crypto.master_source import ENV, FILE, KEY_FILE, PASSPHRASE

    lines = []
    if target.kind == FILE:
        lines.append(f"the new key is in {data_dir / KEY_FILE}")
    elif removed:
        lines.append(f"removed {data_dir / KEY_FILE} (the old key)")
    if target.kind == PASSPHRASE:
        lines.append(f"start the server with --master-passphrase-file {target.passphrase_file} "
                     f"(or {ENV_PASSPHRASE})")
    if target.kind == ENV:
        lines.append(f"start the server with {ENV_KEY} set to the value of {target.env_name}")
    if old == ENV and not (target.kind == ENV and target.env_name == ENV_KEY):
        lines.append(f"the old key is in {ENV_KEY}: change or unset it, it takes precedence")
    if old == PASSPHRASE and target.kind != PASSPHRASE:
        lines.append(f"remove the old passphrase ({ENV_PASSPHRASE} / --master-passphrase-file) from "
                     "the server's configuration: it takes precedence")
    lines.append("database backups made before now open only with the old key")
    return lines
