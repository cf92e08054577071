"""Settings, accounts, access keys, buckets and bucket configs."""

from __future__ import annotations

import dataclasses

import pytest

from ironbucket.errors import (
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    NoSuchBucket,
)
from ironbucket.storage.sqlite import SqliteMetadataStore, schema
from tests.unit.storage.support import (
    BUCKET,
    OTHER,
    OWNER,
    access_key,
    account,
    blob_id,
    bucket,
    part,
    upload,
    version,
)


async def test_settings_round_trip(meta: SqliteMetadataStore) -> None:
    assert await meta.get_setting("default_account") is None
    await meta.put_setting("default_account", OWNER)
    assert await meta.get_setting("default_account") == OWNER
    await meta.put_setting("default_account", OTHER)
    assert await meta.get_setting("default_account") == OTHER


async def test_schema_version_setting_is_reserved(meta: SqliteMetadataStore) -> None:
    assert await meta.get_setting("schema_version") == str(schema.LATEST_VERSION)
    with pytest.raises(ValueError, match="schema"):
        await meta.put_setting("schema_version", "0")


async def test_accounts_and_root_key(meta: SqliteMetadataStore) -> None:
    other = account(OTHER, "bob")
    key = access_key("AKIABOB", OTHER)
    await meta.create_account(other, key)
    assert await meta.get_account(OTHER) == other
    assert await meta.get_account("000000000000") is None
    assert [a.account_id for a in await meta.list_accounts()] == [OWNER, OTHER]
    got = await meta.get_access_key("AKIABOB")
    assert got == key
    assert got is not None and got.sealed_secret == b"\x00sealed\xff"


async def test_duplicate_account_rolls_back_its_key(meta: SqliteMetadataStore) -> None:
    with pytest.raises(ValueError, match="already exists"):
        await meta.create_account(account(OWNER, "again"), access_key("AKIANEW"))
    assert await meta.get_access_key("AKIANEW") is None
    assert (await meta.get_account(OWNER)) == account()


async def test_put_access_key_replaces(meta: SqliteMetadataStore) -> None:
    await meta.put_access_key(access_key("AKIA1"))
    await meta.put_access_key(dataclasses.replace(access_key("AKIA1"), active=False))
    got = await meta.get_access_key("AKIA1")
    assert got is not None and not got.active
    assert await meta.get_access_key("AKIAMISSING") is None


async def test_access_key_needs_an_account(meta: SqliteMetadataStore) -> None:
    with pytest.raises(ValueError, match="no account"):
        await meta.put_access_key(access_key("AKIAORPHAN", "999999999999"))


@pytest.mark.parametrize(("owner", "error"), [(OWNER, BucketAlreadyOwnedByYou), (OTHER, BucketAlreadyExists)])
async def test_create_existing_bucket(meta: SqliteMetadataStore, owner: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        await meta.create_bucket(bucket(BUCKET, owner))


async def test_get_update_bucket(meta: SqliteMetadataStore) -> None:
    assert await meta.get_bucket(BUCKET) == bucket()
    assert await meta.get_bucket("nope") is None
    changed = bucket(versioning="Enabled", object_lock=True)
    await meta.update_bucket(changed)
    assert await meta.get_bucket(BUCKET) == changed
    with pytest.raises(NoSuchBucket):
        await meta.update_bucket(bucket("nope"))


async def test_list_buckets(meta: SqliteMetadataStore) -> None:
    for name in ("photos", "photos-2", "logs", "zeta"):
        await meta.create_bucket(bucket(name))
    await meta.create_bucket(bucket("photos-other", OTHER))

    async def names(prefix: str, start_after: str, limit: int) -> list[str]:
        return [b.name for b in await meta.list_buckets(OWNER, prefix, start_after, limit)]

    assert await names("", "", 100) == [BUCKET, "logs", "photos", "photos-2", "zeta"]
    assert await names("photos", "", 100) == ["photos", "photos-2"]
    assert await names("photos", "photos", 100) == ["photos-2"]
    assert await names("", "logs", 2) == ["photos", "photos-2"]
    assert await names("q", "", 100) == []
    assert await names("", "", 0) == []
    assert [b.name for b in await meta.list_buckets(OTHER, "", "", 10)] == ["photos-other"]


async def test_bucket_configs(meta: SqliteMetadataStore) -> None:
    assert await meta.get_bucket_config(BUCKET, "policy") is None
    await meta.put_bucket_config(BUCKET, "policy", '{"Version":"2012-10-17"}')
    await meta.put_bucket_config(BUCKET, "tagging", "<Tagging/>")
    assert await meta.get_bucket_config(BUCKET, "policy") == '{"Version":"2012-10-17"}'
    await meta.put_bucket_config(BUCKET, "policy", None)
    assert await meta.get_bucket_config(BUCKET, "policy") is None
    assert await meta.get_bucket_config(BUCKET, "tagging") == "<Tagging/>"
    with pytest.raises(NoSuchBucket):
        await meta.put_bucket_config("nope", "policy", "{}")


async def test_delete_missing_bucket(meta: SqliteMetadataStore) -> None:
    with pytest.raises(NoSuchBucket):
        await meta.delete_bucket("nope")


@pytest.mark.parametrize("delete_marker", [False, True])
async def test_delete_bucket_with_a_version_is_refused(meta: SqliteMetadataStore,
                                                      delete_marker: bool) -> None:
    await meta.put_version(version("k", data=None, is_delete_marker=delete_marker))
    with pytest.raises(BucketNotEmpty):
        await meta.delete_bucket(BUCKET)
    assert await meta.get_bucket(BUCKET) is not None


async def test_delete_bucket_takes_configs_uploads_and_parts(meta: SqliteMetadataStore) -> None:
    await meta.put_bucket_config(BUCKET, "cors", "<CORS/>")
    await meta.create_upload(upload("u1"))
    await meta.put_part(part("u1", 1, blob_id(1)))
    await meta.put_part(part("u1", 2, blob_id(2)))
    await meta.put_part(part("u1", 3, None, size=0))
    freed = await meta.delete_bucket(BUCKET)
    assert sorted(freed) == [blob_id(1), blob_id(2)]
    assert await meta.get_bucket(BUCKET) is None
    assert await meta.get_upload("u1") is None
    assert await meta.referenced_blobs([blob_id(1), blob_id(2)]) == set()
    # The name is free again, with no configuration left over.
    await meta.create_bucket(bucket(BUCKET, OTHER))
    assert await meta.get_bucket_config(BUCKET, "cors") is None
