"""KMS authorization end to end: the key policy must allow (directly, or by naming the account
to let IAM policies decide), grants with their encryption-context constraints, explicit denies,
cross-account use needing both sides, and key-policy conditions on the encryption context."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.iam_helpers import Account, allow, client, deny, fails, new_account, new_user, policy
from tests.integration.kms_helpers import account_of, allow_principal, key_policy, kms, root_creds
from tests.integration.server import RunningServer

DENIED = ("AccessDeniedException", 400)


@pytest.fixture(scope="module")
def iam(server: RunningServer) -> Any:
    return client(server, "iam", root_creds(server))


@pytest.fixture(scope="module")
def owner(server: RunningServer) -> str:
    return account_of(server)


def test_key_policy_without_delegation_denies_iam_allowed_users(server: RunningServer, iam: Any,
                                                                  owner: str) -> None:
    root = kms(server)
    alice_arn, alice = new_user(iam)
    _, bob = new_user(iam, inline=policy(allow("kms:*")))
    text = key_policy(allow_principal(alice_arn))
    key = root.create_key(Policy=text, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]["KeyId"]
    # alice is named by the key policy: no IAM policy needed
    blob = kms(server, alice).encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert kms(server, alice).decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    # bob's identity policy allows kms:*, but the key policy does not delegate to IAM
    assert fails(kms(server, bob).decrypt, CiphertextBlob=blob) == DENIED
    assert fails(kms(server, bob).describe_key, KeyId=key) == DENIED
    # nor does it let in the account's root user
    assert fails(root.decrypt, CiphertextBlob=blob) == DENIED
    # without the bypass, a policy locking the caller out is refused
    assert fails(root.create_key, Policy=text)[0] == "MalformedPolicyDocumentException"


def test_delegation_to_iam(server: RunningServer, iam: Any) -> None:
    key = kms(server).create_key()["KeyMetadata"]["KeyId"]  # default policy: the account root
    _, bob = new_user(iam, inline=policy(allow(["kms:Encrypt", "kms:Decrypt"])))
    _, eve = new_user(iam)
    _, mallory = new_user(iam, inline=policy(allow("kms:*"), deny("kms:Decrypt")))
    blob = kms(server, bob).encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert kms(server, bob).decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
    assert fails(kms(server, bob).disable_key, KeyId=key) == DENIED  # not in bob's policy
    assert fails(kms(server, eve).decrypt, CiphertextBlob=blob) == DENIED
    assert fails(kms(server, mallory).decrypt, CiphertextBlob=blob) == DENIED  # explicit deny
    assert fails(kms(server, eve).create_key) == DENIED
    assert fails(kms(server, eve).list_keys) == DENIED


def test_grants(server: RunningServer, iam: Any) -> None:
    root = kms(server)
    key = root.create_key()["KeyMetadata"]["KeyId"]
    carol_arn, carol = new_user(iam)
    dave_arn, dave = new_user(iam, inline=policy(deny("kms:Decrypt")))
    blob = root.encrypt(KeyId=key, Plaintext=b"granted", EncryptionContext={"app": "x"})["CiphertextBlob"]
    other = root.encrypt(KeyId=key, Plaintext=b"other", EncryptionContext={"app": "y"})["CiphertextBlob"]
    assert fails(kms(server, carol).decrypt, CiphertextBlob=blob, EncryptionContext={"app": "x"}) == DENIED
    made = root.create_grant(KeyId=key, GranteePrincipal=carol_arn, Operations=["Decrypt"],
                             Constraints={"EncryptionContextSubset": {"app": "x"}}, Name="carol-read")
    root.create_grant(KeyId=key, GranteePrincipal=dave_arn, Operations=["Decrypt"])
    c = kms(server, carol)
    assert c.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "x"})["Plaintext"] == b"granted"
    assert fails(c.decrypt, CiphertextBlob=other, EncryptionContext={"app": "y"}) == DENIED
    assert fails(c.encrypt, KeyId=key, Plaintext=b"x", EncryptionContext={"app": "x"}) == DENIED
    # an explicit deny in dave's own policy wins over his grant
    assert fails(kms(server, dave).decrypt, CiphertextBlob=other, EncryptionContext={"app": "y"}) == DENIED
    listed = {g["GrantId"]: g for g in root.list_grants(KeyId=key)["Grants"]}
    entry = listed[made["GrantId"]]
    assert entry["GranteePrincipal"] == carol_arn and entry["Operations"] == ["Decrypt"]
    assert entry["Constraints"] == {"EncryptionContextSubset": {"app": "x"}} and entry["Name"] == "carol-read"
    # carol may not retire it (not the retiring principal; RetireGrant not granted); the issuer may
    assert fails(c.retire_grant, GrantToken=made["GrantToken"]) == DENIED
    root.retire_grant(GrantToken=made["GrantToken"])
    assert fails(c.decrypt, CiphertextBlob=blob, EncryptionContext={"app": "x"}) == DENIED
    again = root.create_grant(KeyId=key, GranteePrincipal=carol_arn, Operations=["Decrypt"],
                              Constraints={"EncryptionContextEquals": {"app": "x"}})
    assert c.decrypt(CiphertextBlob=blob, EncryptionContext={"app": "x"})["Plaintext"] == b"granted"
    root.revoke_grant(KeyId=key, GrantId=again["GrantId"])
    assert fails(c.decrypt, CiphertextBlob=blob, EncryptionContext={"app": "x"}) == DENIED
    assert fails(root.create_grant, KeyId=key, GranteePrincipal=carol_arn, Operations=["Sign"])[0] == \
        "ValidationException"


@pytest.fixture(scope="module")
def partner(server: RunningServer) -> Account:
    return new_account(server, "kms-partner")


def test_cross_account_needs_both_sides(server: RunningServer, owner: str, partner: Account) -> None:
    root = kms(server)
    shared_policy = key_policy(allow_principal(f"arn:aws:iam::{owner}:root"),
                               allow_principal(partner.arn(), ["kms:Encrypt", "kms:Decrypt"]))
    shared = root.create_key(Policy=shared_policy)["KeyMetadata"]["Arn"]
    private = root.create_key()["KeyMetadata"]["Arn"]
    partner_iam = client(server, "iam", partner.root)
    use = policy(allow(["kms:Encrypt", "kms:Decrypt"], [shared, private]))
    _, allowed = new_user(partner_iam, inline=use)
    _, unallowed = new_user(partner_iam)
    ok = kms(server, allowed)
    blob = ok.encrypt(KeyId=shared, Plaintext=b"across")["CiphertextBlob"]
    assert ok.decrypt(CiphertextBlob=blob)["Plaintext"] == b"across"
    assert root.decrypt(CiphertextBlob=blob)["Plaintext"] == b"across"
    assert fails(kms(server, unallowed).encrypt, KeyId=shared, Plaintext=b"x") == DENIED  # own side
    assert fails(ok.encrypt, KeyId=private, Plaintext=b"x") == DENIED  # key policy side
    # a bare key id means a key of the caller's own account
    assert fails(ok.encrypt, KeyId=shared.rsplit("/", 1)[1], Plaintext=b"x")[0] == "NotFoundException"
    # the partner's root passes its own side, and the key policy names its account
    assert kms(server, partner.root).encrypt(KeyId=shared, Plaintext=b"x")["KeyId"] == shared


def test_key_policy_conditions_on_the_encryption_context(server: RunningServer, iam: Any,
                                                          owner: str) -> None:
    erin_arn, erin = new_user(iam)
    text = key_policy(allow_principal(f"arn:aws:iam::{owner}:root"),
                      allow_principal(erin_arn, ["kms:Encrypt", "kms:Decrypt"],
                                      {"StringEquals": {"kms:EncryptionContext:dept": "finance"}}))
    key = kms(server).create_key(Policy=text)["KeyMetadata"]["KeyId"]
    e = kms(server, erin)
    blob = e.encrypt(KeyId=key, Plaintext=b"ledger", EncryptionContext={"dept": "finance"})["CiphertextBlob"]
    assert e.decrypt(CiphertextBlob=blob, EncryptionContext={"dept": "finance"})["Plaintext"] == b"ledger"
    assert fails(e.encrypt, KeyId=key, Plaintext=b"x", EncryptionContext={"dept": "sales"}) == DENIED
    assert fails(e.encrypt, KeyId=key, Plaintext=b"x") == DENIED
