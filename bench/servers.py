"""Launch, stop and watch the S3 servers that bench/s3_compare.py measures.

Each server runs in its own session (process group), so stopping it reaches every worker it
forked, and a Ctrl-C typed at the terminal reaches only the benchmark, which then stops them.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# rclone rejects short access keys, so every server gets the same AWS-documentation pair.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
SERVER_NAMES = ("ironbucket", "rclone", "moto")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment minus stray AWS/IronBucket settings of the machine, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IRONBUCKET_", "BOTO_"))}
    env.update(extra)
    return env


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    access_key: str = ACCESS_KEY
    secret_key: str = field(default=SECRET_KEY, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_excerpt(self, last: int = 40) -> str | None:
        """The server's stderr less access-log lines of successes; None if nothing is left."""
        lines = [ln for ln in self.log().splitlines()
                 if ln.strip() and not re.search(r'HTTP/1\.[01]" [23]\d\d ', ln)
                 and not re.search(r"NOTICE: (Config file|Local file system)", ln)]
        if not lines:
            return None
        # fold lines that differ only in numbers (timestamps, ports) into one, with a count
        folded: dict[str, list[Any]] = {}
        for ln in lines:
            folded.setdefault(re.sub(r"\d+", "#", ln), [ln, 0])[1] += 1
        shown = [f"    {'(x' + str(n) + ') ' if n > 1 else ''}{ln}" for ln, n in folded.values()]
        return (f"{self.name} stderr: {len(lines)} lines, {len(shown)} distinct"
                f"{f' (last {last})' if len(shown) > last else ''}:\n" + "\n".join(shown[-last:]))

    def stop(self, timeout: float = 15) -> list[str]:
        """SIGTERM the server (its leader process, as a service manager or a terminal would),
        then SIGKILL its whole process group; return notes on anything that needed force."""
        notes = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                notes.append(f"{self.name} did not exit within {timeout:.0f}s of SIGTERM; killed")
        leftovers = [pid for pid in tree_pids_in_group(self.process.pid) if pid != self.process.pid]
        if leftovers:
            notes.append(f"{self.name} left processes {leftovers} behind after exiting; killed")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout)
        return notes


def _command(name: str, data_dir: Path, port: int, workers: int) -> list[str]:
    address = f"127.0.0.1:{port}"
    if name == "ironbucket":
        return [sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(data_dir),
                "--address", address, "--workers", str(workers), "--log-level", "warning"]
    if name == "rclone":
        rclone = shutil.which("rclone") or "rclone"
        return [rclone, "serve", "s3", str(data_dir), "--addr", address,
                "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}", "--log-level", "NOTICE"]
    if name == "moto":
        moto = shutil.which("moto_server") or "moto_server"
        return [moto, "-H", "127.0.0.1", "-p", str(port)]
    raise ValueError(f"unknown server {name!r}; choose from {', '.join(SERVER_NAMES)}")


def start(name: str, work_dir: Path, *, workers: int, timeout: float = 60, label: str | None = None,
          env: dict[str, str] | None = None) -> Server:
    """Start server `name` on a free port with its data under `work_dir`; wait until it answers.
    `label` names its files and messages (two servers of one kind side by side); `env` adds to
    its environment (PYTHONPATH picks which IronBucket source runs)."""
    label = label or name
    port = free_port()
    data_dir = work_dir / f"{label}-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = work_dir / f"{label}.log"
    full_env = clean_env({"IRONBUCKET_ROOT_ACCESS_KEY": ACCESS_KEY, "IRONBUCKET_ROOT_SECRET_KEY": SECRET_KEY,
                          **(env or {})})
    # stdout (IronBucket's banner) apart from stderr (logs, tracebacks, moto's access log)
    with work_dir.joinpath(f"{label}.out").open("ab") as out, log_path.open("ab") as err:
        process = subprocess.Popen(_command(name, data_dir, port, workers), stdout=out, stderr=err,
                                   stdin=subprocess.DEVNULL, env=full_env, start_new_session=True)
    server = Server(name=label, port=port, process=process, log_path=log_path, data_dir=data_dir)
    try:
        _wait_ready(server, timeout)
    except BaseException:
        server.stop(timeout=5)
        raise
    return server


def _wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}:\n{server.log()}")
        try:
            urllib.request.urlopen(server.endpoint + "/", timeout=1)
        except urllib.error.HTTPError:
            return  # any HTTP answer (403 for anonymous) means it is serving
        except OSError:
            time.sleep(0.05)
            continue
        return
    raise RuntimeError(f"{server.name} did not answer within {timeout}s:\n{server.log()}")


# ---------------------------------------------------------------- memory of a process tree

def _parents() -> dict[int, int]:
    """pid -> parent pid of every process (this kernel has no /proc/PID/task/TID/children)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name (field 2) may hold spaces and parentheses: split after its last ')'
        parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
    return parents


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0  # gone, or a zombie (which has no VmRSS line)


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages split among the processes that map them."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pids_in_group(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group `pgid`."""
    found = []
    for pid in _parents():
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(pid)
    return found


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


class RssSampler:
    """Samples the summed RSS of a process tree every `interval` s in a thread; keeps the peak.

    Walking /proc for the tree costs ~4 ms, so the tree is re-walked only every `rescan` s;
    between walks only the known processes' VmRSS are read (~0.2 ms). The summed PSS (which
    counts pages shared by forked workers once) costs ~2 ms, so it is read every 5th sample.
    """

    def __init__(self, pid: int, interval: float = 0.05, rescan: float = 1.0) -> None:
        self.pid, self.interval, self.rescan = pid, interval, rescan
        self.peak = self.pss_peak = 0
        self.at_peak: dict[int, int] = {}  # pid -> RSS bytes, at the moment of the peak
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self, pids: list[int], pss: bool = True) -> None:
        if pss:
            self.pss_peak = max(self.pss_peak, sum(_pss_kib(pid) for pid in pids) * 1024)
        sizes = {pid: _rss_kib(pid) * 1024 for pid in pids}
        if (total := sum(sizes.values())) > self.peak:
            self.peak, self.at_peak = total, sizes

    def _run(self) -> None:
        pids, walked, n = tree_pids(self.pid), time.monotonic(), 0
        while not self._stop.is_set():
            if time.monotonic() - walked > self.rescan:
                pids, walked = tree_pids(self.pid), time.monotonic()
            self._sample(pids, pss=n % 5 == 0)
            n += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(tree_pids(self.pid))

    def describe(self) -> str:
        parts = [f"{'server' if pid == self.pid else 'child'} {pid}: {rss / 1e6:.0f} MB"
                 for pid, rss in self.at_peak.items()]
        return (f"peak {self.peak / 1e6:.0f} MB = " + " + ".join(parts)
                + f"; peak PSS {self.pss_peak / 1e6:.0f} MB")


# ---------------------------------------------------------------- who used the CPUs

_TICK = os.sysconf("SC_CLK_TCK")


def _machine_cpu_seconds() -> tuple[float, float, float]:
    """CPU seconds the machine spent in processes (user, nice, system), in interrupts (irq and
    softirq: loopback networking lands here, charged to no process) and stolen by the host."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system) / _TICK, (irq + softirq) / _TICK, steal / _TICK


def _tree_cpu_seconds(root: int) -> float:
    total = 0
    for pid in tree_pids(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / _TICK


def _own_cpu_seconds() -> float:
    """CPU of this process and of its reaped children (wrk)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CpuMeter:
    """Splits the machine's CPU time over a span into: the server's process tree, this benchmark
    with its load generators, and everything else (other users of a shared machine)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        # in cores (1.0 = one CPU busy all along)
        self.server = self.client = self.others = self.irq = self.steal = 0.0

    def _read(self) -> tuple[float, ...]:
        return (time.monotonic(), *_machine_cpu_seconds(), _tree_cpu_seconds(self.server_pid),
                _own_cpu_seconds())

    def __enter__(self) -> CpuMeter:
        self._start = self._read()
        return self

    def __exit__(self, *exc: object) -> None:
        wall, procs, irq, steal, server, own = (b - a for a, b in zip(self._start, self._read(), strict=True))
        wall = max(wall, 1e-9)
        self.server, self.client, self.irq, self.steal = server / wall, own / wall, irq / wall, steal / wall
        self.others = max(0.0, procs / wall - self.server - self.client)

    def describe(self) -> str:
        return (f"CPU cores: server {self.server:.2f}, client {self.client:.2f}, "
                f"other processes {self.others:.2f}, irq {self.irq:.2f}, steal {self.steal:.2f}")


def wait_quiet(server_pid: int, limit: float, threshold: float = 0.15) -> float | None:
    """Wait (at most `limit` s) for a second in which other processes use < `threshold` cores.
    Return None once quiet, or the last second's load of other processes if it never was."""
    deadline, others = time.monotonic() + limit, 0.0
    while time.monotonic() < deadline:
        with CpuMeter(server_pid) as cpu:
            time.sleep(1.0)
        others = cpu.others + cpu.steal
        if others < threshold:
            return None
    return others
