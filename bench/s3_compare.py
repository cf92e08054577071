"""Compare IronBucket with rclone's and moto's S3 servers in one run (prints numbers; not a test).

    python bench/s3_compare.py [--servers ironbucket,rclone,moto] [--duration 10] [--workers 2]
                               [--big-size 1GiB] [--quick] [--repeat 1]

Each server is started in turn on 127.0.0.1, measured, and stopped (also on Ctrl-C or an
error); ``--repeat N`` does it all N times, the servers' order reversed every other time, and
ends with the medians (peaks: the highest) and each run's ratios. Measurements: 4 KiB GET and
PUT req/s and 1 MiB GET MB/s with wrk over presigned SigV4 URLs, a single-stream PUT and GET of
one big object with http.client, and the peak RSS of the server's process tree. See
bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import stream
import wrk
from botocore.config import Config
from servers import SERVER_NAMES, CpuMeter, RssSampler, Server, start, wait_quiet

KIB, MIB, GIB = 1 << 10, 1 << 20, 1 << 30
BUCKET = "bench"
SMALL, MEDIUM = 4 * KIB, MIB


@dataclass
class Cell:
    value: float | None = None
    text: str = ""  # what to print instead of a number (a failure or a skip)
    failed: bool = False


@dataclass
class Row:
    label: str
    unit: str
    fmt: str
    target: str
    check: Callable[[dict[str, Cell]], str] | None = None
    cells: dict[str, Cell] = field(default_factory=dict)


# ------------------------------------------------------------------------------- S3 client

def client(server: Server) -> Any:
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                    max_pool_connections=16, request_checksum_calculation="when_required",
                    response_checksum_validation="when_required")
    return boto3.client("s3", endpoint_url=server.endpoint, region_name="us-east-1", config=config,
                        aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key)


def presign(s3: Any, method: str, key: str, **params: Any) -> str:
    """A presigned URL; `params` (e.g. ServerSideEncryption) become headers it signs, which the
    request must then send."""
    op = {"GET": "get_object", "PUT": "put_object"}[method]
    return str(s3.generate_presigned_url(op, Params={"Bucket": BUCKET, "Key": key, **params},
                                         ExpiresIn=6 * 3600))


def upload(s3: Any, keys: list[str], size: int, **params: Any) -> None:
    body = os.urandom(size)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=BUCKET, Key=k, Body=body, **params), keys))


def preflight(urls: list[str], method: str, body: bytes | None, size: int) -> None:
    """Check a few URLs by hand, so a wrk run that only sees errors is explained."""
    for url in urls[:3]:
        req = urllib.request.Request(url, data=body, method=method,
                                     headers={"Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                got = len(resp.read())
                if method == "GET" and got != size:
                    raise RuntimeError(f"preflight {method} returned {got} bytes, expected {size}")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"preflight {method} answered {exc.code}: {exc.read()[:400]!r}") from exc


# ------------------------------------------------------------------------------- measurements

def wrk_cell(name: str, result: wrk.WrkResult, value: float, min_bytes: int, notes: list[str]) -> Cell:
    print(f"    {name}: {result.describe()}", flush=True)
    problems = []
    if result.status_errors:
        problems.append(f"{result.status_errors} responses with status >= 400")
    if result.bytes_read < min_bytes:
        problems.append(f"read {result.bytes_read} bytes, less than the bodies' {min_bytes}")
    if result.requests == 0:
        problems.append("no request completed")
    if any(result.socket_errors.values()):
        notes.append(f"{name}: wrk socket errors {result.socket_errors}")
    if problems:
        notes.append(f"{name} FAILED: {'; '.join(problems)}\n{result.output.strip()}")
        return Cell(value, f"FAILED ({'; '.join(problems)})", failed=True)
    return Cell(value)


def settle(server: Server, args: argparse.Namespace, what: str, notes: list[str]) -> None:
    if args.wait_quiet > 0 and (load := wait_quiet(server.process.pid, args.wait_quiet)) is not None:
        notes.append(f"{server.name} {what}: other processes still used {load:.2f} cores after "
                     f"waiting {args.wait_quiet:.0f}s for a quiet machine; measured anyway")


def measure(server: Server, args: argparse.Namespace, rows: dict[str, Row], notes: list[str]) -> None:
    name = server.name
    s3 = client(server)
    s3.create_bucket(Bucket=BUCKET)
    small_keys = [f"small/{i:05d}" for i in range(args.objects)]
    medium_keys = [f"medium/{i:03d}" for i in range(args.medium_objects)]
    upload(s3, small_keys, SMALL)
    upload(s3, medium_keys, MEDIUM)
    others: list[float] = []  # CPU cores used by other processes during each measurement
    with RssSampler(server.process.pid) as whole_run:
        def run_wrk(row: str, urls: list[str], method: str, size: int, conns: int) -> None:
            body = os.urandom(size) if method == "PUT" else None
            try:
                preflight(urls, method, body, size)
                if args.warmup:
                    wrk.run(urls, method=method, body=body, connections=conns, duration=args.warmup)
                settle(server, args, rows[row].label, notes)
                with CpuMeter(server.process.pid) as cpu:
                    result = wrk.run(urls, method=method, body=body, connections=conns,
                                     duration=args.duration)
            except (RuntimeError, OSError) as exc:
                notes.append(f"{name} {rows[row].label} FAILED: {exc!r}")
                rows[row].cells[name] = Cell(text="FAILED (see notes)", failed=True)
                return
            value = result.rps if size == SMALL else result.rps * size / 1e6
            min_bytes = result.requests * size if method == "GET" else 0
            rows[row].cells[name] = wrk_cell(f"{name} {rows[row].label}", result, value, min_bytes, notes)
            print(f"      {cpu.describe()}", flush=True)
            others.append(cpu.others + cpu.steal)

        run_wrk("get4k", [presign(s3, "GET", k) for k in small_keys], "GET", SMALL, 32)
        put_urls = [presign(s3, "PUT", f"put/{i:05d}") for i in range(args.put_keys)]
        run_wrk("put4k", put_urls, "PUT", SMALL, 32)
        run_wrk("get1m", [presign(s3, "GET", k) for k in medium_keys], "GET", MEDIUM, args.medium_connections)
        big(server, s3, args, rows, notes, others)
    big_peak = rows["rss_big"].cells[name].value or 0.0  # sampled apart: may have caught a higher point
    rows["rss_all"].cells[name] = Cell(max(whole_run.peak / 1e6, big_peak))
    notes.append(f"{name} RSS, whole run: {whole_run.describe()}")
    rows["others"].cells[name] = Cell(max(others, default=0.0))


def big(server: Server, s3: Any, args: argparse.Namespace, rows: dict[str, Row], notes: list[str],
        others: list[float]) -> None:
    name, size = server.name, args.big_size
    limit = args.moto_big_limit if name == "moto" else args.big_limit
    with RssSampler(server.process.pid) as sampler:
        for row, method in (("bigput", "PUT"), ("bigget", "GET")):
            url = presign(s3, method, "big/object")
            settle(server, args, rows[row].label, notes)
            try:
                with CpuMeter(server.process.pid) as cpu:
                    seconds = (stream.put if method == "PUT" else stream.get)(url, size, limit=limit)
            except stream.TooSlow as exc:
                reason = f"skipped: not done within {limit:.0f} s ({exc})"
                notes.append(f"{name} {rows[row].label} {reason}")
                rows[row].cells[name] = Cell(text=reason.split(" (", maxsplit=1)[0])
                if method == "PUT":
                    rows["bigget"].cells[name] = Cell(text="skipped: no object (PUT skipped)")
                    break
                continue
            except (OSError, stream.TransferError) as exc:
                notes.append(f"{name} {rows[row].label} FAILED: {exc!r}")
                rows[row].cells[name] = Cell(text="FAILED (see notes)", failed=True)
                continue
            mbps = size / seconds / 1e6
            print(f"    {name} {rows[row].label}: {size / 1e6:.0f} MB in {seconds:.2f}s = {mbps:.0f} MB/s"
                  f"\n      {cpu.describe()}", flush=True)
            others.append(cpu.others + cpu.steal)
            rows[row].cells[name] = Cell(mbps)
    rows["rss_big"].cells[name] = Cell(sampler.peak / 1e6)
    rows["pss_big"].cells[name] = Cell(sampler.pss_peak / 1e6)
    notes.append(f"{name} RSS during {rows['bigput'].label} and GET: {sampler.describe()}")
    with contextlib.suppress(Exception):
        s3.delete_object(Bucket=BUCKET, Key="big/object")


# ------------------------------------------------------------------------------- targets and table

def ratio_check(base: str, also: str | None = None, need: float = 1.0) -> Callable[[dict[str, Cell]], str]:
    def check(cells: dict[str, Cell]) -> str:
        ours, ref = cells.get("ironbucket"), cells.get(base)
        if ours is None or ours.value is None or ours.failed:
            return "no (no IronBucket number)" if ours else "—"
        if ref is None or ref.value is None or ref.failed:
            return f"? (no {base} number)"
        ratio = ours.value / ref.value
        extra = ""
        other = cells.get(also) if also else None
        if other is not None and other.value:
            extra = f", {ours.value / other.value:.1f}x {also}"
        return f"{'yes' if ratio >= need else 'NO'} ({ratio:.2f}x {base}{extra})"
    return check


def bound_check(limit: float, above: bool) -> Callable[[dict[str, Cell]], str]:
    def check(cells: dict[str, Cell]) -> str:
        ours = cells.get("ironbucket")
        if ours is None:
            return "—"
        if ours.value is None or ours.failed:
            return "no (no IronBucket number)"
        return "yes" if (ours.value >= limit if above else ours.value < limit) else "NO"
    return check


def make_rows(big_size: int) -> dict[str, Row]:
    big = f"{big_size / GIB:g} GiB" if big_size >= GIB else f"{big_size / MIB:g} MiB"
    return {
        "get4k": Row("4 KiB GET", "req/s", ",.0f", "≥ 1.5x rclone (≈30x moto)",
                     ratio_check("rclone", "moto", 1.5)),
        "put4k": Row("4 KiB PUT", "req/s", ",.0f", "≥ rclone (IronBucket durable)",
                     ratio_check("rclone", "moto")),
        "get1m": Row("1 MiB GET", "MB/s", ",.0f", "—"),
        "bigput": Row(f"{big} PUT, 1 stream", "MB/s", ",.0f", "≥ 350 MB/s", bound_check(350, True)),
        "bigget": Row(f"{big} GET, 1 stream", "MB/s", ",.0f", "≥ 800 MB/s", bound_check(800, True)),
        "rss_big": Row(f"peak RSS during {big} PUT+GET", "MB", ",.0f", "< 150 MB", bound_check(150, False)),
        "pss_big": Row(f"peak PSS during {big} PUT+GET", "MB", ",.0f", "— (info)"),
        "rss_all": Row("peak RSS, whole run", "MB", ",.0f", "— (info)"),
        "others": Row("CPU used by other processes + steal, worst run", "cores", ".2f", "— (noise; want ≈0)"),
    }


def table(rows: dict[str, Row], names: list[str]) -> str:
    header = ["measurement", *names, "target (spec)", "IronBucket meets it?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows.values():
        cells = []
        for name in names:
            cell = row.cells.get(name)
            if cell is None:
                cells.append("not run")
            elif cell.text:
                cells.append(cell.text)
            else:
                cells.append(format(cell.value, row.fmt))
        verdict = row.check(row.cells) if row.check and "ironbucket" in names else "—"
        lines.append(f"| {row.label} ({row.unit}) | " + " | ".join([*cells, row.target, verdict]) + " |")
    return "\n".join(lines)


# ------------------------------------------------------------------------------- machine facts

def _version(cmd: list[str], pattern: str = r"v?\d+\.\d+[\w.\-]*") -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
    except OSError:
        return "?"
    match = re.search(pattern, out.stdout + out.stderr)
    return match.group(0) if match else "?"


def machine_facts(work_dir: Path) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor() or "?")
    mem = next(int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
               if ln.startswith("MemTotal:"))
    repo = Path(__file__).resolve().parent.parent
    commit = _version(["git", "-C", str(repo), "describe", "--always", "--dirty"], r"\S+")
    from importlib.metadata import version
    fs = _version(["stat", "-f", "-c", "%T", str(work_dir)], r"\S+")
    wrk_version = _version(["wrk", "--version"], r"[0-9][0-9.\-]+")
    return "\n".join([
        f"- nproc: {os.cpu_count()} (usable: {len(os.sched_getaffinity(0))}); CPU: {cpu}",
        f"- RAM: {mem / 2**20:.1f} GiB; kernel {platform.release()}; data on {work_dir} ({fs}); "
        f"load average at start {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
        f"- Python {platform.python_version()}; ironbucket {commit}; rclone "
        f"{_version([shutil.which('rclone') or 'rclone', 'version'])}; moto {version('moto')}; "
        f"boto3 {version('boto3')}; wrk {wrk_version}",
    ])


# ------------------------------------------------------------------------------- main

def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMG]i?B?|B?)", text.strip(), re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1GiB, 64MiB, 1048576)")
    unit = match.group(2).upper()[:1]
    return int(float(match.group(1)) * {"K": KIB, "M": MIB, "G": GIB}.get(unit, 1))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--servers", default=",".join(SERVER_NAMES), help="comma-separated subset of %(default)s")
    p.add_argument("--duration", type=int, default=None, help="seconds of each wrk run (default 10)")
    p.add_argument("--workers", type=int, default=2, help="IronBucket worker processes (default 2)")
    p.add_argument("--big-size", type=parse_size, default=None, help="single-stream object size (1GiB)")
    p.add_argument("--quick", action="store_true", help="smoke run: 2 s wrk runs, 64 MiB big object")
    p.add_argument("--warmup", type=int, default=None, help="seconds of unmeasured wrk before each run (1)")
    p.add_argument("--objects", type=int, default=256, help="distinct 4 KiB objects to GET (256)")
    p.add_argument("--put-keys", type=int, default=4096, help="distinct keys of the 4 KiB PUTs (4096)")
    p.add_argument("--medium-objects", type=int, default=64, help="distinct 1 MiB objects to GET (64)")
    p.add_argument("--medium-connections", type=int, default=8, help="wrk connections for 1 MiB GET (8)")
    p.add_argument("--big-limit", type=float, default=300, help="seconds allowed per big transfer (300)")
    p.add_argument("--moto-big-limit", type=float, default=120, help="the same, for moto (120)")
    p.add_argument("--wait-quiet", type=float, default=None,
                   help="before each measurement, wait up to this many s for other processes to leave "
                        "the CPUs idle (10; 0 in --quick)")
    p.add_argument("--work-dir", type=Path, default=None, help="where data dirs and logs go (a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work dir (data and server logs)")
    p.add_argument("--repeat", type=int, default=1,
                   help="whole runs, the servers' order reversed every other one; then medians (1)")
    args = p.parse_args(argv)
    args.names = [n.strip() for n in args.servers.split(",") if n.strip()]
    if unknown := set(args.names) - set(SERVER_NAMES):
        p.error(f"unknown servers: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    args.duration = args.duration or (2 if args.quick else 10)
    args.big_size = args.big_size or (64 * MIB if args.quick else GIB)
    args.warmup = (0 if args.quick else 1) if args.warmup is None else args.warmup
    args.wait_quiet = (0 if args.quick else 10) if args.wait_quiet is None else args.wait_quiet
    return args


def run_server(name: str, work_dir: Path, args: argparse.Namespace, rows: dict[str, Row],
               notes: list[str]) -> None:
    print(f"-- {name}: starting", flush=True)
    try:
        server = start(name, work_dir, workers=args.workers)
    except (RuntimeError, OSError) as exc:
        notes.append(f"{name}: could not start: {exc}")
        print(f"    {name}: could not start: {exc}", flush=True)
        return
    try:
        measure(server, args, rows, notes)
    except Exception as exc:  # a broken server must not hide the others' numbers
        notes.append(f"{name}: run aborted: {exc!r}")
        print(f"    {name}: run aborted: {exc!r}", flush=True)
    finally:
        notes.extend(server.stop())
        if excerpt := server.log_excerpt():
            notes.append(excerpt)


# Rows whose worst run counts (memory, noise); the others are summarized by their median.
PEAK_ROWS = {"rss_big", "pss_big", "rss_all", "others"}
RATIO_ROWS = {"get4k": "rclone", "put4k": "rclone"}


def summarize(runs: list[dict[str, Row]], names: list[str], big_size: int
              ) -> tuple[dict[str, Row], list[str]]:
    """One table over several runs, and the IronBucket ratios each run gave."""
    summary = make_rows(big_size)
    lines = []
    for key, row in summary.items():
        for name in names:
            values = [c.value for run in runs if (c := run[key].cells.get(name)) is not None
                      and c.value is not None and not c.failed]
            if values:
                row.cells[name] = Cell(max(values) if key in PEAK_ROWS else statistics.median(values))
            elif any(name in run[key].cells for run in runs):
                row.cells[name] = Cell(text="FAILED in every run", failed=True)
        base = RATIO_ROWS.get(key)
        if base in names and "ironbucket" in names:
            ratios = [f"{ours.value / ref.value:.2f}x" if ours and ref and ours.value and ref.value else "?"
                      for run in runs for ours, ref in [(run[key].cells.get("ironbucket"),
                                                         run[key].cells.get(base))]]
            lines.append(f"{row.label}, IronBucket / {base}, run by run: {', '.join(ratios)}")
    return summary, lines


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in the background
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    began = time.monotonic()
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="s3bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Row]] = []
    notes: list[str] = []
    print(f"## Machine\n{machine_facts(work_dir)}\n", flush=True)
    interrupted = False
    try:
        for number in range(args.repeat):
            rows = make_rows(args.big_size)
            runs.append(rows)
            order = args.names if number % 2 == 0 else args.names[::-1]  # drift hits both ends
            if args.repeat > 1:
                print(f"## Run {number + 1} of {args.repeat}: {', '.join(order)}", flush=True)
            for name in order:
                run_server(name, work_dir / f"run{number + 1}", args, rows, notes)
            if args.repeat > 1:
                print(f"\n{table(rows, args.names)}\n", flush=True)
    except KeyboardInterrupt:
        interrupted = True
        notes.append("INTERRUPTED: servers stopped; the table shows what was measured before")
    finally:
        if args.keep or args.work_dir:
            print(f"(work dir kept: {work_dir})")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"\n## Results ({args.duration} s wrk runs, -t2, -c32 (1 MiB GET: -c{args.medium_connections}); "
          f"IronBucket --workers {args.workers}; MB = 10^6 bytes"
          f"{f'; medians of {len(runs)} runs, peaks the highest' if len(runs) > 1 else ''})\n")
    if len(runs) > 1:
        summary, ratios = summarize(runs, args.names, args.big_size)
        print(table(summary, args.names))
        print("\n" + "\n".join(f"- {line}" for line in ratios))
    elif runs:
        print(table(runs[0], args.names))
    if notes:
        print("\n## Notes\n")
        for note in notes:
            print(f"- {note}\n")
    print(f"total time: {time.monotonic() - began:.0f} s")
    if interrupted:
        return 130
    return 1 if any(c.failed for rows in runs for r in rows.values() for c in r.cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
