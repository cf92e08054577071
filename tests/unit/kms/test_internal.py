"""KMS used by S3 on the caller's behalf: the AWS managed key works through the service only."""

from __future__ import annotations

import pytest

from ironbucket.kms import internal, lookup, states
from ironbucket.kms.call import KmsCall
from ironbucket.kms.crypto_api import seal
from ironbucket.kms.errors import AccessDeniedException, DisabledException
from tests.unit.kms.conftest import NOW, OWNER


def via_s3(call: KmsCall) -> KmsCall:
    return internal.service_call(call.meta, call.keyring, call.principal, region="us-east-1", now=NOW,
                                 keys=dict)


async def test_managed_key_through_s3_only(call: KmsCall) -> None:
    s3 = via_s3(call)
    key, plaintext, blob = await internal.generate_data_key(s3, None, {"aws:s3:arn": "arn:aws:s3:::b/k"})
    assert key.manager == "AWS" and len(plaintext) == 32
    assert (await internal.decrypt(s3, blob, {"aws:s3:arn": "arn:aws:s3:::b/k"}))[1] == plaintext
    again = await internal.aws_managed_key(call.meta, OWNER, keyring=call.keyring, region="us-east-1",
                                           now=NOW)
    assert again.key_id == key.key_id  # one per account
    with pytest.raises(AccessDeniedException):  # the same caller, directly: the policy needs ViaService
        await internal.decrypt(call, blob, {"aws:s3:arn": "arn:aws:s3:::b/k"})


async def test_disabled_customer_key_through_s3(call: KmsCall) -> None:
    key = await lookup.create(call.meta, call.keyring, account_id=OWNER, region="us-east-1", now=NOW,
                              policy=None, description="")
    blob = await seal(call, key, b"k" * 32, {})
    await call.meta.kms_put_key(states.disable(key))
    with pytest.raises(DisabledException):
        await internal.decrypt(via_s3(call), blob, {})
