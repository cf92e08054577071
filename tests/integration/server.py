"""Start and stop a real IronBucket server process for tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT_ACCESS_KEY = "AKIAIRONBUCKETTEST01"
ROOT_SECRET_KEY = "ironbucket/test/secret/key/0123456789abcd"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment with no stray AWS settings from the machine (some set AWS_CA_BUNDLE)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "IRONBUCKET_", "BOTO_"))}
    env.update(extra or {})
    return env


@dataclass
class RunningServer:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    host: str = "127.0.0.1"
    access_key: str = ROOT_ACCESS_KEY
    secret_key: str = field(default=ROOT_SECRET_KEY, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def kill9(self) -> None:
        """SIGKILL the whole process group (the supervisor and every worker)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(15)


def start_server(data_dir: Path, *, workers: int | None = None, port: int | None = None,
                 extra_args: list[str] | None = None, env: dict[str, str] | None = None,
                 timeout: float = 30, root_keys: bool = True) -> RunningServer:
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    args = [sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(data_dir),
            "--log-level", "warning", *(extra_args or [])]
    if workers is not None:
        args += ["--workers", str(workers)]
    given = {**(env or {})}
    if not any(a.startswith("--config") for a in extra_args or []) and "IRONBUCKET_ADDRESS" not in given:
        args += ["--address", f"127.0.0.1:{port}"]
    keys = {"IRONBUCKET_ROOT_ACCESS_KEY": ROOT_ACCESS_KEY,
            "IRONBUCKET_ROOT_SECRET_KEY": ROOT_SECRET_KEY} if root_keys else {}
    server_env = clean_env({**keys, **(env or {})})
    log_file = log_path.open("ab")
    process = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=server_env,
                               start_new_session=True)
    server = RunningServer(data_dir=data_dir, port=port, process=process, log_path=log_path)
    wait_ready(server, timeout)
    return server


def wait_ready(server: RunningServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            urllib.request.urlopen(server.endpoint + "/", timeout=1)
        except urllib.error.HTTPError:
            return  # any HTTP answer (403 for anonymous) means it is serving
        except OSError:
            time.sleep(0.05)
            continue
        return
    server.stop()
    raise RuntimeError(f"server did not become ready in {timeout}s:\n{server.log()}")


@contextlib.contextmanager
def running_server(data_dir: Path, **kwargs: object) -> Iterator[RunningServer]:
    server = start_server(data_dir, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
