"""What one small GET costs the server, in-process (prints numbers; not a test).

    python bench/small_get_cost.py [--objects 256] [--requests 3000] [--rounds 7]
    python bench/small_get_cost.py --instructions [--objects 256]    # needs valgrind

The real HTTP server (``server/http11.py``) and the whole pipeline run in this process, fed
raw request bytes through a transport that only collects what is written: no sockets, no
client, no second process competing for the CPU. Each request is a root user's presigned
SigV4 GET of one of ``--objects`` 4 KiB SSE-S3 objects, in rotation, as in ``s3_compare.py``.

Default mode: CPU time per request (the fastest and the median of ``--rounds`` rounds).
``--instructions``: runs itself twice under ``valgrind --tool=callgrind`` (200 and 1,200
requests) and prints the difference per request. Instruction counts do not depend on what
else the machine is doing, so they show changes of a few percent that wall-clock runs on a
noisy VM cannot; they repeat to within ~1.5% (background timers: the decision log's flush,
the Date header's second).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import uvloop
from botocore.config import Config

from ironbucket.config import Settings
from ironbucket.server.app_factory import build_app
from ironbucket.server.bootstrap import bootstrap
from ironbucket.server.http11 import HttpProtocol, ServerState

ACCESS_KEY, SECRET_KEY = "AKIAIRONBUCKETBENCH1", "ironbucket/bench/secret/key/0123456789abcdef"
ENDPOINT = "http://127.0.0.1:9000"  # signed into the URLs; nothing listens there


class CollectingTransport:
    """What HttpProtocol needs of a transport; ``written`` is set when a write arrives."""

    def __init__(self) -> None:
        self.out: list[bytes] = []
        self.written = asyncio.Event()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 9000)}.get(name, default)

    def write(self, data: bytes | memoryview) -> None:
        self.out.append(bytes(data))
        self.written.set()

    def writelines(self, pieces: Iterable[bytes | memoryview]) -> None:
        for data in pieces:
            self.write(data)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        raise RuntimeError("the server closed the connection")

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


Call = Callable[..., Awaitable[bytes]]  # (method, url, body=b"") -> the raw response
Stop = Callable[[], Awaitable[None]]


async def _client(data_dir: Path) -> tuple[Call, Any, Stop]:
    settings = Settings(data_dir=data_dir, root_access_key=ACCESS_KEY, root_secret_key=SECRET_KEY,
                        log_level="warning")
    await bootstrap(settings)
    app = build_app(settings)
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def lifespan_send(message: Any) -> None:
        started.set()

    lifespan = asyncio.get_running_loop().create_task(app({"type": "lifespan"}, inbox.get, lifespan_send))
    await started.wait()

    async def stop() -> None:
        await inbox.put({"type": "lifespan.shutdown"})
        await lifespan
    transport = CollectingTransport()
    protocol = HttpProtocol(app, ServerState())
    protocol.connection_made(transport)  # type: ignore[arg-type]
    targets: dict[str, str] = {}

    async def call(method: str, url: str, body: bytes = b"") -> bytes:
        target = targets.get(url)
        if target is None:
            parts = urlsplit(url)
            target = targets[url] = parts.path + ("?" + parts.query if parts.query else "")
        length = f"Content-Length: {len(body)}\r\n" if method != "GET" else ""
        transport.out.clear()
        transport.written.clear()
        protocol.data_received(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n{length}\r\n"
                               .encode() + body)
        await transport.written.wait()
        return b"".join(transport.out)

    s3 = boto3.client("s3", endpoint_url=ENDPOINT, aws_access_key_id=ACCESS_KEY,
                      aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                      config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return call, s3, stop


async def _run(args: argparse.Namespace, data_dir: Path) -> None:
    call, s3, stop = await _client(data_dir)
    try:
        await _measure(args, call, s3)
    finally:
        await stop()


async def _measure(args: argparse.Namespace, call: Call, s3: Any) -> None:
    presign = s3.generate_presigned_url
    answer = await call("PUT", presign("create_bucket", Params={"Bucket": "bench"}, ExpiresIn=3600))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    body = os.urandom(4096)
    urls = []
    for index in range(args.objects):
        key = f"small/{index:05d}"
        answer = await call("PUT", presign("put_object", Params={"Bucket": "bench", "Key": key},
                                           ExpiresIn=3600), body)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        urls.append(presign("get_object", Params={"Bucket": "bench", "Key": key}, ExpiresIn=3600))
    rotation = itertools.cycle(urls)
    for _ in range(2 * args.objects):  # warm every cache, as a running server's would be
        answer = await call("GET", next(rotation))
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(body), answer[:200]
    gc.collect()
    gc.freeze()  # as server/worker.py does after start-up
    gc.set_threshold(20_000, 20, 20)
    if args.count is not None:
        for _ in range(args.count):
            await call("GET", next(rotation))
        return
    per_request = []
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.requests):
            await call("GET", next(rotation))
        per_request.append((time.process_time() - started) / args.requests * 1e6)
    print(f"4 KiB SSE-S3 GET, {args.objects} objects, in-process: fastest round "
          f"{min(per_request):.1f} µs/request, median {statistics.median(per_request):.1f} "
          f"({args.rounds} rounds of {args.requests})")


def _instructions(args: argparse.Namespace) -> None:
    if shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind (Debian package valgrind)")
    totals = {}
    with tempfile.TemporaryDirectory() as work:
        for count in (200, 1200):
            command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work}/callgrind.{count}",
                       sys.executable, __file__, "--objects", str(args.objects), "--count", str(count)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            found = re.search(r"Collected : (\d+)", done.stderr)
            if found is None:
                sys.exit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
            totals[count] = int(found.group(1))
    print(f"4 KiB SSE-S3 GET, {args.objects} objects, in-process: "
          f"{(totals[1200] - totals[200]) / 1000:,.0f} instructions/request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--objects", type=int, default=256, help="distinct objects, in rotation (256)")
    parser.add_argument("--requests", type=int, default=3000, help="GETs per round (3000)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds (7)")
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--count", type=int, default=None, help=argparse.SUPPRESS)  # --instructions' runs
    args = parser.parse_args()
    if args.instructions:
        _instructions(args)
        return
    with tempfile.TemporaryDirectory(prefix="ironbucket-get-cost-") as data_dir:
        uvloop.run(_run(args, Path(data_dir)))


if __name__ == "__main__":
    main()
