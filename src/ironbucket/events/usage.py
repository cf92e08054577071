"""The usage meter of Requester Pays buckets, fed from the pipeline's ``record`` stage.

Each worker adds every metered request to counters in memory, per (day, charged account,
bucket, payer): a dictionary update, off the request's path. A background task hands the
counters to the metadata store every couple of seconds, where they are *added* to the stored
rows, so any number of workers report without coordinating. Closing the worker (graceful
shutdown) flushes what is left; a crash loses at most the last interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from ironbucket.events.record import RequestRecord
from ironbucket.features.requester_pays import BUCKET_OWNER, REQUESTER, Charge
from ironbucket.storage.interfaces import UsageRecord, UsageStore

log = logging.getLogger(__name__)
FLUSH_SECONDS = 2.0
CHARGE_KEY = "charge"  # RequestRecord.extra key the pipeline sets on metered requests

_Key = tuple[str, str, str, str]  # day, account, bucket, payer


def set_charge(record: RequestRecord, charge: Charge) -> None:
    record.extra[CHARGE_KEY] = charge


def charge_of(record: RequestRecord) -> Charge | None:
    charge: Any = record.extra.get(CHARGE_KEY)
    return charge if isinstance(charge, Charge) else None


def day_of(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


class UsageMeter:
    def __init__(self, store: UsageStore, interval: float = FLUSH_SECONDS) -> None:
        self._store = store
        self._interval = interval
        self._pending: dict[_Key, list[int]] = {}
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def add(self, record: RequestRecord) -> None:
        """Count a finished request, if it was on a Requester Pays bucket."""
        charge = charge_of(record)
        if charge is None:
            return
        key = (day_of(record.received_at), charge.account_id, charge.bucket,
               REQUESTER if charge.requester_pays else BUCKET_OWNER)
        counters = self._pending.get(key)
        if counters is None:
            self._pending[key] = [1, record.bytes_in, record.bytes_out]
        else:
            counters[0] += 1
            counters[1] += record.bytes_in
            counters[2] += record.bytes_out

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        # Never cancelled mid-write: a cancelled wait for a queued write would still commit it,
        # and the counters must then not be counted again.
        while not self._stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._interval)
            try:
                await self.flush()
            except Exception:  # a full disk, say: the counters wait for the next try
                log.warning("could not record Requester Pays usage", exc_info=True)

    async def close(self) -> None:
        """Write what is left and stop (before the store closes)."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self.flush()

    async def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        records = [UsageRecord(day, account, bucket, payer, *counters)
                   for (day, account, bucket, payer), counters in pending.items()]
        try:
            await self._store.usage_add(records)
        except Exception:
            self._merge_back(pending)  # not written: counted with the next flush
            raise

    def _merge_back(self, pending: dict[_Key, list[int]]) -> None:
        for key, counters in pending.items():
            current = self._pending.setdefault(key, [0, 0, 0])
            for index, value in enumerate(counters):
                current[index] += value
