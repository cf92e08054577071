"""Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext.

The encryption context is bound to the ciphertext as associated data: Decrypt needs exactly the
context Encrypt was given. It is also the ``kms:EncryptionContext:<k>`` condition keys and what
grant constraints look at. The order is KMS's: find the key, authorize, then the key's state.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ironbucket.kms import ciphertext, lookup, states
from ironbucket.kms.access import authorize_key, authorized_key, dry_run
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import (
    IncorrectKeyException,
    InvalidCiphertextException,
    InvalidKeyUsageException,
    UnsupportedOperationException,
    ValidationException,
)
from ironbucket.kms.keyring import KeyringError
from ironbucket.kms.protocol import b64
from ironbucket.storage.kms_records import KmsKey

SYMMETRIC = "SYMMETRIC_DEFAULT"
ALGORITHMS = frozenset({SYMMETRIC, "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"})
MAX_PLAINTEXT = 4096
DATA_KEY_SPECS = {"AES_256": 32, "AES_128": 16}


def _algorithm(call: KmsCall, name: str) -> str:
    value = call.params.string(name)
    if value is None:
        return SYMMETRIC
    if value not in ALGORITHMS:
        raise ValidationException(f"1 validation error detected: Value '{value}' at "
                                  f"'{name[:1].lower() + name[1:]}' failed to satisfy constraint: "
                                  f"Member must satisfy enum value set: [{', '.join(sorted(ALGORITHMS))}]")
    if value != SYMMETRIC:
        raise InvalidKeyUsageException(f"The encryption algorithm {value} is not valid for a "
                                       "symmetric encryption KMS key.")
    return value


def _refuse_unsupported(call: KmsCall) -> None:
    if call.params.has("Recipient"):
        raise UnsupportedOperationException("Recipient (Nitro Enclaves attestation) is not supported "
                                            "by this server.")
    if call.params.has("DryRunModifiers"):
        raise UnsupportedOperationException("DryRunModifiers are not supported by this server: a dry "
                                            "run always validates the ciphertext.")


async def seal(call: KmsCall, key: KmsKey, plaintext: bytes, context: Mapping[str, str]) -> bytes:
    """A ciphertext blob of ``plaintext`` under the key's current material."""
    version = key.current_material
    material = await call.meta.kms_get_material(key.key_id, version)
    if material is None:
        raise InvalidCiphertextException()  # unreachable unless the store lost material
    head = ciphertext.header(key.key_id, version)
    nonce, sealed = call.keyring.encrypt(material.sealed, key.key_id, version,
                               plaintext, ciphertext.associated_data(head, context))
    return ciphertext.pack(key.key_id, version, nonce, sealed)


async def unseal(call: KmsCall, key: KmsKey, blob: ciphertext.Blob, context: Mapping[str, str]) -> bytes:
    material = await call.meta.kms_get_material(key.key_id, blob.material_version)
    if material is None:
        raise InvalidCiphertextException()
    try:
        # AES-GCM over at most a few KiB: cheaper inline than handed to a thread.
        return call.keyring.decrypt(material.sealed, key.key_id, blob.material_version, blob.nonce,
                                    blob.sealed, ciphertext.associated_data(blob.header, context))
    except KeyringError:
        raise InvalidCiphertextException() from None


async def blob_key(call: KmsCall, blob: ciphertext.Blob, given: str | None, action: str,
                   context: Mapping[str, str]) -> KmsKey:
    """The key a ciphertext names (it must be the one the caller named, if any), authorized."""
    if given is not None:
        key = await lookup.resolve(call, given)
        if key.key_id != blob.key_id:
            raise IncorrectKeyException()
    else:
        found = await lookup.load(call, blob.key_id)
        if found is None:  # never existed, or deleted: these bytes will never decrypt
            raise InvalidCiphertextException()
        key = found
    await authorize_key(call, action, key, context=context)
    return key


async def encrypt(call: KmsCall) -> dict[str, Any]:
    p = call.params
    plaintext = p.blob("Plaintext", max_len=MAX_PLAINTEXT)
    assert plaintext is not None
    context = p.string_map("EncryptionContext")
    algorithm = _algorithm(call, "EncryptionAlgorithm")
    key = await authorized_key(call, p.required("KeyId"), "kms:Encrypt", context=context)
    states.admit(key, "Encrypt")
    dry_run(call)
    blob = await seal(call, key, plaintext, context)
    return {"CiphertextBlob": b64(blob), "KeyId": key.arn, "EncryptionAlgorithm": algorithm}


async def decrypt(call: KmsCall) -> dict[str, Any]:
    p = call.params
    _refuse_unsupported(call)
    raw = p.blob("CiphertextBlob", max_len=ciphertext.MAX_LEN)
    assert raw is not None
    context = p.string_map("EncryptionContext")
    algorithm = _algorithm(call, "EncryptionAlgorithm")
    blob = ciphertext.parse(raw)
    key = await blob_key(call, blob, p.string("KeyId"), "kms:Decrypt", context)
    states.admit(key, "Decrypt")
    dry_run(call)
    plaintext = await unseal(call, key, blob, context)
    return {"KeyId": key.arn, "Plaintext": b64(plaintext), "EncryptionAlgorithm": algorithm}


async def re_encrypt(call: KmsCall) -> dict[str, Any]:
    p = call.params
    _refuse_unsupported(call)
    raw = p.blob("CiphertextBlob", max_len=ciphertext.MAX_LEN)
    assert raw is not None
    source_context = p.string_map("SourceEncryptionContext")
    destination_context = p.string_map("DestinationEncryptionContext")
    source_algorithm = _algorithm(call, "SourceEncryptionAlgorithm")
    destination_algorithm = _algorithm(call, "DestinationEncryptionAlgorithm")
    blob = ciphertext.parse(raw)
    source = await blob_key(call, blob, p.string("SourceKeyId"), "kms:ReEncryptFrom", source_context)
    destination = await authorized_key(call, p.required("DestinationKeyId"), "kms:ReEncryptTo",
                                       context=destination_context)
    states.admit(source, "ReEncrypt")
    states.admit(destination, "ReEncrypt")
    dry_run(call)
    plaintext = await unseal(call, source, blob, source_context)
    out = await seal(call, destination, plaintext, destination_context)
    return {"CiphertextBlob": b64(out), "SourceKeyId": source.arn, "KeyId": destination.arn,
            "SourceEncryptionAlgorithm": source_algorithm,
            "DestinationEncryptionAlgorithm": destination_algorithm}


def _data_key_size(call: KmsCall) -> int:
    p = call.params
    spec = p.string("KeySpec")
    count = p.integer("NumberOfBytes", 1, 1024)
    if spec is not None and count is not None:
        raise ValidationException("Please specify either number of bytes or key spec.")
    if spec is not None:
        if spec not in DATA_KEY_SPECS:
            raise ValidationException(f"1 validation error detected: Value '{spec}' at 'keySpec' "
                                      "failed to satisfy constraint: Member must satisfy enum value "
                                      "set: [AES_256, AES_128]")
        return DATA_KEY_SPECS[spec]
    if count is None:
        raise ValidationException("Please specify either number of bytes or key spec.")
    return count


async def _data_key(call: KmsCall, action: str) -> tuple[KmsKey, bytes, bytes]:
    p = call.params
    _refuse_unsupported(call)
    size = _data_key_size(call)
    context = p.string_map("EncryptionContext")
    key = await authorized_key(call, p.required("KeyId"), action, context=context)
    states.admit(key, "GenerateDataKey")
    dry_run(call)
    plaintext = os.urandom(size)
    return key, plaintext, await seal(call, key, plaintext, context)


async def generate_data_key(call: KmsCall) -> dict[str, Any]:
    key, plaintext, blob = await _data_key(call, "kms:GenerateDataKey")
    return {"CiphertextBlob": b64(blob), "Plaintext": b64(plaintext), "KeyId": key.arn}


async def generate_data_key_without_plaintext(call: KmsCall) -> dict[str, Any]:
    key, _, blob = await _data_key(call, "kms:GenerateDataKeyWithoutPlaintext")
    return {"CiphertextBlob": b64(blob), "KeyId": key.arn}
