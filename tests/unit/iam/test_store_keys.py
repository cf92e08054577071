"""The IAM store: access keys of users and root, and when each was last used."""

from __future__ import annotations

import pytest

from ironbucket.iam.ids import USER, new_id
from ironbucket.storage.interfaces import (
    AccessKey,
    IamNoSuchEntity,
    IamQuotaExceeded,
    IamUser,
    KeyUse,
)
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import NOW, OWNER


def key(key_id: str, owner: str = "alice", kind: str = "user", at: float = NOW) -> AccessKey:
    return AccessKey(access_key_id=key_id, account_id=OWNER, owner_kind=kind, owner_name=owner,
                     sealed_secret=b"sealed", created_at=at)


async def test_keys_per_owner(meta: SqliteMetadataStore) -> None:
    alice = IamUser(account_id=OWNER, name="alice", user_id=new_id(USER), created_at=NOW)
    await meta.iam_create_user(alice)
    await meta.iam_create_access_key(key("AKIAALICE00000000002", at=NOW + 1), alice.user_id, 2)
    await meta.iam_create_access_key(key("AKIAALICE00000000001"), alice.user_id, 2)
    with pytest.raises(IamQuotaExceeded, match="AccessKeysPerUser: 2"):
        await meta.iam_create_access_key(key("AKIAALICE00000000003"), alice.user_id, 2)
    await meta.iam_create_access_key(key("AKIAROOT000000000001", "root", "root"), None, 2)
    listed = await meta.iam_list_access_keys(OWNER, alice.user_id)
    assert [k.access_key_id for k in listed] == ["AKIAALICE00000000001", "AKIAALICE00000000002"]
    assert [k.access_key_id for k in await meta.iam_list_access_keys(OWNER, None)] == ["AKIAROOT000000000001"]
    assert await meta.iam_key_owner("AKIAALICE00000000001") == alice.user_id
    assert await meta.iam_key_owner("AKIAROOT000000000001") is None
    await meta.iam_update_access_key("AKIAALICE00000000001", False)
    stored = await meta.get_access_key("AKIAALICE00000000001")
    assert stored is not None and not stored.active and stored.owner_name == "alice"
    await meta.iam_delete_access_key("AKIAALICE00000000001")
    assert await meta.get_access_key("AKIAALICE00000000001") is None
    with pytest.raises(IamNoSuchEntity):
        await meta.iam_delete_access_key("AKIAALICE00000000001")
    with pytest.raises(IamNoSuchEntity):
        await meta.iam_create_access_key(key("AKIAGHOST0000000001"), "AIDAGHOST", 2)


async def test_last_used_keeps_the_latest_and_dies_with_the_key(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_access_key(key("AKIAROOT000000000001", "root", "root"), None, 2)
    assert await meta.iam_key_last_used("AKIAROOT000000000001") is None
    await meta.iam_record_key_use([KeyUse("AKIAROOT000000000001", NOW + 10, "s3", "us-east-1"),
                                   KeyUse("AKIAUNKNOWN000000001", NOW, "s3", "us-east-1")])
    await meta.iam_record_key_use([KeyUse("AKIAROOT000000000001", NOW + 5, "iam", "us-east-1")])  # older
    assert await meta.iam_key_last_used("AKIAROOT000000000001") == KeyUse(
        "AKIAROOT000000000001", NOW + 10, "s3", "us-east-1")
    assert await meta.iam_key_last_used("AKIAUNKNOWN000000001") is None
    await meta.iam_delete_access_key("AKIAROOT000000000001")
    assert await meta.iam_key_last_used("AKIAROOT000000000001") is None
