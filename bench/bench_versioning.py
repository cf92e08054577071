"""What versioning costs, measured in one run against one IronBucket (prints numbers; not a test).

    python bench/bench_versioning.py [--keys 10000] [--versions 10] [--duration 5] [--rounds 3]

1. ListObjectVersions page time (1000 entries) on a bucket holding ``keys`` x ``versions``
   versions, against ListObjectsV2 (1000 entries) on a bucket holding ``keys`` objects; pages
   start at random markers. Target (issue 6): at most 1.5x.
2. PutObject (4 KiB, presigned, wrk) into a versioned bucket against an unversioned one, in
   alternating rounds. Target: at most 10% slower (median of the paired rounds).

The buckets are filled through the metadata store itself (the server keeps running: several
processes may share the database), which is much faster than 100,000 PUTs over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from ironbucket.features.versioning import new_version_id
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion
from ironbucket.storage.sqlite import SqliteMetadataStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
import servers
import wrk

PLAIN, VERSIONED = "plain-bench", "versioned-bench"
PUT_PLAIN, PUT_VERSIONED = "put-plain", "put-versioned"


def _client(server: servers.Server) -> Any:
    return boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1",
                        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


def _key(n: int) -> str:
    return f"dir{n % 100:02d}/object-{n:06d}"


async def _fill(db: Path, owner: str, keys: int, versions: int) -> None:
    store = SqliteMetadataStore(db)
    data = b"x" * 100
    try:
        async def put(bucket: str, key: str, version_id: str, at: float) -> None:
            await store.put_version(ObjectVersion(bucket=bucket, key=key, version_id=version_id,
                                                  last_modified=at, owner_account_id=owner,
                                                  size=len(data), etag="0" * 32, data=data))
        batch: list[Any] = []
        for n in range(keys):
            key = _key(n)
            batch.append(put(PLAIN, key, NULL_VERSION, time.time()))
            batch += [put(VERSIONED, key, new_version_id(), time.time() + v) for v in range(versions)]
            if len(batch) >= 512:
                await asyncio.gather(*batch)  # concurrent: the writer group-commits them
                batch = []
        await asyncio.gather(*batch)
    finally:
        await store.close()


def _page_urls(s3: Any, keys: int, samples: int = 64) -> tuple[list[str], list[str]]:
    # Every page starts early enough to be a full 1000 entries in both listings.
    ordered = sorted(_key(n) for n in range(keys))[: max(1, keys - 1000)]
    starts = random.Random(6).sample(ordered, min(samples, len(ordered)))
    v2 = [s3.generate_presigned_url("list_objects_v2", Params={"Bucket": PLAIN, "StartAfter": s,
                                                                "MaxKeys": 1000}, ExpiresIn=6 * 3600)
          for s in starts]
    versions = [s3.generate_presigned_url("list_object_versions", Params={
        "Bucket": VERSIONED, "KeyMarker": s, "MaxKeys": 1000}, ExpiresIn=6 * 3600) for s in starts]
    return v2, versions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--keys", type=int, default=10_000)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="versioning-bench-") as tmp:
        server = servers.start("ironbucket", Path(tmp), workers=args.workers)
        try:
            s3 = _client(server)
            for name in (PLAIN, VERSIONED, PUT_PLAIN, PUT_VERSIONED):
                s3.create_bucket(Bucket=name)
            for name in (VERSIONED, PUT_VERSIONED):
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            owner = boto3.client("sts", endpoint_url=server.endpoint, region_name="us-east-1",
                                 aws_access_key_id=server.access_key,
                                 aws_secret_access_key=server.secret_key).get_caller_identity()["Account"]
            began = time.monotonic()
            db = server.data_dir / "meta" / "ironbucket.sqlite3"
            asyncio.run(_fill(db, owner, args.keys, args.versions))
            print(f"filled {args.keys:,} objects and {args.keys * args.versions:,} versions "
                  f"in {time.monotonic() - began:.1f}s")
            listed = s3.list_object_versions(Bucket=VERSIONED, MaxKeys=1000)
            assert len(listed["Versions"]) == 1000, "the fill is not visible to the server"

            v2_urls, version_urls = _page_urls(s3, args.keys)
            body = os.urandom(4096)
            put_urls = {b: [s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": f"p/{i}"},
                                                      ExpiresIn=6 * 3600) for i in range(256)]
                        for b in (PUT_PLAIN, PUT_VERSIONED)}
            wrk.run(v2_urls, duration=1, connections=4)  # warm up
            wrk.run(version_urls, duration=1, connections=4)
            pages: dict[str, list[float]] = {"v2": [], "versions": []}
            puts: dict[str, list[float]] = {PUT_PLAIN: [], PUT_VERSIONED: []}
            for _ in range(args.rounds):
                for label, urls in (("v2", v2_urls), ("versions", version_urls)):
                    result = wrk.run(urls, duration=args.duration, connections=4)
                    if result.status_errors:
                        raise RuntimeError(f"{label}: {result.status_errors} failed requests")
                    pages[label].append(result.p50_ms)
                    print(f"  list {label:9s} {result.describe()}")
                for bucket in (PUT_PLAIN, PUT_VERSIONED):
                    result = wrk.run(put_urls[bucket], method="PUT", body=body, duration=args.duration)
                    if result.status_errors:
                        raise RuntimeError(f"{bucket}: {result.status_errors} failed requests")
                    puts[bucket].append(result.rps)
                    print(f"  {bucket:13s} {result.describe()}")
        finally:
            server.stop()
    page_ratio = statistics.median(v / p for v, p in zip(pages["versions"], pages["v2"], strict=True))
    put_cost = statistics.median(1 - v / p for v, p in zip(puts[PUT_VERSIONED], puts[PUT_PLAIN], strict=True))
    print("\n| measurement (median of rounds) | value | target |\n|---|---|---|")
    print(f"| ListObjectsV2 page, 1000 of {args.keys:,} objects (p50) | "
          f"{statistics.median(pages['v2']):.2f} ms | |")
    print(f"| ListObjectVersions page, 1000 of {args.keys * args.versions:,} versions (p50) | "
          f"{statistics.median(pages['versions']):.2f} ms | |")
    print(f"| versions page / V2 page | {page_ratio:.2f}x | <= 1.5x |")
    print(f"| PutObject 4 KiB, unversioned | {statistics.median(puts[PUT_PLAIN]):,.0f} req/s | |")
    print(f"| PutObject 4 KiB, versioned | {statistics.median(puts[PUT_VERSIONED]):,.0f} req/s | |")
    print(f"| versioned PutObject slowdown (paired) | {put_cost * 100:.1f}% | <= 10% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
