"""``ironbucket usage``: the Requester Pays usage table, read from the metadata store.

Works while the server runs (SQLite WAL: a reader never blocks the workers). Counters reach the
store within a couple of seconds of the requests (see ``usage.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ironbucket.storage.interfaces import UsageRecord

_COLUMNS = (("Date", "day"), ("AccountId", "account_id"), ("Bucket", "bucket"), ("Payer", "payer"),
            ("Requests", "requests"), ("BytesIn", "bytes_in"), ("BytesOut", "bytes_out"))


async def load(data_dir: Path, bucket: str | None, account_id: str | None) -> list[UsageRecord]:
    from ironbucket.storage.open import open_storage

    meta, _ = open_storage(data_dir)
    try:
        return await meta.usage_list(bucket=bucket, account_id=account_id)
    finally:
        await meta.close()


def as_json(records: list[UsageRecord]) -> list[dict[str, Any]]:
    return [{name: getattr(record, attr) for name, attr in _COLUMNS} for record in records]


def as_table(records: list[UsageRecord]) -> str:
    rows = [[name for name, _ in _COLUMNS]]
    rows += [[str(getattr(record, attr)) for _, attr in _COLUMNS] for record in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS))]
    numeric = {i for i, (_, attr) in enumerate(_COLUMNS) if attr in ("requests", "bytes_in", "bytes_out")}
    lines = ["  ".join(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in rows]
    return "\n".join(lines)
