"""The ciphertext blob: round trips, the encryption context bound as AAD, and every tampering or
truncation answered with InvalidCiphertextException (never wrong plaintext)."""

from __future__ import annotations

import pytest

from ironbucket.kms import ciphertext, lookup
from ironbucket.kms.call import KmsCall
from ironbucket.kms.crypto_api import seal, unseal
from ironbucket.kms.errors import InvalidCiphertextException
from ironbucket.storage.kms_records import KmsKey
from tests.unit.kms.conftest import NOW, OWNER

CONTEXT = {"dept": "finance", "project": "alpha"}


async def _sealed(call: KmsCall, plaintext: bytes = b"attack at dawn") -> tuple[KmsKey, bytes]:
    key = await lookup.create(call.meta, call.keyring, account_id=OWNER, region="us-east-1", now=NOW,
                              policy=None, description="")
    return key, await seal(call, key, plaintext, CONTEXT)


async def test_round_trip_and_header(call: KmsCall) -> None:
    key, blob = await _sealed(call)
    parsed = ciphertext.parse(blob)
    assert parsed.key_id == key.key_id and parsed.material_version == 1
    assert blob[0] == ciphertext.FORMAT_V1
    assert await unseal(call, key, parsed, dict(reversed(CONTEXT.items()))) == b"attack at dawn"


@pytest.mark.parametrize("context", [
    {}, {"dept": "finance"}, {"dept": "finance", "project": "beta"},
    {**CONTEXT, "extra": "x"}, {"Dept": "finance", "project": "alpha"},
], ids=["none", "missing pair", "other value", "extra pair", "key case"])
async def test_other_context_does_not_open(call: KmsCall, context: dict[str, str]) -> None:
    key, blob = await _sealed(call)
    with pytest.raises(InvalidCiphertextException):
        await unseal(call, key, ciphertext.parse(blob), context)


# (name, offset into the blob) of one flipped bit
REGIONS = [("format version", 0), ("key id", 5), ("material version", 1 + 36 + 3),
           ("nonce", ciphertext.HEADER_LEN + 2), ("body", ciphertext.HEADER_LEN + 12 + 1),
           ("tag", -1)]


@pytest.mark.parametrize(("region", "offset"), REGIONS, ids=[r[0] for r in REGIONS])
async def test_a_flipped_bit_is_invalid_ciphertext(call: KmsCall, region: str, offset: int) -> None:
    key, blob = await _sealed(call)
    tampered = bytearray(blob)
    tampered[offset] ^= 0x01
    with pytest.raises(InvalidCiphertextException):
        parsed = ciphertext.parse(bytes(tampered))
        await unseal(call, key, parsed, CONTEXT)


async def test_every_truncation_is_invalid_ciphertext(call: KmsCall) -> None:
    key, blob = await _sealed(call)
    for length in range(len(blob)):
        with pytest.raises(InvalidCiphertextException):
            await unseal(call, key, ciphertext.parse(blob[:length]), CONTEXT)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x02" + b"0" * 80, b"\x01" + b"\xff" * 80,
                                  b"\x01" * (ciphertext.MAX_LEN + 1)],
                         ids=["empty", "one byte", "unknown format", "non-ascii key id", "too long"])
def test_malformed_blobs(blob: bytes) -> None:
    with pytest.raises(InvalidCiphertextException):
        ciphertext.parse(blob)


async def test_material_versions_are_not_interchangeable(call: KmsCall) -> None:
    """A blob relabelled with another material version of the same key does not open."""
    key, blob = await _sealed(call)
    rotated = await lookup.rotate(call.meta, call.keyring, key, NOW, on_demand=True)
    relabelled = ciphertext.header(rotated.key_id, 2) + blob[ciphertext.HEADER_LEN:]
    with pytest.raises(InvalidCiphertextException):
        await unseal(call, rotated, ciphertext.parse(relabelled), CONTEXT)
    # while the original still opens after the rotation: old material is kept
    assert await unseal(call, rotated, ciphertext.parse(blob), CONTEXT) == b"attack at dawn"


async def test_material_is_stored_sealed(call: KmsCall) -> None:
    key, _ = await _sealed(call)
    material = await call.meta.kms_get_material(key.key_id, 1)
    assert material is not None and material.sealed.startswith(b"IBK1")
    assert len(material.sealed) == 4 + 12 + 32 + 16
