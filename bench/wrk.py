"""Drive `wrk` over a list of presigned URLs and read back what it measured.

wrk's own URL argument only names the server: every request comes from the Lua script below,
which cycles (each thread from its own offset) through the paths of the presigned URLs listed
in a file, optionally sending a fixed body. The script's done() prints one JSON line with the
totals, which is parsed here instead of wrk's human-readable summary.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LUA = r"""
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local body = nil
  if args[3] ~= nil and args[3] ~= "" then
    local f = assert(io.open(args[3], "rb"))
    body = f:read("*a")
    f:close()
    -- without it some servers (moto) take the body for a form
    wrk.headers["Content-Type"] = "application/octet-stream"
  end
  reqs = {}
  for path in io.lines(args[1]) do
    reqs[#reqs + 1] = wrk.format(args[2], path, nil, body)
  end
  -- spread the threads over the list so they do not walk it in lockstep
  i = (id * math.floor(#reqs / tonumber(args[4]))) % #reqs
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nWRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


@dataclass
class WrkResult:
    requests: int
    seconds: float
    bytes_read: int
    status_errors: int  # responses with a status >= 400 (wrk's "Non-2xx or 3xx responses")
    socket_errors: dict[str, int]
    p50_ms: float
    p99_ms: float
    max_ms: float
    output: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def describe(self) -> str:
        errors = ", ".join(f"{k} {v}" for k, v in self.socket_errors.items() if v) or "none"
        return (f"{self.requests} requests in {self.seconds:.2f}s = {self.rps:,.0f} req/s, "
                f"latency p50 {self.p50_ms:.2f} ms p99 {self.p99_ms:.2f} ms max {self.max_ms:.0f} ms, "
                f"status>=400: {self.status_errors}, socket errors: {errors}")


def run(urls: list[str], *, method: str = "GET", body: bytes | None = None, threads: int = 2,
        connections: int = 32, duration: int = 10, timeout: int = 10) -> WrkResult:
    """Run wrk for `duration` seconds, cycling over the presigned `urls` (all on one server)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    base = urlsplit(urls[0])
    with tempfile.TemporaryDirectory(prefix="s3bench-wrk-") as tmp:
        script, paths, body_file = Path(tmp, "cycle.lua"), Path(tmp, "paths"), Path(tmp, "body")
        script.write_text(LUA)
        paths.write_text("".join(f"{u.path}?{u.query}\n" for u in map(urlsplit, urls)))
        if body is not None:
            body_file.write_bytes(body)
        args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}s",
                "-s", str(script), f"{base.scheme}://{base.netloc}/", "--", str(paths), method,
                str(body_file) if body is not None else "", str(threads)]
        proc = subprocess.run(args, capture_output=True, text=True, check=False)
    output = proc.stdout + proc.stderr
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}):\n{output}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    return WrkResult(
        requests=data["requests"], seconds=data["duration_us"] / 1e6, bytes_read=data["bytes"],
        status_errors=data["status"],
        socket_errors={k: data[k] for k in ("connect", "read", "write", "timeout")},
        p50_ms=data["p50_us"] / 1e3, p99_ms=data["p99_us"] / 1e3, max_ms=data["max_us"] / 1e3,
        output=output)
