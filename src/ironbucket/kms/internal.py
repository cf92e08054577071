"""KMS as other services of this server use it on their caller's behalf (S3's SSE-KMS): the
same authorization as a direct call, with ``kms:ViaService`` set to the calling service, so
AWS managed keys (usable only through their service) and key policies conditioned on
``kms:ViaService`` behave as in AWS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ironbucket.auth.principal import Principal
from ironbucket.authz.authorize import Decided
from ironbucket.authz.context import Keys
from ironbucket.kms import ciphertext, lookup, states
from ironbucket.kms.access import authorized_key
from ironbucket.kms.call import KmsCall
from ironbucket.kms.crypto_api import blob_key, seal, unseal
from ironbucket.kms.keyring import Keyring
from ironbucket.storage.interfaces import MetadataStore
from ironbucket.storage.kms_records import KmsKey

aws_managed_key = lookup.aws_managed_key  # (meta, account_id, service="s3", *, keyring, region, now)


def service_call(meta: MetadataStore, keyring: Keyring, principal: Principal, *, region: str,
                 now: float, keys: Callable[[], Keys], decisions: list[Decided] | None = None,
                 service: str = "s3", clock_offset: float = 0.0) -> KmsCall:
    return KmsCall(meta=meta, keyring=keyring, principal=principal, region=region, now=now,
                   base_keys=keys, decisions=decisions if decisions is not None else [],
                   via_service=f"{service}.{region}.amazonaws.com", clock_offset=clock_offset)


async def generate_data_key(call: KmsCall, key: str | None, context: Mapping[str, str],
                            size: int = 32) -> tuple[KmsKey, bytes, bytes]:
    """(key, plaintext data key, its ciphertext blob); ``key`` None: the AWS managed key of the
    calling service (``alias/aws/s3``), created on first use."""
    text = key if key is not None else f"alias/aws/{(call.via_service or 's3').split('.')[0]}"
    found = await authorized_key(call, text, "kms:GenerateDataKey", context=context)
    states.admit(found, "GenerateDataKey")
    plaintext = os.urandom(size)
    return found, plaintext, await seal(call, found, plaintext, context)


async def authorize_generate(call: KmsCall, key: str, context: Mapping[str, str]) -> KmsKey:
    """The checks of ``generate_data_key`` without making a key (the caller reuses one)."""
    found = await authorized_key(call, key, "kms:GenerateDataKey", context=context)
    states.admit(found, "GenerateDataKey")
    return found


async def authorize_decrypt(call: KmsCall, blob: ciphertext.Blob, context: Mapping[str, str]) -> KmsKey:
    """The checks of ``decrypt`` without the cryptography (the caller holds the plaintext)."""
    found = await blob_key(call, blob, None, "kms:Decrypt", context)
    states.admit(found, "Decrypt")
    return found


async def decrypt(call: KmsCall, blob: bytes, context: Mapping[str, str]) -> tuple[KmsKey, bytes]:
    """(key, plaintext) of a ciphertext blob, if the caller may kms:Decrypt with that key."""
    parsed = ciphertext.parse(blob)
    found = await authorize_decrypt(call, parsed, context)
    return found, await unseal(call, found, parsed, context)
