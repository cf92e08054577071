"""One stored secret of every kind sealed under the master key, and proof that each opens."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from ironbucket.auth.stored_credentials import StoredCredentials
from ironbucket.crypto.master_key import MasterKey
from ironbucket.iam.accounts import create_account
from ironbucket.kms.keyring import LocalKeyring
from ironbucket.mfa import devices
from ironbucket.storage.interfaces import MetadataStore, StsSession
from ironbucket.storage.kms_records import KmsKey, KmsMaterial

SESSION_ID = "ASIAROTATIONTEST0001"
KMS_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
KEK_ID = "kek-1"
NOW = 1_800_000_000.0


@dataclass(frozen=True)
class Secrets:
    """What was sealed, in the clear, to compare with what opens after a rotation."""

    access_key_id: str
    secret: str
    session_secret: str
    session_token: str
    kms_nonce: bytes
    kms_ciphertext: bytes
    kms_plaintext: bytes
    serial: str
    seed: str
    kek: bytes


async def store_every_kind(meta: MetadataStore, master: MasterKey) -> Secrets:
    made = await create_account(meta, master, "rotating", NOW)
    account_id = made.account.account_id
    session_secret, token = "session/secret/" + os.urandom(8).hex(), "token-" + os.urandom(8).hex()
    sealed_secret, sealed_token = StoredCredentials(meta, master).seal_session(SESSION_ID, session_secret,
                                                                             token)
    await meta.sts_create_session(StsSession(
        access_key_id=SESSION_ID, account_id=account_id, kind="root", issued_at=NOW,
        expires_at=NOW + 10 * 365 * 86400, sealed_secret=sealed_secret, sealed_token=sealed_token))
    keyring = LocalKeyring(master)
    key = KmsKey(key_id=KMS_KEY_ID, account_id=account_id, region="us-east-1", created_at=NOW,
                 state="Enabled", description="", policy="{}", manager="CUSTOMER", current_material=1)
    await meta.kms_put_key(key)
    material = KmsMaterial(KMS_KEY_ID, 1, NOW, keyring.new_material(KMS_KEY_ID, 1))
    await meta.kms_add_material(key, material)
    plaintext = b"encrypted with KMS before the rotation"
    nonce, ciphertext = keyring.encrypt(material.sealed, KMS_KEY_ID, 1, plaintext, b"ctx")
    serial = devices.serial_of(account_id, "/", "phone")
    seed = base64.b32encode(os.urandom(20)).decode()
    await devices.create(meta, devices.MfaDevice(
        serial=serial, account_id=account_id, path="/", name="phone",
        sealed_seed=devices.seal_seed(master, serial, seed), created_at=NOW, last_step=42))
    kek = os.urandom(32)
    await meta.put_setting(f"sse-s3-kek/{KEK_ID}",
                           base64.b64encode(master.seal(kek, f"sse-s3-kek:{KEK_ID}".encode())).decode())
    return Secrets(made.access_key_id, made.secret_access_key, session_secret, token, nonce,
                   ciphertext, plaintext, serial, seed, kek)


async def opened(meta: MetadataStore, master: MasterKey, s: Secrets) -> Secrets:
    """Everything read back through the server's own readers, opened with ``master`` (each raises
    if its value does not open)."""
    credentials = StoredCredentials(meta, master)
    key = await credentials.lookup(s.access_key_id)
    session = await credentials.lookup(SESSION_ID)
    assert key is not None and session is not None and session.session_token is not None
    material = await meta.kms_get_material(KMS_KEY_ID, 1)
    assert material is not None
    plaintext = LocalKeyring(master).decrypt(material.sealed, KMS_KEY_ID, 1, s.kms_nonce,
                                             s.kms_ciphertext, b"ctx")
    device = await devices.get(meta, s.serial)
    assert device is not None and device.last_step == 42  # the rest of the document is kept
    text = await meta.get_setting(f"sse-s3-kek/{KEK_ID}")
    assert text is not None
    kek = master.unseal(base64.b64decode(text), f"sse-s3-kek:{KEK_ID}".encode())
    return Secrets(key.access_key_id, key.secret_access_key, session.secret_access_key,
                   session.session_token, s.kms_nonce, s.kms_ciphertext, plaintext, s.serial,
                   device.seed(master), kek)
