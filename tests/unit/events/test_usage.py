"""The usage meter: per-worker counters, flushed in the background and when it closes."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from ironbucket.events.record import RequestRecord
from ironbucket.events.usage import UsageMeter, day_of, set_charge
from ironbucket.events.usage_report import as_json, as_table
from ironbucket.features.requester_pays import Charge
from ironbucket.storage.interfaces import UsageRecord

DAY1 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
DAY2 = DAY1 + 2 * 3600  # past midnight UTC


class FakeStore:
    def __init__(self, failures: int = 0) -> None:
        self.added: list[UsageRecord] = []
        self.failures = failures

    async def usage_add(self, records: Sequence[UsageRecord]) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        self.added.extend(records)

    async def usage_list(self, bucket: str | None = None,
                         account_id: str | None = None) -> list[UsageRecord]:
        return list(self.added)


def record(at: float, charge: Charge | None, bytes_in: int = 0, bytes_out: int = 0) -> RequestRecord:
    made = RequestRecord(request_id="r", received_at=at, method="GET", path="/", client_ip="127.0.0.1",
                         bytes_in=bytes_in, bytes_out=bytes_out)
    if charge is not None:
        set_charge(made, charge)
    return made


def test_day_of() -> None:
    assert (day_of(DAY1), day_of(DAY2)) == ("2023-11-14", "2023-11-15")


@pytest.mark.parametrize(("records", "expected"), [
    ([], []),
    ([record(DAY1, None, 5, 5)], []),  # not on a Requester Pays bucket: not metered
    ([record(DAY1, Charge("b", "222", True), 10, 100), record(DAY1, Charge("b", "222", True), 1, 50)],
     [UsageRecord("2023-11-14", "222", "b", "Requester", 2, 11, 150)]),
    ([record(DAY1, Charge("b", "222", True), 0, 7), record(DAY2, Charge("b", "222", True), 0, 8)],
     [UsageRecord("2023-11-14", "222", "b", "Requester", 1, 0, 7),
      UsageRecord("2023-11-15", "222", "b", "Requester", 1, 0, 8)]),
    ([record(DAY1, Charge("b", "111", False), 3, 4), record(DAY1, Charge("c", "222", True), 0, 9)],
     [UsageRecord("2023-11-14", "111", "b", "BucketOwner", 1, 3, 4),
      UsageRecord("2023-11-14", "222", "c", "Requester", 1, 0, 9)]),
])
def test_counters_aggregate_per_day_account_bucket_payer(records: list[RequestRecord],
                                                         expected: list[UsageRecord]) -> None:
    async def scenario() -> list[UsageRecord]:
        store = FakeStore()
        meter = UsageMeter(store)
        for made in records:
            meter.add(made)
        await meter.flush()
        await meter.flush()  # nothing left: nothing written twice
        return store.added

    assert sorted(asyncio.run(scenario()), key=repr) == sorted(expected, key=repr)


def test_background_flush_and_close() -> None:
    async def scenario() -> tuple[int, int]:
        store = FakeStore()
        meter = UsageMeter(store, interval=0.01)
        meter.start()
        meter.add(record(DAY1, Charge("b", "222", True), 0, 1))
        await asyncio.sleep(0.1)
        flushed = sum(r.requests for r in store.added)
        meter.add(record(DAY1, Charge("b", "222", True), 0, 1))
        await meter.close()  # what was counted since is written on the way out
        return flushed, sum(r.requests for r in store.added)

    assert asyncio.run(scenario()) == (1, 2)


def test_a_failed_write_is_retried_not_lost() -> None:
    async def scenario() -> list[UsageRecord]:
        store = FakeStore(failures=1)
        meter = UsageMeter(store)
        meter.add(record(DAY1, Charge("b", "222", True), 1, 2))
        with pytest.raises(OSError):
            await meter.flush()
        meter.add(record(DAY1, Charge("b", "222", True), 1, 2))
        await meter.flush()
        return store.added

    assert asyncio.run(scenario()) == [UsageRecord("2023-11-14", "222", "b", "Requester", 2, 2, 4)]


def test_report_formats() -> None:
    rows = [UsageRecord("2023-11-14", "222222222222", "bucket", "Requester", 12, 3, 123456)]
    assert as_json(rows) == [{"Date": "2023-11-14", "AccountId": "222222222222", "Bucket": "bucket",
                              "Payer": "Requester", "Requests": 12, "BytesIn": 3, "BytesOut": 123456}]
    assert as_table(rows).splitlines() == [
        "Date        AccountId     Bucket  Payer      Requests  BytesIn  BytesOut",
        "2023-11-14  222222222222  bucket  Requester        12        3    123456",
    ]
    assert as_table([]) == "Date  AccountId  Bucket  Payer  Requests  BytesIn  BytesOut"
