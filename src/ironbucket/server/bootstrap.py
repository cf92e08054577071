"""First-start and every-start work, done once before any worker serves: data directory,
master key, storage recovery, and the default account with its root user.

Heavy modules (storage, crypto) are imported inside ``bootstrap`` only: the supervisor that
imports this module must stay small.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ironbucket.config import Settings

CREDENTIALS_FILE = "root-credentials.json"


class StartupRefused(Exception):
    """The data directory cannot be served as configured (e.g. the wrong master key)."""


@dataclass(frozen=True, slots=True)
class Bootstrap:
    account_id: str
    access_key_id: str | None
    # Only on the very first start, so the banner can print it once.
    new_secret: str | None = field(default=None, repr=False)
    recovered: str | None = None  # what startup recovery cleaned up, if anything

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bootstrap:
        return cls(**data)


def prepare_data_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)


async def bootstrap(settings: Settings) -> Bootstrap:
    from ironbucket.crypto.master_key import MasterKeyError
    from ironbucket.iam.accounts import DEFAULT_ACCOUNT_SETTING, create_account
    from ironbucket.masterkey.opening import open_master_key
    from ironbucket.storage.open import open_storage
    from ironbucket.storage.recovery import recover

    prepare_data_dir(settings.data_dir)
    meta, blobs = open_storage(settings.data_dir)
    try:
        try:
            opened = await open_master_key(settings.data_dir, meta, settings.master_passphrase_file)
        except MasterKeyError as exc:
            raise StartupRefused(str(exc)) from exc
        master = opened.key
        report = await recover(meta, blobs)
        notes = [opened.finished] if opened.finished else []
        if report.orphans_removed or report.temporary_removed:
            notes.append(str(report))
        recovered = "; ".join(notes) or None
        account_id = await meta.get_setting(DEFAULT_ACCOUNT_SETTING)
        if account_id is not None:
            return Bootstrap(account_id, _stored_key_id(settings.data_dir), None, recovered)
        created = await create_account(
            meta, master, "default", time.time(),
            access_key_id=settings.root_access_key, secret_access_key=settings.root_secret_key)
        await meta.put_setting(DEFAULT_ACCOUNT_SETTING, created.account.account_id)
        _write_credentials(settings.data_dir, created.account.account_id, created.access_key_id,
                           created.secret_access_key)
        generated = settings.root_secret_key is None
        return Bootstrap(created.account.account_id, created.access_key_id,
                         created.secret_access_key if generated else None, recovered)
    finally:
        await meta.close()


def _write_credentials(data_dir: Path, account_id: str, key_id: str, secret: str) -> None:
    path = data_dir / CREDENTIALS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"AccountId": account_id, "AccessKeyId": key_id, "SecretAccessKey": secret}, f)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())


def _stored_key_id(data_dir: Path) -> str | None:
    try:
        with (data_dir / CREDENTIALS_FILE).open() as f:
            value = json.load(f).get("AccessKeyId")
    except (OSError, ValueError):
        return None
    return value if isinstance(value, str) else None
