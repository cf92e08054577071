"""Usage counters in SQLite: reports are added, never replaced, whichever worker sends them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ironbucket.storage.interfaces import UsageRecord
from ironbucket.storage.sqlite import SqliteMetadataStore


def test_sqlite_adds_reports_from_every_worker(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[UsageRecord], list[UsageRecord], list[UsageRecord]]:
        first = SqliteMetadataStore(tmp_path / "meta.sqlite3")
        second = SqliteMetadataStore(tmp_path / "meta.sqlite3")  # another worker's connection
        try:
            await first.usage_add([UsageRecord("2023-11-14", "222", "b", "Requester", 2, 10, 100)])
            await second.usage_add([UsageRecord("2023-11-14", "222", "b", "Requester", 1, 5, 50),
                                    UsageRecord("2023-11-14", "111", "b", "BucketOwner", 1, 0, 0),
                                    UsageRecord("2023-11-15", "222", "c", "Requester", 1, 0, 1)])
            await first.usage_add([])
            return (await first.usage_list(), await second.usage_list(bucket="c"),
                    await first.usage_list(account_id="111"))
        finally:
            await first.close()
            await second.close()

    everything, bucket_c, account_111 = asyncio.run(scenario())
    assert everything == [UsageRecord("2023-11-14", "111", "b", "BucketOwner", 1, 0, 0),
                          UsageRecord("2023-11-14", "222", "b", "Requester", 3, 15, 150),
                          UsageRecord("2023-11-15", "222", "c", "Requester", 1, 0, 1)]
    assert bucket_c == [UsageRecord("2023-11-15", "222", "c", "Requester", 1, 0, 1)]
    assert account_111 == [UsageRecord("2023-11-14", "111", "b", "BucketOwner", 1, 0, 0)]
