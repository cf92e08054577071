"""Master key sources and their precedence, the passphrase KDF and its stored parameters, the
check value."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from ironbucket.crypto import master_source as ms
from ironbucket.crypto.master_key import MasterKey, MasterKeyError

KEY = os.urandom(32)
KEY_B64 = base64.b64encode(KEY).decode()
PASS = "correct horse battery staple"


@pytest.fixture
def pass_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text("from the file\n")
    return path


@pytest.mark.parametrize(("env", "with_file", "kind", "label"), [
    ({}, False, None, None),
    ({ms.ENV_KEY: ""}, False, None, None),  # set but empty: as if unset
    ({}, True, ms.PASSPHRASE, "passphrase file"),
    ({ms.ENV_PASSPHRASE: PASS}, True, ms.PASSPHRASE, ms.ENV_PASSPHRASE),
    ({ms.ENV_PASSPHRASE: PASS}, False, ms.PASSPHRASE, ms.ENV_PASSPHRASE),
    ({ms.ENV_KEY: KEY_B64, ms.ENV_PASSPHRASE: PASS}, True, ms.ENV, ms.ENV_KEY),
    ({ms.ENV_KEY: KEY_B64}, False, ms.ENV, ms.ENV_KEY),
])
def test_precedence_env_key_then_passphrase_then_key_file(
        env: dict[str, str], with_file: bool, kind: str | None, label: str | None,
        pass_file: Path) -> None:
    source = ms.pick_source(env, pass_file if with_file else None)
    if kind is None:
        assert source is None
        return
    assert source is not None and source.kind == kind and source.label.startswith(label or "")
    expected = {ms.ENV: KEY, ms.PASSPHRASE: PASS.encode() if ms.ENV_PASSPHRASE in env
                else b"from the file"}[kind]
    assert source.secret == expected
    assert PASS not in repr(source) and KEY_B64 not in repr(source)  # secrets stay out of reprs


@pytest.mark.parametrize("encoded", ["not base64!", base64.b64encode(b"short").decode(),
                                     base64.b64encode(b"x" * 33).decode()])
def test_env_key_must_be_base64_of_32_bytes(encoded: str) -> None:
    with pytest.raises(MasterKeyError, match=f"{ms.ENV_KEY} must be base64 of 32 bytes"):
        ms.pick_source({ms.ENV_KEY: encoded}, None)


@pytest.mark.parametrize(("content", "passphrase"), [
    (b"hunter2hunter2\n", b"hunter2hunter2"),
    (b"hunter2hunter2\r\n", b"hunter2hunter2"),
    (b"hunter2hunter2\n\n", b"hunter2hunter2\n"),  # only the editor's one line break goes
    (b"  spaces count  ", b"  spaces count  "),
])
def test_passphrase_file_loses_one_trailing_line_break(tmp_path: Path, content: bytes,
                                                        passphrase: bytes) -> None:
    path = tmp_path / "p"
    path.write_bytes(content)
    assert ms.read_passphrase(path) == passphrase


@pytest.mark.parametrize("content", [b"", b"\n", b"short\n"])
def test_short_passphrases_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "p"
    path.write_bytes(content)
    with pytest.raises(MasterKeyError, match="at least 8 characters"):
        ms.read_passphrase(path)


def test_missing_passphrase_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match=r"cannot read the master passphrase file .*nope"):
        ms.pick_source({}, tmp_path / "nope")


def test_kdf_record_is_private_durable_and_reused(tmp_path: Path) -> None:
    params = ms.create_kdf(tmp_path)
    path = tmp_path / ms.KDF_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(params.salt) == 16 and (params.n, params.r, params.p) == (2**16, 8, 1)
    assert ms.read_kdf(tmp_path) == params
    assert ms.create_kdf(tmp_path) == params  # a second first start keeps the first salt
    assert ms.read_kdf(tmp_path / "elsewhere") is None


def test_derivation_depends_on_passphrase_and_salt() -> None:
    params = ms.KdfParams(salt=b"s" * 16)
    one = ms.derive(b"passphrase one", params)
    assert ms.derive(b"passphrase one", params).check == one.check
    assert ms.derive(b"passphrase two", params).check != one.check
    assert ms.derive(b"passphrase one", ms.KdfParams(salt=b"t" * 16)).check != one.check
    sealed = one.seal(b"secret", b"aad")
    assert ms.derive(b"passphrase one", params).unseal(sealed, b"aad") == b"secret"


@pytest.mark.parametrize(("change", "message"), [
    ({"n": 2**24}, "out of range"),  # a tampered record must not make a start eat gigabytes
    ({"n": 3 * 2**14}, "out of range"),
    ({"n": 2**10}, "out of range"),
    ({"r": 0}, "out of range"),
    ({"p": 99}, "out of range"),
    ({"salt": base64.b64encode(b"short").decode()}, "out of range"),
    ({"v": 2}, "unknown key derivation format"),
    ({"kdf": "pbkdf2"}, "unknown key derivation format"),
    ({"salt": "***"}, "not a key derivation record"),
])
def test_tampered_kdf_records_are_refused(tmp_path: Path, change: dict[str, object],
                                          message: str) -> None:
    ms.create_kdf(tmp_path)
    path = tmp_path / ms.KDF_FILE
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    with pytest.raises(MasterKeyError, match=message):
        ms.read_kdf(tmp_path)


def test_check_value_identifies_a_key_without_revealing_it() -> None:
    key = MasterKey(KEY)
    assert key.check == MasterKey(KEY).check != MasterKey(os.urandom(32)).check
    assert key.check.startswith("v1:") and len(key.check) == 3 + 64
    assert KEY.hex() not in key.check and KEY.hex() not in repr(key) and KEY_B64 not in repr(key)


def test_key_file_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / ms.KEY_FILE
    assert ms.read_key_file(path) is None
    ms.write_new_file(path, ms.encode_key(KEY))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = ms.read_key_file(path)
    assert found is not None and found.check == MasterKey(KEY).check
    with pytest.raises(FileExistsError):
        ms.write_new_file(path, b"x")
    path.write_bytes(b"garbage")
    with pytest.raises(MasterKeyError, match="key file"):
        ms.read_key_file(path)
