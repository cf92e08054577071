"""Opening the master key against the stored check value: first starts per source, and every
way the key at a later start can be the wrong one."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from ironbucket.crypto import master_source as ms
from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.masterkey.opening import CHECK_SETTING, open_master_key
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.masterkey.support import opened, store_every_kind

K1 = base64.b64encode(os.urandom(32)).decode()
K2 = base64.b64encode(os.urandom(32)).decode()
P1 = {ms.ENV_PASSPHRASE: "first passphrase"}
P2 = {ms.ENV_PASSPHRASE: "second passphrase"}


@pytest.mark.parametrize(("env", "files", "kind"), [
    ({}, {ms.KEY_FILE}, ms.FILE),
    (P1, {ms.KDF_FILE}, ms.PASSPHRASE),
    ({ms.ENV_KEY: K1}, set(), ms.ENV),
])
async def test_first_start_creates_what_the_source_needs_and_records_the_check(
        tmp_path: Path, meta: SqliteMetadataStore, env: dict[str, str], files: set[str],
        kind: str) -> None:
    first = await open_master_key(tmp_path, meta, None, env)
    assert first.source.kind == kind
    made = {p.name for p in tmp_path.iterdir() if p.name.startswith("master.")}
    assert made == files
    for name in files:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert await meta.get_setting(CHECK_SETTING) == first.key.check
    again = await open_master_key(tmp_path, meta, None, env)
    worker = await open_master_key(tmp_path, meta, None, env, first=False)
    assert again.key.check == worker.key.check == first.key.check


async def test_passphrase_file_is_a_source(tmp_path: Path, meta: SqliteMetadataStore) -> None:
    path = tmp_path / "pass"
    path.write_text("first passphrase\n")
    from_file = await open_master_key(tmp_path, meta, path, {})
    from_env = await open_master_key(tmp_path, meta, None, P1)  # the same passphrase, same key
    assert from_file.key.check == from_env.key.check and from_file.source.kind == ms.PASSPHRASE


@pytest.mark.parametrize(("first_env", "then_env", "tamper", "message"), [
    (P1, P2, None, r"wrong master passphrase \(IRONBUCKET_MASTER_PASSPHRASE\): it does not open "
                   r"this data directory$"),
    ({}, P1, None, r"master\.kdf \(the passphrase's salt\) is missing; .*master\.key is the master "
                   r"key, and IRONBUCKET_MASTER_PASSPHRASE takes precedence over it: remove that "
                   r"setting"),
    ({}, {ms.ENV_KEY: K2}, None, r"IRONBUCKET_MASTER_KEY is not the master key of this data "
                                 r"directory; .*master\.key is the master key, and "
                                 r"IRONBUCKET_MASTER_KEY takes precedence"),
    ({ms.ENV_KEY: K1}, {ms.ENV_KEY: K2}, None, r"IRONBUCKET_MASTER_KEY is not the master key of "
                                               r"this data directory$"),
    ({ms.ENV_KEY: K1}, {}, None, r"no master key: .*master\.key is missing and neither "
                                 r"IRONBUCKET_MASTER_KEY nor a master passphrase is set"),
    (P1, {}, None, r"no master key: .*master\.key is missing"),
    ({}, {}, "replace-key-file", r"the key file .*master\.key is not the master key"),
    ({}, {}, "remove-key-file", r"no master key: .*master\.key is missing"),
    (P1, P1, "remove-kdf", r"master\.kdf \(the passphrase's salt\) is missing"),
])
async def test_a_wrong_key_is_refused_with_a_clear_message(
        tmp_path: Path, meta: SqliteMetadataStore, first_env: dict[str, str],
        then_env: dict[str, str], tamper: str | None, message: str) -> None:
    first = await open_master_key(tmp_path, meta, None, first_env)
    secrets = await store_every_kind(meta, first.key)
    if tamper == "replace-key-file":
        (tmp_path / ms.KEY_FILE).write_bytes(ms.encode_key(os.urandom(32)))
    elif tamper == "remove-key-file":
        (tmp_path / ms.KEY_FILE).unlink()
    elif tamper == "remove-kdf":
        (tmp_path / ms.KDF_FILE).unlink()
    before = sorted(p.name for p in tmp_path.iterdir())
    for first_start in (True, False):
        with pytest.raises(MasterKeyError, match=message) as err:
            await open_master_key(tmp_path, meta, None, then_env, first=first_start)
        for value in then_env.values():  # nothing secret in the message
            assert value not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no stray key file or salt
    assert await meta.get_setting(CHECK_SETTING) == first.key.check
    assert await opened(meta, first.key, secrets) == secrets


async def test_a_worker_never_creates_a_key(tmp_path: Path, meta: SqliteMetadataStore) -> None:
    with pytest.raises(MasterKeyError, match="is missing"):
        await open_master_key(tmp_path, meta, None, {}, first=False)
    with pytest.raises(MasterKeyError, match="check value is not recorded yet"):
        await open_master_key(tmp_path, meta, None, {ms.ENV_KEY: K1}, first=False)
    assert not list(tmp_path.glob("master.*")) and await meta.get_setting(CHECK_SETTING) is None


async def test_a_data_directory_from_before_check_values_gets_one_if_its_key_opens_everything(
        tmp_path: Path, meta: SqliteMetadataStore) -> None:
    old = MasterKey(os.urandom(32))
    secrets = await store_every_kind(meta, old)  # sealed without any check recorded
    # The key file was lost: a fresh one must not be accepted, nor left behind.
    with pytest.raises(MasterKeyError, match="does not open the secrets already stored"):
        await open_master_key(tmp_path, meta, None, {})
    assert not (tmp_path / ms.KEY_FILE).exists()
    with pytest.raises(MasterKeyError, match="IRONBUCKET_MASTER_KEY does not open"):
        await open_master_key(tmp_path, meta, None, {ms.ENV_KEY: K1})
    assert await meta.get_setting(CHECK_SETTING) is None
    (tmp_path / ms.KEY_FILE).write_bytes(ms.encode_key(_raw(old)))
    found = await open_master_key(tmp_path, meta, None, {})
    assert found.key.check == old.check == await meta.get_setting(CHECK_SETTING)
    assert await opened(meta, old, secrets) == secrets  # checking changed nothing


_RAW: dict[str, bytes] = {}


def _raw(key: MasterKey) -> bytes:
    return _RAW[key.check]


@pytest.fixture(autouse=True)
def _remember_raw_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests need a key's bytes to write it into a key file; MasterKey does not give them out."""
    original = MasterKey.__init__

    def init(self: MasterKey, key: bytes) -> None:
        original(self, key)
        _RAW[self.check] = key
    monkeypatch.setattr(MasterKey, "__init__", init)
