"""Envelope encryption: data keys wrapped under a key-encryption key and bound to a context, and
the SSE-C derivations (wrapping key and key-recognition MAC) from the customer's key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ironbucket.crypto.envelope import (
    DATA_KEY_BYTES,
    UnwrapError,
    customer_key_mac,
    customer_key_matches,
    customer_wrapping_key,
    new_data_key,
    new_salt,
    unwrap,
    wrap,
)

KEK = AESGCM(bytes(32))
OTHER_KEK = AESGCM(bytes([1]) * 32)
CONTEXT = b"sse-s3|bucket/key|version"
DATA_KEY = bytes(range(DATA_KEY_BYTES))
CUSTOMER = bytes(range(100, 132))
OTHER_CUSTOMER = bytes(range(101, 133))


def test_wrap_round_trip() -> None:
    wrapped = wrap(KEK, DATA_KEY, CONTEXT)
    assert DATA_KEY not in wrapped
    assert unwrap(KEK, wrapped, CONTEXT) == DATA_KEY


def test_every_wrap_is_fresh() -> None:
    wrapped = {wrap(KEK, DATA_KEY, CONTEXT) for _ in range(10)}
    assert len(wrapped) == 10
    assert all(unwrap(KEK, w, CONTEXT) == DATA_KEY for w in wrapped)


def test_new_data_keys_and_salts_are_random() -> None:
    keys = {new_data_key() for _ in range(10)}
    assert len(keys) == 10 and all(len(k) == DATA_KEY_BYTES for k in keys)
    salts = {new_salt() for _ in range(10)}
    assert len(salts) == 10


WRAPPED = wrap(KEK, DATA_KEY, CONTEXT)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes((data[at] ^ 0x80,)) + data[at + 1:]


# (case, kek, wrapped, context)
BAD_UNWRAPS: list[tuple[str, AESGCM, bytes, bytes]] = [
    ("wrong kek", OTHER_KEK, WRAPPED, CONTEXT),
    ("wrong context", KEK, WRAPPED, CONTEXT + b"x"),
    ("empty context", KEK, WRAPPED, b""),
    *[(f"byte {i} flipped", KEK, _flip(WRAPPED, i), CONTEXT) for i in range(len(WRAPPED))],
    ("truncated", KEK, WRAPPED[:-1], CONTEXT),
    ("extended", KEK, WRAPPED + b"\x00", CONTEXT),
    ("nonce only", KEK, WRAPPED[:12], CONTEXT),
    ("shorter than a nonce", KEK, WRAPPED[:5], CONTEXT),
    ("empty", KEK, b"", CONTEXT),
]


@pytest.mark.parametrize(("case", "kek", "wrapped", "context"), BAD_UNWRAPS,
                         ids=[c[0] for c in BAD_UNWRAPS])
def test_unwrap_refuses(case: str, kek: AESGCM, wrapped: bytes, context: bytes) -> None:
    with pytest.raises(UnwrapError):
        unwrap(kek, wrapped, context)


def test_customer_mac_recognises_only_the_right_key() -> None:
    salt = new_salt()
    mac = customer_key_mac(CUSTOMER, salt)
    assert len(mac) == 32
    assert customer_key_matches(CUSTOMER, salt, mac)
    assert not customer_key_matches(OTHER_CUSTOMER, salt, mac)
    assert not customer_key_matches(CUSTOMER, new_salt(), mac)
    assert not customer_key_matches(CUSTOMER, salt, _flip(mac, 0))
    assert not customer_key_matches(CUSTOMER, salt, mac[:-1])


def test_customer_mac_is_salted_and_deterministic() -> None:
    salt_a, salt_b = bytes(16), bytes([1]) * 16
    assert customer_key_mac(CUSTOMER, salt_a) == customer_key_mac(CUSTOMER, salt_a)
    assert customer_key_mac(CUSTOMER, salt_a) != customer_key_mac(CUSTOMER, salt_b)
    assert customer_key_mac(CUSTOMER, salt_a) != customer_key_mac(OTHER_CUSTOMER, salt_a)
    assert CUSTOMER not in customer_key_mac(CUSTOMER, salt_a)


def test_customer_wrapping_key_opens_only_under_the_same_key_and_salt() -> None:
    salt = new_salt()
    wrapped = wrap(customer_wrapping_key(CUSTOMER, salt), DATA_KEY, CONTEXT)
    assert unwrap(customer_wrapping_key(CUSTOMER, salt), wrapped, CONTEXT) == DATA_KEY
    for key, other_salt in ((OTHER_CUSTOMER, salt), (CUSTOMER, new_salt())):
        with pytest.raises(UnwrapError):
            unwrap(customer_wrapping_key(key, other_salt), wrapped, CONTEXT)
    # Neither the raw customer key nor the stored MAC opens it.
    for raw in (CUSTOMER, customer_key_mac(CUSTOMER, salt)):
        with pytest.raises(UnwrapError):
            unwrap(AESGCM(raw), wrapped, CONTEXT)


def test_the_stored_mac_is_not_the_wrapping_key() -> None:
    """The MAC is stored; were it the wrapping key, the store alone would open SSE-C objects."""
    salt = bytes(16)
    mac = customer_key_mac(CUSTOMER, salt)
    probe = wrap(customer_wrapping_key(CUSTOMER, salt), DATA_KEY, CONTEXT)
    nonce = probe[:12]
    assert AESGCM(mac).encrypt(nonce, DATA_KEY, CONTEXT) != probe[12:]
