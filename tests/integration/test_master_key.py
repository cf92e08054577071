"""The master key end to end: ``ironbucket admin rotate-master-key`` between two runs of the real
server keeps every secret working and leaves object data alone; passphrase mode refuses a wrong
passphrase at start; a rotation stopped between its commit and its rename is finished by the
next start."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from ironbucket.crypto import master_source as ms
from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from tests.integration import iam_helpers as h
from tests.integration import mfa_helpers as mfa
from tests.integration.kms_helpers import kms
from tests.integration.server import ROOT_ACCESS_KEY, clean_env, free_port, running_server

PASSPHRASE = "a long enough first passphrase"


def _admin(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ironbucket", "admin", "rotate-master-key",
                           "--data-dir", str(data), *args], env=clean_env(env), capture_output=True,
                          text=True, timeout=120, check=False)


def _blobs(data: Path) -> dict[str, str]:
    """Every stored object data file, by name, with its digest."""
    return {str(p.relative_to(data)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted((data / "blobs").rglob("*")) if p.is_file()}


def _sealed_secret(data: Path, access_key_id: str) -> bytes:
    with sqlite3.connect(data / "meta" / "ironbucket.sqlite3") as db:
        row = db.execute("SELECT sealed_secret FROM access_keys WHERE access_key_id = ?",
                         (access_key_id,)).fetchone()
    return bytes(row[0])


def _serve(data: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """A start that is expected to be refused (it never serves)."""
    return subprocess.run([sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(data),
                           "--address", f"127.0.0.1:{free_port()}", *args], env=clean_env(env),
                          capture_output=True, text=True, timeout=60, check=False)


def test_rotation_keeps_every_secret_and_touches_no_object_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    big, small = os.urandom(600 * 1024), b"small object, stored inline"  # a blob file, and inline
    with running_server(data) as server:
        account = h.new_account(server, "rotation")
        iam = h.client(server, "iam", account.root)
        _, user = h.new_user(iam, "alice")
        device = mfa.enabled(iam, "alice")
        got = h.client(server, "sts", account.root).get_session_token()["Credentials"]
        session = h.Creds(got["AccessKeyId"], got["SecretAccessKey"], got["SessionToken"])
        key_id = kms(server, account.root).create_key()["KeyMetadata"]["KeyId"]
        blob = kms(server, account.root).encrypt(KeyId=key_id, Plaintext=b"kms plaintext",
                                                  EncryptionContext={"purpose": "rotation"})
        s3 = h.s3(server, account.root)
        s3.create_bucket(Bucket="keep")
        s3.put_object(Bucket="keep", Key="big", Body=big)
        s3.put_object(Bucket="keep", Key="small", Body=small)
        refused = _admin(data)  # never while a server holds the data directory
        assert refused.returncode == 1 and "stop it before rotating" in refused.stderr
    old_key = ms.read_key_file(data / ms.KEY_FILE)
    assert old_key is not None
    old_sealed = _sealed_secret(data, user.access_key)
    old_key.unseal(old_sealed, user.access_key.encode())  # the test's probe works before
    blobs_before = _blobs(data)
    assert blobs_before  # the big object is in a blob file

    done = _admin(data)
    assert done.returncode == 0, done.stderr
    assert "re-sealed" in done.stdout and "3 access keys" in done.stdout  # two roots and alice
    assert "1 KMS key material" in done.stdout and "1 MFA device seeds" in done.stdout
    for line in done.stdout.splitlines():  # the key never appears
        assert (data / ms.KEY_FILE).read_text().strip() not in line

    new_key = ms.read_key_file(data / ms.KEY_FILE)
    assert new_key is not None and new_key.check != old_key.check
    with pytest.raises(MasterKeyError):
        old_key.unseal(_sealed_secret(data, user.access_key), user.access_key.encode())
    assert _blobs(data) == blobs_before  # object data: not one byte rewritten

    with running_server(data) as server:
        assert h.client(server, "sts", user).get_caller_identity()["Arn"].endswith(":user/alice")
        assert h.client(server, "sts", session).get_caller_identity()["Account"] == account.account_id
        plain = kms(server, account.root).decrypt(CiphertextBlob=blob["CiphertextBlob"],
                                                  EncryptionContext={"purpose": "rotation"})
        assert plain["Plaintext"] == b"kms plaintext"
        mfa_session = h.client(server, "sts", user).get_session_token(
            SerialNumber=device.serial, TokenCode=device.code(1))["Credentials"]
        assert mfa_session["AccessKeyId"].startswith("ASIA")
        s3 = h.s3(server, account.root)
        assert h.read(s3, "keep", "big") == big and h.read(s3, "keep", "small") == small
        # The default account's root keys (from the first start) still work too.
        assert h.client(server, "sts", h.Creds(server.access_key, server.secret_key)
                        ).get_caller_identity()["Arn"].endswith(":root")
        assert server.access_key == ROOT_ACCESS_KEY


def test_passphrase_mode_refuses_a_wrong_passphrase_at_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    right, wrong, new = tmp_path / "right", tmp_path / "wrong", tmp_path / "new"
    right.write_text(PASSPHRASE + "\n")
    wrong.write_text("not the passphrase at all\n")
    new.write_text("the second passphrase\n")
    with running_server(data, extra_args=["--master-passphrase-file", str(right)]) as server:
        h.s3(server, h.Creds(server.access_key, server.secret_key)).create_bucket(Bucket="passphrase-bucket")
    assert not (data / ms.KEY_FILE).exists() and (data / ms.KDF_FILE).exists()

    for args, env in [(["--master-passphrase-file", str(wrong)], None),
                      ([], {ms.ENV_PASSPHRASE: "not the passphrase at all"})]:
        refused = _serve(data, *args, env=env)
        assert refused.returncode == 2, refused.stderr
        assert "ironbucket: wrong master passphrase" in refused.stderr
        assert "Traceback" not in refused.stderr and "not the passphrase" not in refused.stderr
    refused = _serve(data)  # no passphrase at all: no key
    assert refused.returncode == 2 and "no master key" in refused.stderr

    with running_server(data, env={ms.ENV_PASSPHRASE: PASSPHRASE}) as server:
        assert [b["Name"] for b in h.s3(server, h.Creds(server.access_key, server.secret_key)
                                        ).list_buckets()["Buckets"]] == ["passphrase-bucket"]
        # Admin commands that seal secrets need the passphrase too, and check it.
        for given, status, says in [([], 2, "no master key"),
                                    (["--master-passphrase-file", str(wrong)], 2, "wrong master passphrase"),
                                    (["--master-passphrase-file", str(right)], 0, "")]:
            made = subprocess.run([sys.executable, "-m", "ironbucket", "admin", "--data-dir", str(data),
                                   *given, "account", "create", "by-admin", "--json"],
                                  env=clean_env(), capture_output=True, text=True, timeout=60, check=False)
            assert made.returncode == status and says in made.stderr, made.stderr
        created = json.loads(made.stdout)
        creds = h.Creds(created["AccessKeyId"], created["SecretAccessKey"])
        assert h.client(server, "sts", creds).get_caller_identity()["Account"] == created["AccountId"]

    wrong_current = _admin(data, "--new-passphrase-file", str(new))
    assert wrong_current.returncode == 2 and "no master key" in wrong_current.stderr
    done = _admin(data, "--master-passphrase-file", str(right), "--new-passphrase-file", str(new))
    assert done.returncode == 0, done.stderr
    assert f"--master-passphrase-file {new}" in done.stdout
    assert _serve(data, "--master-passphrase-file", str(right)).returncode == 2
    # Two workers: each derives the key itself and checks it.
    with running_server(data, workers=2, extra_args=["--master-passphrase-file", str(new)]) as server:
        creds = h.Creds(server.access_key, server.secret_key)
        for _ in range(4):
            assert h.s3(server, creds).list_buckets()["Buckets"][0]["Name"] == "passphrase-bucket"


def test_a_rotation_stopped_after_its_commit_is_finished_by_the_next_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        account = h.new_account(server, "crash")
    old = (data / ms.KEY_FILE).read_bytes()
    asyncio.run(_commit_without_rename(data))  # as if killed right after the commit
    assert (data / ms.NEW_KEY_FILE).exists() and (data / ms.KEY_FILE).read_bytes() == old
    with running_server(data) as server:
        assert "completed an interrupted master key rotation" in server.log()
        assert h.client(server, "sts", account.root).get_caller_identity()["Account"] == account.account_id
    assert not (data / ms.NEW_KEY_FILE).exists() and (data / ms.KEY_FILE).read_bytes() != old


async def _commit_without_rename(data: Path) -> None:
    """``rotate()`` up to and including its commit, and not one step further."""
    from ironbucket.masterkey import rotate as rot
    from ironbucket.masterkey.opening import CHECK_SETTING, open_master_key
    from ironbucket.masterkey.reseal import SETTING_PREFIXES, rotating
    from ironbucket.storage.open import open_storage
    from ironbucket.storage.sealed import SettingSwap

    meta, _ = open_storage(data)
    try:
        current = await open_master_key(data, meta, None, {})
        new: MasterKey = rot._prepare(data, rot.Target(), {})
        tally: Counter[str] = Counter()
        await meta.reseal_all(rotating(current.key, new, tally), SETTING_PREFIXES,
                              SettingSwap(CHECK_SETTING, current.key.check, new.check))
        assert tally["access keys"] == 2
    finally:
        await meta.close()


