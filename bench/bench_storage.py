"""Micro-benchmark of the embedded storage (prints numbers; not a test).

    python bench/bench_storage.py [--dir DIR] [--objects N] [--seconds S]

DIR should be on the disk you mean to measure (default: a temporary directory under the
current directory). Measures: raw fsync latency, inline put_version throughput with 1 and
64 concurrent writers (group commit), get_version latency, a 1000-key list_current page,
blob writes, and blob range reads with and without the descriptor cache.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop

from ironbucket.storage.filesystem import FileBlobStore
from ironbucket.storage.interfaces import Account, Bucket, ObjectVersion
from ironbucket.storage.open import open_storage
from ironbucket.storage.sqlite import SqliteMetadataStore

OWNER = "111122223333"


def _pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(p * len(s)))]


def _report(name: str, samples_s: list[float], unit: float = 1e6, suffix: str = "us") -> None:
    xs = [x * unit for x in samples_s]
    print(f"  {name:<44} median {statistics.median(xs):9.1f} {suffix}   p99 {_pct(xs, 0.99):9.1f} {suffix}"
          f"   (n={len(xs)})")


def bench_fsync(directory: Path, n: int = 200) -> None:
    print("fsync")
    path = directory / "fsync-probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    samples = []
    for i in range(n):
        os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
        t = time.perf_counter()
        os.fsync(fd)
        samples.append(time.perf_counter() - t)
    os.close(fd)
    path.unlink()
    _report("fsync after a 4 KiB write", samples)


def _version(bucket: str, key: str, data: bytes) -> ObjectVersion:
    return ObjectVersion(bucket=bucket, key=key, version_id="null", last_modified=time.time(),
                         owner_account_id=OWNER, size=len(data), etag="0" * 32, data=data,
                         system_metadata={"content-type": "application/octet-stream"})


async def _put_loop(meta: SqliteMetadataStore, bucket: str, w: int, deadline: float,
                    latencies: list[float]) -> int:
    data = os.urandom(1024)
    i = 0
    while time.perf_counter() < deadline:
        t = time.perf_counter()
        await meta.put_version(_version(bucket, f"w{w}/k{i}", data))
        latencies.append(time.perf_counter() - t)
        i += 1
    return i


async def bench_puts(meta: SqliteMetadataStore, seconds: float) -> None:
    print("inline put_version (1 KiB objects, distinct keys)")
    for writers in (1, 64):
        bucket = f"puts-{writers}"
        await meta.create_bucket(Bucket(bucket, OWNER, "us-east-1", time.time()))
        commits0 = meta.commit_count
        latencies: list[float] = []
        t0 = time.perf_counter()
        counts = await asyncio.gather(*(_put_loop(meta, bucket, w, t0 + seconds, latencies)
                                        for w in range(writers)))
        elapsed = time.perf_counter() - t0
        count, commits = sum(counts), meta.commit_count - commits0
        print(f"  {writers:>2} writer(s): {count / elapsed:9.0f} puts/s   {commits / elapsed:7.0f} commits/s"
              f"   {count / max(commits, 1):6.1f} puts/commit")
        _report(f"   put latency, {writers} writer(s)", latencies, 1e3, "ms")


async def _fill(meta: SqliteMetadataStore, bucket: str, n: int) -> list[str]:
    await meta.create_bucket(Bucket(bucket, OWNER, "us-east-1", time.time()))
    keys = [f"dir{i % 100:02}/object-{i:08}" for i in range(n)]
    data = os.urandom(1024)
    for i in range(0, n, 1000):
        await asyncio.gather(*(meta.put_version(_version(bucket, k, data)) for k in keys[i:i + 1000]))
    return sorted(keys)


async def _time(fn: Callable[[], Awaitable[object]], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - t)
    return samples


async def bench_reads(meta: SqliteMetadataStore, objects: int) -> None:
    print(f"reads ({objects} objects of 1 KiB in one bucket)")
    keys = await _fill(meta, "reads", objects)
    rng = random.Random(1)
    await _time(lambda: meta.get_version("reads", rng.choice(keys)), 5000)  # warm the page cache
    _report("get_version (latest, with data)",
            await _time(lambda: meta.get_version("reads", rng.choice(keys)), 5000))
    _report("get_version (latest, without data)",
            await _time(lambda: meta.get_version("reads", rng.choice(keys), with_data=False), 5000))
    _report("get_version (missing key)", await _time(lambda: meta.get_version("reads", "nope"), 5000))
    _report("list_current, 1000-key page from a random key",
            await _time(lambda: meta.list_current("reads", "", rng.choice(keys), False, 1000), 200),
            1e3, "ms")
    _report("list_current, 100-key page under a prefix",
            await _time(lambda: meta.list_current("reads", f"dir{rng.randrange(100):02}/", "", False, 100),
                        500), 1e3, "ms")


def bench_blobs(blobs: FileBlobStore, tmp: Path) -> None:
    print("blobs")
    samples = []
    for _ in range(100):
        t = time.perf_counter()
        w = blobs.new_writer()
        w.write(os.urandom(4096))
        w.finish()
        samples.append(time.perf_counter() - t)
    _report("write + finish a 4 KiB blob", samples, 1e3, "ms")
    ids = []
    for _ in range(32):
        w = blobs.new_writer()
        w.write(os.urandom(1 << 20))
        w.finish()
        ids.append(w.blob_id)
    uncached = FileBlobStore(blobs.root, tmp, fd_cache_size=0)
    rng = random.Random(2)
    for name, store in (("read 64 KiB, fd cache", blobs), ("read 64 KiB, open/close each", uncached)):
        xs = []
        for _ in range(5000):
            blob_id, off = rng.choice(ids), rng.randrange(0, (1 << 20) - 65536)
            t = time.perf_counter()
            store.read(blob_id, off, 65536)
            xs.append(time.perf_counter() - t)
        _report(name, xs)
    for name, store in (("read 4 KiB, fd cache", blobs), ("read 4 KiB, open/close each", uncached)):
        xs = []
        for _ in range(5000):
            blob_id, off = rng.choice(ids), rng.randrange(0, (1 << 20) - 4096)
            t = time.perf_counter()
            store.read(blob_id, off, 4096)
            xs.append(time.perf_counter() - t)
        _report(name, xs)


async def main(args: argparse.Namespace) -> None:
    base = Path(tempfile.mkdtemp(prefix="ironbucket-bench-", dir=args.dir))
    try:
        bench_fsync(base)
        meta, blobs = open_storage(base / "data")
        await meta.create_account(Account(OWNER, "bench", "c" * 64, time.time()), None)
        await bench_puts(meta, args.seconds)
        await bench_reads(meta, args.objects)
        bench_blobs(blobs, base / "data" / "tmp")
        await meta.close()
        blobs.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", default=".", help="where to create the scratch directory")
    parser.add_argument("--objects", type=int, default=20000)
    parser.add_argument("--seconds", type=float, default=3.0)
    uvloop.run(main(parser.parse_args()))
