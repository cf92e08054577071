"""``ironbucket serve``: bootstrap once, bind once, then serve from N worker processes.

The supervisor stays small: it never imports the application. Bootstrap (recovery, the first
account) runs in a short-lived child, and every worker imports and opens its own app and
storage after it forks. With several workers, each gets its own ``SO_REUSEPORT`` socket on the
same address, so the kernel spreads connections across them.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from ironbucket import __version__
from ironbucket.config import Settings, split_address
from ironbucket.server import tls_setup
from ironbucket.server.bootstrap import CREDENTIALS_FILE, Bootstrap, StartupRefused, prepare_data_dir
from ironbucket.server.tls_setup import TlsSetup, is_wildcard, tls_trust_lines, url_host

log = logging.getLogger("ironbucket")
LOCK_FILE = ".lock"


class DataDirInUse(Exception):
    pass


class StartupError(Exception):
    """A setting that cannot work (e.g. a TLS certificate that does not load)."""


def lock_data_dir(data_dir: Path) -> int:
    """One server per data directory: startup recovery must never race a live server."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise DataDirInUse(f"{data_dir} is in use by another ironbucket server") from exc
    return fd


def bind(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def bind_all(settings: Settings) -> list[socket.socket]:
    """One listening socket per worker (SO_REUSEPORT), all on the configured HTTP address;
    none with ``--address none``."""
    if not settings.http_enabled:
        return []
    return _bind_each(settings.host, settings.port, settings.workers)


def bind_tls(settings: Settings) -> list[socket.socket]:
    """The same for the HTTPS listener (``--tls-address``), if there is one."""
    if settings.tls_address is None:
        return []
    host, port = split_address(settings.tls_address)
    return _bind_each(host, port, settings.workers)


# Per private endpoint with its own listener: (endpoint id, one socket per worker).
EndpointSockets = list[tuple[str, list[socket.socket]]]


def bind_endpoints(settings: Settings) -> EndpointSockets:
    """The listeners of the private endpoints that have one (``listen``), as many sockets each
    as there are workers. A failing bind names the endpoint."""
    bound: EndpointSockets = []
    for endpoint in settings.private_endpoints:
        if endpoint.listen is None:
            continue
        host, port = split_address(endpoint.listen)
        try:
            bound.append((endpoint.id, _bind_each(host, port, settings.workers)))
        except OSError as exc:
            raise StartupError(f"private endpoint {endpoint.id}: cannot listen on "
                               f"{endpoint.listen}: {exc}") from exc
    return bound


def _worker_share(endpoint_sockets: EndpointSockets, index: int) -> list[tuple[str, socket.socket]]:
    return [(endpoint_id, sockets[index]) for endpoint_id, sockets in endpoint_sockets]


def _bind_each(host: str, port: int, count: int) -> list[socket.socket]:
    first = bind(host, port, reuse_port=count > 1)
    port = first.getsockname()[1]
    return [first, *(bind(host, port, reuse_port=True) for _ in range(count - 1))]


def run_bootstrap(settings: Settings) -> Bootstrap:
    """Bootstrap in a child process, so the supervisor never loads storage or crypto code."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        status = 0
        try:
            import asyncio

            from ironbucket.server.bootstrap import bootstrap

            result = asyncio.run(bootstrap(settings))
            payload = json.dumps({"ok": result.to_json()})
        except StartupRefused as exc:  # a message for the operator, not a crash
            payload = json.dumps({"refused": str(exc)})
            status = 1
        except BaseException as exc:  # report anything to the parent, which decides
            payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
            status = 1
        with os.fdopen(write_end, "w") as out:
            out.write(payload)
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        raw = pipe.read()
    os.waitpid(pid, 0)
    reply = json.loads(raw or '{"error": "bootstrap died"}')
    if "refused" in reply:
        raise StartupError(reply["refused"])
    if "error" in reply:
        raise RuntimeError(f"startup failed: {reply['error']}")
    return Bootstrap.from_json(reply["ok"])


def _serve_worker(settings: Settings, sockets: list[socket.socket],
                  tls_sockets: list[socket.socket], tls: TlsSetup | None,
                  endpoint_sockets: list[tuple[str, socket.socket]]) -> None:
    from ironbucket.server.app_factory import build_app
    from ironbucket.server.worker import run

    run(build_app(settings), sockets, tls_sockets, tls.context() if tls is not None else None,
        endpoint_sockets)


def banner(settings: Settings, boot: Bootstrap, port: int | None, out: TextIO,
           tls_port: int | None = None, tls: TlsSetup | None = None,
           endpoint_ports: dict[str, int] | None = None) -> None:
    https = None
    if tls_port is not None and settings.tls_address is not None:
        tls_host = split_address(settings.tls_address)[0]
        # A wildcard listen address is no name to connect to; the certificate covers localhost.
        https = f"https://{url_host('localhost' if is_wildcard(tls_host) else tls_host)}:{tls_port}"
    endpoint = f"http://{url_host(settings.host)}:{port}" if port is not None else https or ""
    lines = [f"IronBucket {__version__}"]
    if port is not None:
        lines.append(f"  endpoint : {endpoint}")
    if https is not None:
        lines.append(f"  https    : {https} (TLS {settings.tls_min_version} and up)")
    lines += [
        f"  region   : {settings.region}",
        f"  data dir : {settings.data_dir.resolve()}",
        f"  workers  : {settings.workers}",
        f"  account  : {boot.account_id} (root access key {boot.access_key_id or 'see data dir'})",
    ]
    lines += _endpoint_lines(settings, endpoint_ports or {})
    if boot.new_secret is not None:
        lines += [
            "",
            "  Root user credentials (shown once; also saved with mode 0600 in "
            f"{settings.data_dir / CREDENTIALS_FILE}):",
            f"    AWS_ACCESS_KEY_ID={boot.access_key_id}",
            f"    AWS_SECRET_ACCESS_KEY={boot.new_secret}",
        ]
    lines += [
        "",
        "  Use it with the aws CLI:",
        f"    export AWS_DEFAULT_REGION={settings.region} AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...",
        f"    (the keys are in {settings.data_dir / CREDENTIALS_FILE})",
        f"    aws --endpoint-url {endpoint} s3 mb s3://my-bucket",
        "",
    ]
    if tls is not None and tls.ca_cert is not None and https is not None:
        lines += tls_trust_lines(https, tls.ca_cert, tls.new_ca)
    out.write("\n".join(lines) + "\n")
    out.flush()


def _endpoint_lines(settings: Settings, ports: dict[str, int]) -> list[str]:
    lines = []
    for endpoint in settings.private_endpoints:
        where = []
        if endpoint.listen is not None:
            host = split_address(endpoint.listen)[0]
            where.append(f"http://{url_host(host)}:{ports.get(endpoint.id, 0)}")
        if endpoint.source_cidrs:
            where.append("from " + ", ".join(endpoint.source_cidrs))
        policy = f", policy {endpoint.policy_file}" if endpoint.policy_file is not None else ""
        lines.append(f"  private endpoint {endpoint.id} ({endpoint.vpc}): {'; '.join(where)}{policy}")
    return lines


def serve(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    prepare_data_dir(settings.data_dir)
    lock_fd = lock_data_dir(settings.data_dir)
    try:
        boot = run_bootstrap(settings)
        if boot.recovered:
            log.warning("recovery: %s", boot.recovered)
        try:
            tls = tls_setup.prepare(settings)
        except (tls_setup.TlsSetupError, OSError) as exc:
            raise StartupError(str(exc)) from exc
        sockets, tls_sockets = bind_all(settings), bind_tls(settings)
        endpoint_sockets = bind_endpoints(settings)
        banner(settings, boot, sockets[0].getsockname()[1] if sockets else None, sys.stdout,
               tls_sockets[0].getsockname()[1] if tls_sockets else None, tls,
               {endpoint_id: socks[0].getsockname()[1] for endpoint_id, socks in endpoint_sockets})
        if settings.workers == 1:
            _serve_worker(settings, sockets, tls_sockets, tls, _worker_share(endpoint_sockets, 0))
            return 0
        return _supervise(settings, sockets, tls_sockets, tls, endpoint_sockets)
    finally:
        os.close(lock_fd)


def _supervise(settings: Settings, sockets: list[socket.socket], tls_sockets: list[socket.socket],
               tls: TlsSetup | None, endpoint_sockets: EndpointSockets) -> int:
    """Fork one worker per socket; restart any that dies; pass SIGTERM/SIGINT on."""
    workers: dict[int, int] = {}  # pid -> socket index
    stopping = False

    def start(index: int) -> None:
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                _serve_worker(settings, sockets[index:index + 1], tls_sockets[index:index + 1], tls,
                              _worker_share(endpoint_sockets, index))
            except BaseException:
                logging.getLogger("ironbucket").exception("worker failed")
                status = 1
            os._exit(status)
        workers[pid] = index

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for index in range(settings.workers):
        start(index)
    while workers:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid not in workers:
            continue
        index = workers.pop(pid)
        if stopping:
            continue
        log.error("worker %s exited (status %s); restarting", pid, status)
        time.sleep(0.5)  # do not spin if a worker cannot start at all
        start(index)
    return 0
