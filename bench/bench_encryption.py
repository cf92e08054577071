"""What object encryption costs: the last commit before encryption against the current tree,
both served side by side in one run (prints numbers; not a test).

    python bench/bench_encryption.py [--baseline d76ad90] [--size 1GiB] [--rounds 3]
                                     [--duration 10] [--workers 2]

The baseline commit is checked out into a temporary `git worktree` (removed afterwards); each
tree's server runs from its own src (PYTHONPATH) on a free port with its own data dir. Alternating
rounds (the order of variants rotates each round, and reverses every other round) measure a
single-stream PUT and GET of `--size`
for: the baseline (unencrypted), the current tree with SSE-S3 (its default), with SSE-KMS under a
customer managed key (created with kms.create_key), and with SSE-KMS + a bucket key; then 4 KiB
GET req/s (wrk, 32 connections, presigned) of each. Targets: encrypted big PUT/GET >= 85% of the
baseline; SSE-KMS 4 KiB GET >= 80% of SSE-S3. A HEAD of each object shows the
x-amz-server-side-encryption the server reports, so a run that silently stored plaintext is
visible; a tree that answers the SSE headers with 501 gets "not supported" instead of numbers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import s3_compare
import stream
import wrk
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from s3_compare import BUCKET, GIB, MIB, SMALL, client, parse_size, presign, upload
from servers import CpuMeter, Server, start

REPO = Path(__file__).resolve().parent.parent
SSE = "x-amz-server-side-encryption"
KMS_KEY = "x-amz-server-side-encryption-aws-kms-key-id"
BUCKET_KEY = "x-amz-server-side-encryption-bucket-key-enabled"
PARAM_HEADERS = {"ServerSideEncryption": SSE, "SSEKMSKeyId": KMS_KEY, "BucketKeyEnabled": BUCKET_KEY}
KINDS = ("put", "get", "get4k")


@dataclass
class Variant:
    name: str  # key prefix
    label: str
    current: bool  # served by the current tree (else by the baseline)
    expect: str | None  # what a HEAD must show in x-amz-server-side-encryption
    params: dict[str, Any] = field(default_factory=dict)  # put_object / presign parameters
    skip: str = ""  # why it cannot run (e.g. the tree answers the SSE headers with 501)
    head: dict[str, str] = field(default_factory=dict)  # "big" / "small" -> what HEAD showed
    problem: str = ""  # HEAD contradicts the encryption asked for
    results: dict[str, list[float | None]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def headers(self) -> dict[str, str]:
        """The headers a presigned PUT with these params signed, which the request must send."""
        return {PARAM_HEADERS[k]: str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in self.params.items()}


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def check_source(src: Path) -> None:
    """Make sure PYTHONPATH=src really imports that tree's ironbucket (not an installed one)."""
    done = subprocess.run([sys.executable, "-c", "import ironbucket; print(ironbucket.__file__)"], text=True,
                          capture_output=True, check=False, env={**os.environ, "PYTHONPATH": str(src)})
    found = Path(done.stdout.strip() or "?").resolve()
    if done.returncode != 0 or not found.is_relative_to(src.resolve()):
        raise RuntimeError(f"PYTHONPATH={src} imports ironbucket from {found}: {done.stderr.strip()}")


def kms_key(server: Server) -> str:
    kms = boto3.client("kms", endpoint_url=server.endpoint, region_name="us-east-1",
                       aws_access_key_id=server.access_key, aws_secret_access_key=server.secret_key,
                       config=Config(retries={"max_attempts": 1}))
    return str(kms.create_key(Description="bench_encryption")["KeyMetadata"]["Arn"])


def refusal(v: Variant, exc: ClientError, notes: list[str]) -> str:
    """The table's short reason (501 means: this tree has no such encryption yet); the whole
    answer goes to the notes."""
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    error = exc.response.get("Error", {})
    notes.append(f"{v.label}: a PUT with {v.headers() or 'no SSE headers'} answered {status} "
                 f"{error.get('Code')}: {error.get('Message')}")
    return "not supported (501)" if status == 501 else f"PUT refused ({status} {error.get('Code')})"


def prepare(server: Server, variants: list[Variant], objects: int, notes: list[str]) -> Any:
    """Make the bucket; probe each variant's PUT; upload its 4 KiB objects."""
    s3 = client(server)
    s3.create_bucket(Bucket=BUCKET)
    for v in variants:
        if v.skip:
            continue
        try:
            s3.put_object(Bucket=BUCKET, Key=f"probe/{v.name}", Body=b"probe", **v.params)
        except ClientError as exc:
            v.skip = refusal(v, exc, notes)
            continue
        upload(s3, [f"{v.name}/{i:05d}" for i in range(objects)], SMALL, **v.params)
    return s3


def look(s3: Any, v: Variant, what: str, key: str, kms_arn: str) -> None:
    """HEAD the object; record what the server says about its encryption."""
    try:
        headers = s3.head_object(Bucket=BUCKET, Key=key)["ResponseMetadata"]["HTTPHeaders"]
    except (ClientError, BotoCoreError) as exc:
        v.head[what] = f"HEAD failed: {exc}"
        return
    seen = headers.get(SSE)
    text = seen or "(none)"
    if seen == "aws:kms":
        text += ", our key" if headers.get(KMS_KEY) == kms_arn else f", key {headers.get(KMS_KEY)}"
    if headers.get(BUCKET_KEY) == "true":
        text += ", bucket key"
    v.head[what] = text
    if v.expect and seen != v.expect:
        v.problem = f"HEAD shows {SSE}: {seen or '(none)'}, expected {v.expect}"
    elif v.params.get("BucketKeyEnabled") and headers.get(BUCKET_KEY) != "true":
        v.problem = f"HEAD shows no {BUCKET_KEY}: true"


def measured(v: Variant, kind: str, value: float | None, others: list[float], cpu: CpuMeter | None) -> None:
    v.results[kind].append(value)
    if cpu is not None:
        others.append(cpu.others + cpu.steal)
        print(f"      {cpu.describe()}", flush=True)


def big_round(server: Server, s3: Any, v: Variant, args: argparse.Namespace, notes: list[str],
              others: list[float]) -> None:
    key = f"big/{v.name}"
    for kind in ("put", "get"):
        label = f"{v.label} {kind.upper()} {size_label(args.size)}"
        s3_compare.settle(server, args, label, notes)
        try:
            with CpuMeter(server.process.pid) as cpu:
                if kind == "put":
                    url = presign(s3, "PUT", key, **v.params)
                    seconds = stream.put(url, args.size, limit=args.big_limit, headers=v.headers())
                else:
                    seconds = stream.get(presign(s3, "GET", key), args.size, limit=args.big_limit)
        except (OSError, stream.TransferError, stream.TooSlow) as exc:
            notes.append(f"{label} FAILED: {exc!r}")
            print(f"    {label}: FAILED {exc!r}", flush=True)
            for failed in ("put", "get") if kind == "put" else ("get",):  # no PUT: nothing to GET
                measured(v, failed, None, others, None)
            return
        mbps = args.size / seconds / 1e6
        print(f"    {label}: {args.size / 1e6:,.0f} MB in {seconds:.2f}s = {mbps:,.0f} MB/s", flush=True)
        measured(v, kind, mbps, others, cpu)


def small_round(server: Server, urls: list[str], v: Variant, args: argparse.Namespace, notes: list[str],
                others: list[float]) -> None:
    label = f"{v.label} 4 KiB GET"
    s3_compare.settle(server, args, label, notes)
    try:
        with CpuMeter(server.process.pid) as cpu:
            result = wrk.run(urls, connections=32, duration=args.duration)
    except (RuntimeError, OSError) as exc:
        notes.append(f"{label} FAILED: {exc!r}")
        measured(v, "get4k", None, others, None)
        return
    cell = s3_compare.wrk_cell(label, result, result.rps, result.requests * SMALL, notes)
    measured(v, "get4k", None if cell.failed else result.rps, others, cpu)


def run(args: argparse.Namespace, work_dir: Path, variants: list[Variant], notes: list[str]) -> list[float]:
    """Start both servers, prepare them, measure all rounds; return the others+steal samples."""
    base_src = work_dir / "baseline-tree"
    git("worktree", "add", "--detach", str(base_src), args.baseline_commit)
    servers: dict[bool, Server] = {}
    try:
        for current, src in ((False, base_src / "src"), (True, REPO / "src")):
            check_source(src)
            servers[current] = start("ironbucket", work_dir, workers=args.workers,
                                     label="current" if current else "baseline", env={"PYTHONPATH": str(src)})
        s3s = {current: client(server) for current, server in servers.items()}
        try:
            kms_arn = kms_key(servers[True])
        except (ClientError, BotoCoreError) as exc:
            kms_arn = ""
            notes.append(f"kms.create_key on the current tree failed: {exc}")
            for v in variants:
                if "SSEKMSKeyId" in v.params:
                    v.skip = "no KMS key (see notes)"
        for v in variants:
            if "SSEKMSKeyId" in v.params:
                v.params["SSEKMSKeyId"] = kms_arn
        for current in (False, True):
            prepare(servers[current], [v for v in variants if v.current == current], args.objects, notes)
        urls = {v.name: [presign(s3s[v.current], "GET", f"{v.name}/{i:05d}") for i in range(args.objects)]
                for v in variants if not v.skip}
        for v in variants:
            if v.skip:
                continue
            try:
                s3_compare.preflight(urls[v.name], "GET", None, SMALL)
            except (RuntimeError, OSError) as exc:
                v.skip = "4 KiB GET failed (see notes)"
                notes.append(f"{v.label}: 4 KiB GET preflight failed: {exc}")
                continue
            if args.warmup:
                wrk.run(urls[v.name], connections=32, duration=args.warmup)
        live = [v for v in variants if not v.skip]
        others: list[float] = []
        for r in range(args.rounds):
            order = live[r % len(live):] + live[:r % len(live)]  # no variant always goes first
            if r % 2:  # nor always right after the same one (a big transfer leaves the disk busy)
                order.reverse()
            print(f"-- round {r + 1}/{args.rounds}: {', '.join(v.name for v in order)}", flush=True)
            for v in order:
                big_round(servers[v.current], s3s[v.current], v, args, notes, others)
            for v in order:
                small_round(servers[v.current], urls[v.name], v, args, notes, others)
        for v in live:
            look(s3s[v.current], v, "big", f"big/{v.name}", kms_arn)
            look(s3s[v.current], v, "small", f"{v.name}/00000", kms_arn)
        return others
    finally:
        for server in servers.values():
            notes.extend(server.stop())
            if excerpt := server.log_excerpt():
                notes.append(excerpt)
        try:
            git("worktree", "remove", "--force", str(base_src))
        except RuntimeError as exc:
            notes.append(f"could not remove the baseline worktree: {exc}")


# ------------------------------------------------------------------------------- the table

def size_label(size: int) -> str:
    return f"{size / GIB:g} GiB" if size >= GIB else f"{size / MIB:g} MiB"


def ratio(v: Variant, ref: Variant, kind: str) -> tuple[float, list[float]] | None:
    """Median of the per-round ratios (each pair shares the machine's state of its round)."""
    pairs = [a / b for a, b in zip(v.results[kind], ref.results[kind], strict=False) if a and b]
    return (statistics.median(pairs), pairs) if pairs else None


def row(v: Variant, kind: str, ref: Variant | None, need: float | None, unit: str, what: str) -> str:
    values = [x for x in v.results[kind] if x is not None]
    rounds = ", ".join("FAILED" if x is None else f"{x:,.0f}" for x in v.results[kind])
    head = v.head.get("small" if kind == "get4k" else "big", "—")
    target = "—" if need is None else f"≥ {need:.0%} of {ref.name if ref else '?'}"
    if v.skip:
        return f"| {what}, {v.label} | {v.skip} | | | {target} | {'NO (not run)' if need else '—'} | — |"
    median = f"{statistics.median(values):,.0f} {unit}" if values else "FAILED" if rounds else "not measured"
    versus, verdict = "—", "— (info)" if need is None else "—"
    if ref is not None and (paired := ratio(v, ref, kind)) is not None:
        mid, pairs = paired
        versus = f"{mid:.0%} of {ref.name} ({min(pairs):.0%} to {max(pairs):.0%})"
        if need is not None:
            verdict = "yes" if mid >= need else "NO"
    elif ref is not None:
        verdict = "no (nothing to compare)" if need is not None else verdict
    if v.problem and need is not None:
        verdict = f"NO (not encrypted as asked: {v.problem})"
    return f"| {what}, {v.label} | {median} | {rounds} | {versus} | {target} | {verdict} | {head} |"


def table(variants: list[Variant], args: argparse.Namespace, others: list[float]) -> str:
    base, s3, kms, bucket_key = variants
    big = size_label(args.size)
    lines = [f"| measurement | median of {args.rounds} rounds | per round | paired median (range) | target "
             f"| met? | HEAD {SSE} |", "|---|---|---|---|---|---|---|"]
    for kind, what in (("put", f"{big} PUT, 1 stream"), ("get", f"{big} GET, 1 stream")):
        lines.append(row(base, kind, None, None, "MB/s", what))
        lines.extend(row(v, kind, base, 0.85, "MB/s", what) for v in (s3, kms, bucket_key))
    lines.append(row(base, "get4k", None, None, "req/s", "4 KiB GET, 32 conns"))
    lines.append(row(s3, "get4k", base, None, "req/s", "4 KiB GET, 32 conns"))
    lines.extend(row(v, "get4k", s3, 0.80, "req/s", "4 KiB GET, 32 conns") for v in (kms, bucket_key))
    lines.append(f"\nCPU used by other processes + steal, worst measurement: {max(others, default=0):.2f} "
                 "cores (noise; want ≈0)")
    return "\n".join(lines)


# ------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--baseline", default="d76ad90", help="the commit before encryption (%(default)s)")
    p.add_argument("--size", type=parse_size, default=GIB, help="single-stream object size (1GiB)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians reported (3)")
    p.add_argument("--duration", type=int, default=10, help="seconds of each 4 KiB GET wrk run (10)")
    p.add_argument("--workers", type=int, default=2, help="worker processes of each server (2)")
    p.add_argument("--objects", type=int, default=256, help="distinct 4 KiB objects per variant (256)")
    p.add_argument("--warmup", type=int, default=1, help="s of unmeasured wrk per variant before round 1 (1)")
    p.add_argument("--big-limit", type=float, default=300, help="seconds allowed per big transfer (300)")
    p.add_argument("--wait-quiet", type=float, default=10,
                   help="before each measurement, wait up to this many s for a quiet machine (10; 0: off)")
    p.add_argument("--work-dir", type=Path, default=None, help="data dirs and logs (a temp dir, removed)")
    args = p.parse_args(argv)
    if args.rounds < 1 or args.size < 1 or args.objects < 1:
        p.error("--rounds, --size and --objects must be positive")
    return args


def _terminate(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    args.baseline_commit = git("rev-parse", "--verify", f"{args.baseline}^{{commit}}")
    short, here = args.baseline_commit[:7], git("describe", "--always", "--dirty")
    variants = [
        Variant("baseline", f"baseline {short} (no encryption)", False, None),
        Variant("sse-s3", "SSE-S3 (default)", True, "AES256"),
        Variant("sse-kms", "SSE-KMS (customer managed key)", True, "aws:kms",
                {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": ""}),
        Variant("sse-kms-bk", "SSE-KMS + bucket key", True, "aws:kms",
                {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "", "BucketKeyEnabled": True}),
    ]
    began, notes, others, interrupted = time.monotonic(), list[str](), list[float](), False
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="sse-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"## Machine\n{s3_compare.machine_facts(work_dir)}\n- baseline {args.baseline_commit}, "
          f"current tree {here}\n", flush=True)
    try:
        others = run(args, work_dir, variants, notes)
    except KeyboardInterrupt:
        interrupted = True
        notes.append("INTERRUPTED: servers stopped; the table shows what was measured before")
    except Exception as exc:  # still print what was measured, and say why the run stopped
        notes.append(f"run aborted: {exc!r}")
    finally:
        if args.work_dir:
            print(f"(work dir kept: {work_dir})")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print(f"\n## Results (baseline {short} vs current {here}; --workers {args.workers}; 4 KiB GET: wrk -t2 "
          f"-c32, {args.duration} s runs, presigned; MB = 10^6 bytes)\n")
    print(table(variants, args, others))
    if notes:
        print("\n## Notes\n")
        for note in notes:
            print(f"- {note}\n")
    print(f"total time: {time.monotonic() - began:.0f} s")
    if interrupted:
        return 130
    failed = any(v.skip or v.problem or None in x for v in variants for x in v.results.values())
    return 1 if failed or any("aborted" in n for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())
