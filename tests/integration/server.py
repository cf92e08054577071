"""Start and stop a real IronBucket server process for tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
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
    tls_port: int | None = None  # the --tls-address port, when the server has one
    scheme: str = "http"  # of ``endpoint``: ``https()`` gives the same server over TLS
    verify: str | None = None  # CA bundle clients of the https view trust

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def ca_bundle(self) -> str:
        """The ``--tls auto`` CA certificate."""
        return str(self.data_dir / "tls" / "ca.pem")

    def https(self, verify: str | None = None) -> RunningServer:
        """The same server, its ``endpoint`` being the HTTPS listener (helpers that take a
        RunningServer then speak TLS, trusting ``verify`` or the auto CA)."""
        assert self.tls_port is not None, "started without a TLS listener"
        return replace(self, port=self.tls_port, scheme="https", verify=verify or self.ca_bundle)

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
                 timeout: float = 30, root_keys: bool = True, tls: bool = False,
                 http: bool = True) -> RunningServer:
    """``tls``: also an HTTPS listener on a free port (``--tls auto`` unless ``extra_args`` name
    a certificate); ``http=False``: ``--address none``."""
    port = port or free_port()
    tls_port = free_port() if tls else None
    extra_args = list(extra_args or [])
    if tls_port is not None:
        extra_args += ["--tls-address", f"127.0.0.1:{tls_port}"]
        if "--tls-cert" not in extra_args:
            extra_args += ["--tls", "auto"]
    if not http:
        extra_args += ["--address", "none"]
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    args = [sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(data_dir),
            "--log-level", "warning", *(extra_args or [])]
    if workers is not None:
        args += ["--workers", str(workers)]
    given = {**(env or {})}
    if (not any(a.startswith(("--config", "--address")) for a in extra_args)
            and "IRONBUCKET_ADDRESS" not in given):
        args += ["--address", f"127.0.0.1:{port}"]
    keys = {"IRONBUCKET_ROOT_ACCESS_KEY": ROOT_ACCESS_KEY,
            "IRONBUCKET_ROOT_SECRET_KEY": ROOT_SECRET_KEY} if root_keys else {}
    server_env = clean_env({**keys, **(env or {})})
    log_file = log_path.open("ab")
    process = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=server_env,
                               start_new_session=True)
    server = RunningServer(data_dir=data_dir, port=port, process=process, log_path=log_path,
                           tls_port=tls_port)
    wait_ready(server if http else replace(server, port=tls_port or port, scheme="https"), timeout)
    return server


def _any_certificate() -> ssl.SSLContext:
    """Readiness only: the certificate itself is what the TLS tests check."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


_ANY_CERTIFICATE = _any_certificate()


def wait_ready(server: RunningServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited with {server.process.returncode}:\n{server.log()}")
        try:
            urllib.request.urlopen(server.endpoint + "/", timeout=1, context=_ANY_CERTIFICATE)
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
