"""The KMS API with boto3: keys, aliases, encryption with context, state changes, rotation,
data keys, tags, and the errors AWS answers."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.integration.iam_helpers import Creds, fails, unique
from tests.integration.kms_helpers import account_of, kms
from tests.integration.server import RunningServer


@pytest.fixture(scope="module")
def k(server: RunningServer) -> Any:
    return kms(server)


@pytest.fixture
def key_id(k: Any) -> str:
    return str(k.create_key(Description="test key")["KeyMetadata"]["KeyId"])


def test_create_describe_list(k: Any, server: RunningServer) -> None:
    account = account_of(server)
    md = k.create_key(Description="mine", Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]
    assert md["Arn"] == f"arn:aws:kms:us-east-1:{account}:key/{md['KeyId']}"
    assert (md["AWSAccountId"], md["KeyState"], md["Enabled"], md["KeyUsage"], md["KeySpec"],
            md["Origin"], md["KeyManager"], md["Description"]) == (
        account, "Enabled", True, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "AWS_KMS", "CUSTOMER", "mine")
    assert k.describe_key(KeyId=md["Arn"])["KeyMetadata"]["KeyId"] == md["KeyId"]
    policy = json.loads(k.get_key_policy(KeyId=md["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    assert policy["Statement"][0]["Action"] == "kms:*"
    assert k.list_resource_tags(KeyId=md["KeyId"])["Tags"] == [{"TagKey": "team", "TagValue": "blue"}]
    # paging: one key per page until the new key is seen
    seen, marker = [], None
    while True:
        page = k.list_keys(Limit=1, **({"Marker": marker} if marker else {}))
        assert len(page["Keys"]) <= 1
        seen += [e["KeyId"] for e in page["Keys"]]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert md["KeyId"] in seen and len(seen) == len(set(seen))


def test_aliases(k: Any, key_id: str, server: RunningServer) -> None:
    name = f"alias/{unique('a')}"
    k.create_alias(AliasName=name, TargetKeyId=key_id)
    assert fails(k.create_alias, AliasName=name, TargetKeyId=key_id) == ("AlreadyExistsException", 400)
    assert k.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == key_id
    arn = f"arn:aws:kms:us-east-1:{account_of(server)}:{name}"
    assert k.describe_key(KeyId=arn)["KeyMetadata"]["KeyId"] == key_id
    listed = k.list_aliases(KeyId=key_id)["Aliases"]
    assert [(a["AliasName"], a["AliasArn"], a["TargetKeyId"]) for a in listed] == [(name, arn, key_id)]
    other = k.create_key()["KeyMetadata"]["KeyId"]
    k.update_alias(AliasName=name, TargetKeyId=other)
    assert k.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == other
    k.delete_alias(AliasName=name)
    assert fails(k.describe_key, KeyId=name) == ("NotFoundException", 400)
    assert fails(k.create_alias, AliasName="alias/aws/mine", TargetKeyId=key_id)[0] == \
        "InvalidAliasNameException"
    assert fails(k.create_alias, AliasName="nope", TargetKeyId=key_id)[0] == "InvalidAliasNameException"
    # management operations take key ids or ARNs only
    k.create_alias(AliasName=name, TargetKeyId=key_id)
    assert fails(k.disable_key, KeyId=name) == ("NotFoundException", 400)


def test_encrypt_decrypt_with_context(k: Any, key_id: str) -> None:
    context = {"purpose": "test", "dept": "finance"}
    out = k.encrypt(KeyId=key_id, Plaintext=b"secret bytes", EncryptionContext=context)
    assert out["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT" and out["KeyId"].endswith(key_id)
    blob = out["CiphertextBlob"]
    assert b"secret bytes" not in blob
    back = k.decrypt(CiphertextBlob=blob, EncryptionContext=context)
    assert back["Plaintext"] == b"secret bytes" and back["KeyId"].endswith(key_id)
    assert k.decrypt(CiphertextBlob=blob, EncryptionContext=context, KeyId=key_id)["Plaintext"] == \
        b"secret bytes"
    for wrong in ({}, {"purpose": "test"}, {**context, "dept": "sales"}):
        assert fails(k.decrypt, CiphertextBlob=blob, EncryptionContext=wrong) == \
            ("InvalidCiphertextException", 400)
    flipped = bytearray(blob)
    flipped[-3] ^= 0x40
    assert fails(k.decrypt, CiphertextBlob=bytes(flipped), EncryptionContext=context)[0] == \
        "InvalidCiphertextException"
    assert fails(k.decrypt, CiphertextBlob=blob[:30], EncryptionContext=context)[0] == \
        "InvalidCiphertextException"
    other = k.create_key()["KeyMetadata"]["KeyId"]
    assert fails(k.decrypt, CiphertextBlob=blob, EncryptionContext=context, KeyId=other)[0] == \
        "IncorrectKeyException"


def test_re_encrypt_and_data_keys(k: Any, key_id: str) -> None:
    other = k.create_key()["KeyMetadata"]["KeyId"]
    blob = k.encrypt(KeyId=key_id, Plaintext=b"move me", EncryptionContext={"a": "1"})["CiphertextBlob"]
    moved = k.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, DestinationKeyId=other,
                         DestinationEncryptionContext={"b": "2"})
    assert moved["SourceKeyId"].endswith(key_id) and moved["KeyId"].endswith(other)
    assert k.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"b": "2"})["Plaintext"] == \
        b"move me"
    data = k.generate_data_key(KeyId=key_id, KeySpec="AES_256", EncryptionContext={"x": "y"})
    assert len(data["Plaintext"]) == 32
    assert k.decrypt(CiphertextBlob=data["CiphertextBlob"], EncryptionContext={"x": "y"})["Plaintext"] == \
        data["Plaintext"]
    assert len(k.generate_data_key(KeyId=key_id, KeySpec="AES_128")["Plaintext"]) == 16
    assert len(k.generate_data_key(KeyId=key_id, NumberOfBytes=64)["Plaintext"]) == 64
    bare = k.generate_data_key_without_plaintext(KeyId=key_id, KeySpec="AES_256")
    assert "Plaintext" not in bare and len(k.decrypt(CiphertextBlob=bare["CiphertextBlob"])["Plaintext"]) == \
        32
    assert fails(k.generate_data_key, KeyId=key_id)[0] == "ValidationException"
    assert fails(k.generate_data_key, KeyId=key_id, KeySpec="AES_256", NumberOfBytes=32)[0] == \
        "ValidationException"
    assert fails(k.generate_data_key, KeyId=key_id, NumberOfBytes=2000)[0] == "ValidationException"


def test_disable_enable(k: Any, key_id: str) -> None:
    blob = k.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    k.disable_key(KeyId=key_id)
    md = k.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (md["KeyState"], md["Enabled"]) == ("Disabled", False)
    assert fails(k.decrypt, CiphertextBlob=blob) == ("DisabledException", 400)
    assert fails(k.encrypt, KeyId=key_id, Plaintext=b"x") == ("DisabledException", 400)
    k.enable_key(KeyId=key_id)
    assert k.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_schedule_and_cancel_deletion(k: Any, key_id: str) -> None:
    blob = k.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert fails(k.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=6)[0] == "ValidationException"
    assert fails(k.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=31)[0] == "ValidationException"
    out = k.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert (out["KeyState"], out["PendingWindowInDays"]) == ("PendingDeletion", 7)
    md = k.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "PendingDeletion" and md["DeletionDate"] == out["DeletionDate"]
    assert fails(k.decrypt, CiphertextBlob=blob) == ("KMSInvalidStateException", 400)
    assert fails(k.enable_key, KeyId=key_id) == ("KMSInvalidStateException", 400)
    assert fails(k.schedule_key_deletion, KeyId=key_id)[0] == "KMSInvalidStateException"
    k.cancel_key_deletion(KeyId=key_id)
    md = k.describe_key(KeyId=key_id)["KeyMetadata"]
    assert md["KeyState"] == "Disabled" and "DeletionDate" not in md  # AWS leaves it disabled
    k.enable_key(KeyId=key_id)
    assert k.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"


def test_rotation_keeps_old_ciphertexts(k: Any, key_id: str) -> None:
    assert k.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False
    k.enable_key_rotation(KeyId=key_id, RotationPeriodInDays=90)
    status = k.get_key_rotation_status(KeyId=key_id)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    old = k.encrypt(KeyId=key_id, Plaintext=b"before")["CiphertextBlob"]
    k.rotate_key_on_demand(KeyId=key_id)
    new = k.encrypt(KeyId=key_id, Plaintext=b"after")["CiphertextBlob"]
    assert old[37:41] != new[37:41]  # the material version in the blob header
    assert k.decrypt(CiphertextBlob=old)["Plaintext"] == b"before"
    assert k.decrypt(CiphertextBlob=new)["Plaintext"] == b"after"
    k.disable_key_rotation(KeyId=key_id)
    assert k.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is False


def test_tags_and_policy(k: Any, key_id: str, server: RunningServer) -> None:
    k.tag_resource(KeyId=key_id, Tags=[{"TagKey": "a", "TagValue": "1"}, {"TagKey": "b", "TagValue": "2"}])
    k.untag_resource(KeyId=key_id, TagKeys=["a"])
    assert k.list_resource_tags(KeyId=key_id)["Tags"] == [{"TagKey": "b", "TagValue": "2"}]
    assert fails(k.tag_resource, KeyId=key_id, Tags=[{"TagKey": "aws:x", "TagValue": "1"}])[0] == \
        "TagException"
    account = account_of(server)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*", "Resource": "*"}]})
    k.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
    stored = json.loads(k.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert stored["Statement"][0]["Sid"] == "Root"
    assert fails(k.put_key_policy, KeyId=key_id, PolicyName="default", Policy="{nope")[0] == \
        "MalformedPolicyDocumentException"
    lockout = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "kms:*",
        "Resource": "*"}]})
    assert fails(k.put_key_policy, KeyId=key_id, PolicyName="default", Policy=lockout)[0] == \
        "MalformedPolicyDocumentException"
    assert k.list_key_policies(KeyId=key_id)["PolicyNames"] == ["default"]


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"KeySpec": "RSA_2048"}, "UnsupportedOperationException"),
    ({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}, "UnsupportedOperationException"),
    ({"KeyUsage": "SIGN_VERIFY"}, "UnsupportedOperationException"),
    ({"Origin": "EXTERNAL"}, "UnsupportedOperationException"),
    ({"CustomKeyStoreId": "cks-1234567890abcdef0"}, "UnsupportedOperationException"),
    ({"MultiRegion": True}, "UnsupportedOperationException"),
    ({"Policy": "not json"}, "MalformedPolicyDocumentException"),
])
def test_unsupported_keys_are_refused(k: Any, kwargs: dict[str, Any], code: str) -> None:
    before = len(k.list_keys(Limit=1000)["Keys"])
    assert fails(k.create_key, **kwargs)[0] == code
    assert len(k.list_keys(Limit=1000)["Keys"]) == before


def test_unimplemented_operations_and_unknown_keys(k: Any, key_id: str) -> None:
    assert fails(k.generate_random, NumberOfBytes=8)[0] == "UnsupportedOperationException"
    assert fails(k.get_public_key, KeyId=key_id)[0] == "UnsupportedOperationException"
    assert fails(k.describe_key, KeyId="00000000-0000-0000-0000-000000000000") == ("NotFoundException", 400)
    assert fails(k.describe_key, KeyId="alias/none-such") == ("NotFoundException", 400)
    assert fails(k.decrypt, CiphertextBlob=base64.b64decode("AAAA" * 20))[0] == "InvalidCiphertextException"


def test_aws_managed_key(k: Any, server: RunningServer) -> None:
    md = k.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]
    assert md["KeyManager"] == "AWS" and md["KeyState"] == "Enabled"
    assert k.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["KeyId"] == md["KeyId"]  # created once
    policy = json.loads(k.get_key_policy(KeyId=md["KeyId"], PolicyName="default")["Policy"])
    assert policy["Statement"][0]["Condition"]["StringEquals"]["kms:ViaService"] == \
        "s3.us-east-1.amazonaws.com"
    # used directly (not through S3), it refuses even the account's root; management too
    assert fails(k.encrypt, KeyId="alias/aws/s3", Plaintext=b"x")[0] == "AccessDeniedException"
    assert fails(k.disable_key, KeyId=md["KeyId"])[0] == "AccessDeniedException"
    assert fails(k.schedule_key_deletion, KeyId=md["KeyId"])[0] == "AccessDeniedException"


def test_signature_errors_in_kms_terms(server: RunningServer) -> None:
    bad_secret = kms(server, Creds(server.access_key, "wrong" * 8))
    assert fails(bad_secret.list_keys)[0] == "InvalidSignatureException"
    unknown = kms(server, Creds("AKIAUNKNOWNKEY000000", "x" * 40))
    assert fails(unknown.list_keys)[0] == "UnrecognizedClientException"
