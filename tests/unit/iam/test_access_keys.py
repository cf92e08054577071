"""Access keys through the IAM service, and how they authenticate (StoredCredentials): as the
IAM user, refused once inactive, deleted, or when the user is gone. Key use is recorded throttled."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ironbucket.auth.principal import PrincipalType
from ironbucket.auth.stored_credentials import KeyUseRecorder
from ironbucket.iam.errors import LimitExceeded, NoSuchEntity, ValidationError
from ironbucket.storage.interfaces import KeyUse, MetadataStore
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import OWNER, Iam, tags, text, texts


async def _create_key(iam: Iam, user: str) -> tuple[str, str]:
    created = await iam("CreateAccessKey", UserName=user)
    key_id = text(created, "CreateAccessKeyResult/AccessKey/AccessKeyId") or ""
    secret = text(created, "CreateAccessKeyResult/AccessKey/SecretAccessKey") or ""
    return key_id, secret


async def test_user_keys_authenticate_as_the_user(iam: Iam, meta: SqliteMetadataStore) -> None:
    await iam("CreateUser", UserName="alice", Path="/eng/", **tags(team="core"))
    key_id, secret = await _create_key(iam, "alice")
    assert key_id.startswith("AKIA") and len(key_id) == 20 and len(secret) == 40
    stored = await meta.get_access_key(key_id)
    assert stored is not None and secret.encode() not in stored.sealed_secret  # sealed, not plain
    credential = await iam.credentials.lookup(key_id)
    assert credential is not None and credential.secret_access_key == secret and credential.active
    principal = credential.principal
    assert principal.type is PrincipalType.USER
    assert principal.arn == f"arn:aws:iam::{OWNER}:user/eng/alice"
    assert principal.user_id.startswith("AIDA") and principal.username == "alice"
    assert dict(principal.tags) == {"team": "core"} and principal.account_id == OWNER
    assert await iam.credentials.lookup(key_id) is credential  # memoised while nothing changed
    # Renaming moves the key along.
    await iam("UpdateUser", UserName="alice", NewUserName="alicia")
    renamed = await iam.credentials.lookup(key_id)
    assert renamed is not None and renamed.principal.arn.endswith(":user/eng/alicia")
    await iam("UpdateAccessKey", UserName="alicia", AccessKeyId=key_id, Status="Inactive")
    inactive = await iam.credentials.lookup(key_id)
    assert inactive is not None and not inactive.active
    await iam("DeleteAccessKey", UserName="alicia", AccessKeyId=key_id)
    assert await iam.credentials.lookup(key_id) is None


async def test_key_limits_and_ownership(iam: Iam) -> None:
    await iam("CreateUser", UserName="a")
    await iam("CreateUser", UserName="b")
    first, _ = await _create_key(iam, "a")
    await _create_key(iam, "a")
    with pytest.raises(LimitExceeded, match="AccessKeysPerUser: 2"):
        await _create_key(iam, "a")
    listed = await iam("ListAccessKeys", UserName="a", MaxItems="1")
    assert len(texts(listed, "ListAccessKeysResult/AccessKeyMetadata/member")) == 1
    assert text(listed, "ListAccessKeysResult/IsTruncated") == "true"
    with pytest.raises(NoSuchEntity, match=f"The Access Key with id {first} cannot be found"):
        await iam("DeleteAccessKey", UserName="b", AccessKeyId=first)
    with pytest.raises(ValidationError):
        await iam("UpdateAccessKey", UserName="a", AccessKeyId=first, Status="Expired")
    with pytest.raises(ValidationError, match="must not be null"):
        await iam("UpdateAccessKey", UserName="a", AccessKeyId=first)


SELF_SERVICE = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": '
    '["iam:CreateAccessKey", "iam:ListAccessKeys"], "Resource": "arn:aws:iam::*:user/${aws:username}"}]}'
)


async def test_self_service_keys(iam: Iam, meta: SqliteMetadataStore) -> None:
    await iam("CreateUser", UserName="alice")
    await iam("PutUserPolicy", UserName="alice", PolicyName="self", PolicyDocument=SELF_SERVICE)
    alice = await meta.iam_get_user(OWNER, "alice")
    assert alice is not None
    as_alice = iam.as_user(alice)
    key_id = text(await as_alice("CreateAccessKey"), "CreateAccessKeyResult/AccessKey/AccessKeyId")
    mine = await as_alice("ListAccessKeys")
    assert texts(mine, "ListAccessKeysResult/AccessKeyMetadata/member/AccessKeyId") == [key_id]
    assert texts(mine, "ListAccessKeysResult/AccessKeyMetadata/member/UserName") == ["alice"]
    # The root user's own keys (none yet here: the fixture account has no root key).
    root_key = text(await iam("CreateAccessKey"), "CreateAccessKeyResult/AccessKey/AccessKeyId") or ""
    root_listed = await iam("ListAccessKeys")
    assert texts(root_listed, "ListAccessKeysResult/AccessKeyMetadata/member/AccessKeyId") == [root_key]
    credential = await iam.credentials.lookup(root_key)
    assert credential is not None and credential.principal.is_root


async def test_last_used(iam: Iam, meta: SqliteMetadataStore) -> None:
    await iam("CreateUser", UserName="alice")
    key_id, _ = await _create_key(iam, "alice")
    never = await iam("GetAccessKeyLastUsed", AccessKeyId=key_id)
    assert text(never, "GetAccessKeyLastUsedResult/UserName") == "alice"
    assert text(never, "GetAccessKeyLastUsedResult/AccessKeyLastUsed/ServiceName") == "N/A"
    assert text(never, "GetAccessKeyLastUsedResult/AccessKeyLastUsed/LastUsedDate") is None
    await meta.iam_record_key_use([KeyUse(key_id, iam.now, "s3", "eu-west-1")])
    used = await iam("GetAccessKeyLastUsed", AccessKeyId=key_id)
    assert text(used, "GetAccessKeyLastUsedResult/AccessKeyLastUsed/ServiceName") == "s3"
    assert text(used, "GetAccessKeyLastUsedResult/AccessKeyLastUsed/Region") == "eu-west-1"
    with pytest.raises(NoSuchEntity):
        await iam("GetAccessKeyLastUsed", AccessKeyId="AKIANOSUCHKEY0000000")


class _Recording:
    def __init__(self) -> None:
        self.writes: list[list[KeyUse]] = []

    async def iam_record_key_use(self, uses: Sequence[KeyUse]) -> None:
        self.writes.append(list(uses))


async def test_recorder_throttles_and_batches() -> None:
    store = _Recording()
    recorder = KeyUseRecorder(store, interval=60.0, delay=0.01)  # type: ignore[arg-type]
    recorder.note("K1", "s3", "us-east-1", 1000.0)
    recorder.note("K1", "s3", "us-east-1", 1001.0)  # within the minute: skipped
    recorder.note("K2", "iam", "us-east-1", 1001.0)
    await asyncio.sleep(0.05)
    assert store.writes == [[KeyUse("K1", 1000.0, "s3", "us-east-1"),
                             KeyUse("K2", 1001.0, "iam", "us-east-1")]]
    recorder.note("K1", "s3", "us-east-1", 1030.0)  # still throttled
    recorder.note("K1", "s3", "us-east-1", 1061.0)
    await asyncio.sleep(0.05)
    assert store.writes[1:] == [[KeyUse("K1", 1061.0, "s3", "us-east-1")]]


async def test_recorder_survives_a_failing_store() -> None:
    class Broken:
        async def iam_record_key_use(self, uses: Sequence[KeyUse]) -> None:
            raise RuntimeError("the metadata store is closed")

    broken: MetadataStore = Broken()  # type: ignore[assignment]
    recorder = KeyUseRecorder(broken, delay=0.0)
    recorder.note("K1", "s3", "r", 1.0)
    await asyncio.sleep(0.01)
    recorder.note("K2", "s3", "r", 1.0)  # a new flush starts after the failed one
    await asyncio.sleep(0.01)
