"""The Block Public Access settings in force for a bucket: its own and its owner account's.

Account settings are kept in the metadata store's settings under ``ACCOUNT_SETTING + id``
(written through the S3 Control API); both reads are served from the store's
generation-checked cache, so a change is seen by the next request on every worker.
"""

from __future__ import annotations

from ironbucket.features.public_access import CONFIG, PublicAccessBlock, effective
from ironbucket.storage.interfaces import MetadataStore

ACCOUNT_SETTING = "public-access-block/"


async def account_settings(meta: MetadataStore, account_id: str) -> PublicAccessBlock | None:
    return PublicAccessBlock.loads(await meta.get_setting(ACCOUNT_SETTING + account_id))


async def bucket_settings(meta: MetadataStore, bucket: str) -> PublicAccessBlock | None:
    return PublicAccessBlock.loads(await meta.get_bucket_config(bucket, CONFIG))


async def in_force(meta: MetadataStore, bucket: str, owner_account_id: str) -> PublicAccessBlock:
    return effective(await account_settings(meta, owner_account_id), await bucket_settings(meta, bucket))
