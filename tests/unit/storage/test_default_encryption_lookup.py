"""default_encryption(), the lookup every object write makes: served from the configuration cache
(no SQL once warm), and a change is seen by the next lookup."""

from __future__ import annotations

from types import SimpleNamespace
from typing import cast

import pytest

from ironbucket.api.bucket_encryption import default_encryption
from ironbucket.api.context import Services
from ironbucket.errors import InternalError
from ironbucket.features.default_encryption import CONFIG_NAME, SSE_S3_DEFAULT, DefaultEncryption, to_stored
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET


def services(meta: SqliteMetadataStore) -> Services:
    return cast(Services, SimpleNamespace(meta=meta))


async def test_warm_lookups_run_no_query_and_changes_are_seen(meta: SqliteMetadataStore) -> None:
    statements: list[str] = []
    meta._reader().set_trace_callback(statements.append)
    assert await default_encryption(services(meta), BUCKET) == SSE_S3_DEFAULT
    assert statements  # the first lookup loads
    statements.clear()
    assert await default_encryption(services(meta), BUCKET) == SSE_S3_DEFAULT
    assert statements == []  # "nothing configured" is cached too

    configured = DefaultEncryption("aws:kms", "alias/app", True)
    await meta.put_bucket_config(BUCKET, CONFIG_NAME, to_stored(configured))
    assert await default_encryption(services(meta), BUCKET) == configured
    statements.clear()
    assert await default_encryption(services(meta), BUCKET) == configured
    assert statements == []

    await meta.put_bucket_config(BUCKET, CONFIG_NAME, None)
    assert await default_encryption(services(meta), BUCKET) == SSE_S3_DEFAULT


async def test_an_unreadable_stored_document_fails_the_lookup(meta: SqliteMetadataStore) -> None:
    await meta.put_bucket_config(BUCKET, CONFIG_NAME, '{"v":99}')
    with pytest.raises(InternalError):  # never silently SSE-S3 instead of the configured key
        await default_encryption(services(meta), BUCKET)
