"""Master key rotation: every kind of sealed value re-sealed under the new key with its binding,
in one transaction, and a crash at any step leaving the data under a key that exists."""

from __future__ import annotations

import base64
import os
from collections import Counter
from pathlib import Path

import pytest

from ironbucket.crypto import master_source as ms
from ironbucket.crypto.master_key import MasterKeyError
from ironbucket.masterkey import rotate as rot
from ironbucket.masterkey.opening import CHECK_SETTING, Opened, open_master_key
from ironbucket.masterkey.reseal import SETTING_PREFIXES, rotating
from ironbucket.storage.sealed import SettingChanged, SettingSwap
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.masterkey.support import Secrets, opened, store_every_kind

K1 = base64.b64encode(os.urandom(32)).decode()
K2 = base64.b64encode(os.urandom(32)).decode()
EVERY_KIND = {"access keys": 1, "STS sessions": 1, "STS session tokens": 1, "KMS key material": 1,
              "MFA device seeds": 1, "SSE-S3 keys": 1}


async def _setup(tmp_path: Path, meta: SqliteMetadataStore,
                 env: dict[str, str]) -> tuple[Opened, Secrets]:
    current = await open_master_key(tmp_path, meta, None, env)
    return current, await store_every_kind(meta, current.key)


def _target(tmp_path: Path, kind: str) -> rot.Target:
    if kind == ms.PASSPHRASE:
        (tmp_path / "new-pass").write_text("the new passphrase\n")
        return rot.Target(ms.PASSPHRASE, passphrase_file=tmp_path / "new-pass")
    if kind == ms.ENV:
        return rot.Target(ms.ENV, env_name="NEW_MASTER_KEY")
    return rot.Target()


# How the server is configured after the rotation to each target.
AFTER = {ms.FILE: {}, ms.PASSPHRASE: {ms.ENV_PASSPHRASE: "the new passphrase"},
         ms.ENV: {ms.ENV_KEY: K2}}


@pytest.mark.parametrize(("before", "target"), [
    ({}, ms.FILE),
    ({}, ms.PASSPHRASE),
    ({}, ms.ENV),
    ({ms.ENV_PASSPHRASE: "the old passphrase"}, ms.PASSPHRASE),
    ({ms.ENV_PASSPHRASE: "the old passphrase"}, ms.FILE),
    ({ms.ENV_KEY: K1}, ms.FILE),
    ({ms.ENV_KEY: K1}, ms.ENV),
])
async def test_rotation_reseals_every_kind_under_the_new_key(
        tmp_path: Path, meta: SqliteMetadataStore, before: dict[str, str], target: str) -> None:
    current, secrets = await _setup(tmp_path, meta, before)
    old_file = (tmp_path / ms.KEY_FILE).read_bytes() if (tmp_path / ms.KEY_FILE).exists() else None
    done = await rot.rotate(tmp_path, meta, current, _target(tmp_path, target),
                            {"NEW_MASTER_KEY": K2})
    assert done.counts == EVERY_KIND
    new = await open_master_key(tmp_path, meta, None, AFTER[target])
    assert new.source.kind == target and new.key.check != current.key.check
    assert await meta.get_setting(CHECK_SETTING) == new.key.check
    assert await opened(meta, new.key, secrets) == secrets
    with pytest.raises(MasterKeyError):  # the old key opens nothing any more
        await opened(meta, current.key, secrets)
    assert not (tmp_path / ms.NEW_KEY_FILE).exists()
    if target == ms.FILE:
        assert (tmp_path / ms.KEY_FILE).read_bytes() != old_file
    else:  # a key file would only hold the old key
        assert not (tmp_path / ms.KEY_FILE).exists() and done.removed_old_key_file == (old_file is not None)
    if before or target != ms.FILE:  # the old configuration no longer starts
        with pytest.raises(MasterKeyError):
            await open_master_key(tmp_path, meta, None, before)


async def test_rotating_to_the_current_key_is_refused(tmp_path: Path,
                                                      meta: SqliteMetadataStore) -> None:
    current, secrets = await _setup(tmp_path, meta, {ms.ENV_KEY: K1})
    with pytest.raises(MasterKeyError, match="the new master key is the current one"):
        await rot.rotate(tmp_path, meta, current, rot.Target(ms.ENV, env_name="SAME"), {"SAME": K1})
    assert await opened(meta, current.key, secrets) == secrets


async def test_one_value_that_does_not_open_changes_nothing(tmp_path: Path,
                                                            meta: SqliteMetadataStore) -> None:
    current, secrets = await _setup(tmp_path, meta, {})
    key_file = (tmp_path / ms.KEY_FILE).read_bytes()
    await meta.put_setting("sse-s3-kek/broken", base64.b64encode(b"IBK1" + os.urandom(40)).decode())
    with pytest.raises(MasterKeyError, match="SSE-S3 keys: sse-s3-kek/broken does not open"):
        await rot.rotate(tmp_path, meta, current, rot.Target(), {})
    assert (tmp_path / ms.KEY_FILE).read_bytes() == key_file
    assert not (tmp_path / ms.NEW_KEY_FILE).exists()  # the new key opened nothing: it is gone
    assert await meta.get_setting(CHECK_SETTING) == current.key.check
    assert await opened(meta, current.key, secrets) == secrets


async def test_crash_after_the_commit_is_completed_by_the_next_start(
        tmp_path: Path, meta: SqliteMetadataStore) -> None:
    current, secrets = await _setup(tmp_path, meta, {})
    # The steps of rotate() up to the commit, then "power loss" before the rename.
    new = rot._prepare(tmp_path, rot.Target(), {})
    await meta.reseal_all(rotating(current.key, new, Counter()),
                          SETTING_PREFIXES, SettingSwap(CHECK_SETTING, current.key.check, new.check))
    assert (tmp_path / ms.NEW_KEY_FILE).exists()
    started = await open_master_key(tmp_path, meta, None, {})
    assert started.finished is not None and "completed an interrupted" in started.finished
    assert started.key.check == new.check and not (tmp_path / ms.NEW_KEY_FILE).exists()
    assert await opened(meta, started.key, secrets) == secrets


@pytest.mark.parametrize("torn", [False, True])
async def test_crash_before_the_commit_keeps_the_old_key(tmp_path: Path, meta: SqliteMetadataStore,
                                                         torn: bool) -> None:
    current, secrets = await _setup(tmp_path, meta, {})
    rot._prepare(tmp_path, rot.Target(), {})  # then "power loss" before the commit
    if torn:
        (tmp_path / ms.NEW_KEY_FILE).write_bytes(b"half a ke")
    started = await open_master_key(tmp_path, meta, None, {})
    assert started.finished is not None and "did not commit" in started.finished
    assert started.key.check == current.key.check and not (tmp_path / ms.NEW_KEY_FILE).exists()
    assert await opened(meta, current.key, secrets) == secrets
    # A worker does not settle leftovers (bootstrap does, before any worker starts).
    rot._prepare(tmp_path, rot.Target(), {})
    assert (await open_master_key(tmp_path, meta, None, {}, first=False)).finished is None
    assert (tmp_path / ms.NEW_KEY_FILE).exists()


async def test_a_stale_current_key_cannot_commit(tmp_path: Path, meta: SqliteMetadataStore) -> None:
    """Two rotations racing: the second was opened before the first committed."""
    current, secrets = await _setup(tmp_path, meta, {})
    await rot.rotate(tmp_path, meta, current, rot.Target(ms.ENV, env_name="N"), {"N": K2})
    with pytest.raises(SettingChanged):
        await rot.rotate(tmp_path, meta, current, rot.Target(), {})
    assert not (tmp_path / ms.NEW_KEY_FILE).exists()
    after = await open_master_key(tmp_path, meta, None, {ms.ENV_KEY: K2})
    assert await opened(meta, after.key, secrets) == secrets


async def test_new_key_sources_are_checked_before_anything_changes(
        tmp_path: Path, meta: SqliteMetadataStore) -> None:
    current, secrets = await _setup(tmp_path, meta, {})
    short = tmp_path / "short"
    short.write_text("short\n")
    for target, env, message in [
        (rot.Target(ms.ENV, env_name="UNSET"), {}, "UNSET is not set"),
        (rot.Target(ms.ENV, env_name="BAD"), {"BAD": "xyz"}, "BAD must be base64 of 32 bytes"),
        (rot.Target(ms.PASSPHRASE, passphrase_file=short), {}, "at least 8 characters"),
    ]:
        with pytest.raises(MasterKeyError, match=message):
            await rot.rotate(tmp_path, meta, current, target, env)
    assert await meta.get_setting(CHECK_SETTING) == current.key.check
    assert await opened(meta, current.key, secrets) == secrets
