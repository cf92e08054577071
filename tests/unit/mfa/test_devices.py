"""Device records: the seed sealed under the master key and bound to its serial, the QR code a
real PNG, and codes accepted at most once through the store's compare-and-set."""

from __future__ import annotations

import asyncio
import os
import struct
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from ironbucket.crypto.master_key import MasterKey, MasterKeyError
from ironbucket.iam.mfa_devices import _png
from ironbucket.mfa import devices, totp
from ironbucket.mfa.devices import MfaDevice
from ironbucket.mfa.verify import accept_code
from ironbucket.storage.sqlite import SqliteMetadataStore

MASTER = MasterKey(os.urandom(32))
SERIAL = "arn:aws:iam::111122223333:mfa/phone"
ACCOUNT = "111122223333"


def _device(seed: str, **kw: Any) -> MfaDevice:
    return MfaDevice(serial=SERIAL, account_id="111122223333", path="/", name="phone",
                     sealed_seed=devices.seal_seed(MASTER, SERIAL, seed), created_at=0.0, **kw)


def test_seed_is_sealed_and_bound_to_its_serial() -> None:
    seed = totp.new_seed()
    device = _device(seed)
    assert seed not in device.sealed_seed and device.seed(MASTER) == seed
    with pytest.raises(MasterKeyError):
        replace(device, serial=SERIAL + "x").seed(MASTER)  # bound to the serial it was made for
    with pytest.raises(MasterKeyError):
        device.seed(MasterKey(os.urandom(32)))


def test_qr_code_is_a_png() -> None:
    data = _png("otpauth://totp/phone@111122223333?secret=" + totp.new_seed())
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert width == height and width > 100
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    assert data.endswith(b"IEND\xaeB`\x82")


def test_a_code_is_accepted_once(tmp_path: Path) -> None:
    async def run() -> list[bool]:
        meta = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        try:
            seed = totp.new_seed()
            assert await devices.create(meta, _device(seed, user_name=devices.ROOT, user_id=ACCOUNT))
            assert not await devices.create(meta, _device(seed))  # the serial is taken
            now = 1_800_000_015.0
            code = totp.code_at(seed, totp.step_of(now))
            results = [await accept_code(meta, MASTER, SERIAL, code, now, account_id="111122223333",
                                         user_id=ACCOUNT) for _ in range(2)]
            older = totp.code_at(seed, totp.step_of(now) - 1)
            results.append(await accept_code(meta, MASTER, SERIAL, older, now,
                                             account_id="111122223333", user_id=ACCOUNT))
            newer = totp.code_at(seed, totp.step_of(now) + 1)
            results.append(await accept_code(meta, MASTER, SERIAL, newer, now,
                                             account_id="111122223333", user_id="AIDAALICE"))
            results.append(await accept_code(meta, MASTER, SERIAL, newer, now,
                                             account_id="111122223333", user_id=ACCOUNT))
            return results
        finally:
            await meta.close()
    assert asyncio.run(run()) == [True, False, False, False, True]


def test_two_workers_cannot_both_accept_one_code(tmp_path: Path) -> None:
    """Two store connections (two worker processes) race on the same code: exactly one wins."""
    async def run() -> list[bool]:
        first = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        second = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        try:
            seed = totp.new_seed()
            assert await devices.create(first, _device(seed, user_name=devices.ROOT, user_id=ACCOUNT))
            now = 1_800_000_015.0
            code = totp.code_at(seed, totp.step_of(now))
            return list(await asyncio.gather(*(
                accept_code(meta, MASTER, SERIAL, code, now, account_id="111122223333",
                            user_id=ACCOUNT) for meta in (first, second, first, second))))
        finally:
            await first.close()
            await second.close()
    assert sorted(asyncio.run(run())) == [False, False, False, True]
