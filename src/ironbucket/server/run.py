"""``ironbucket serve``: bootstrap once, bind the port once, then serve it from N worker
processes (forked, each with its own event loop and storage connections)."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import multiprocessing
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import TextIO

import uvicorn

from ironbucket import __version__
from ironbucket.config import Settings
from ironbucket.http.app import IronBucketApp
from ironbucket.server.bootstrap import CREDENTIALS_FILE, Bootstrap, bootstrap, prepare_data_dir
from ironbucket.server.services import close_services, open_services

log = logging.getLogger("ironbucket")
LOCK_FILE = ".lock"


class DataDirInUse(Exception):
    pass


def lock_data_dir(data_dir: Path) -> int:
    """One server per data directory: startup recovery must never race a live server."""
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        os.close(fd)
        raise DataDirInUse(f"{data_dir} is in use by another ironbucket server") from exc
    return fd


def bind(settings: Settings) -> socket.socket:
    host, port = settings.host, settings.port
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def build_app(settings: Settings) -> IronBucketApp:
    return IronBucketApp(lambda: open_services(settings), close_services)


def _uvicorn_config(settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        build_app(settings), loop="uvloop", http="httptools", lifespan="on", access_log=False,
        server_header=False, date_header=True, log_level=settings.log_level, timeout_keep_alive=60,
        backlog=2048,
    )


def _serve_worker(settings: Settings, sock: socket.socket) -> None:
    server = uvicorn.Server(_uvicorn_config(settings))
    server.run(sockets=[sock])


def banner(settings: Settings, boot: Bootstrap, out: TextIO) -> None:
    endpoint = f"http://{settings.host}:{settings.port}"
    lines = [
        f"IronBucket {__version__}",
        f"  endpoint : {endpoint}",
        f"  region   : {settings.region}",
        f"  data dir : {settings.data_dir.resolve()}",
        f"  workers  : {settings.workers}",
        f"  account  : {boot.account_id} (root access key {boot.access_key_id or 'see data dir'})",
    ]
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
        f"    aws configure set region {settings.region}",
        "    export AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...   "
        f"(from {settings.data_dir / CREDENTIALS_FILE})",
        f"    aws --endpoint-url {endpoint} s3 mb s3://my-bucket",
        "",
    ]
    out.write("\n".join(lines) + "\n")
    out.flush()


def serve(settings: Settings) -> int:
    logging.basicConfig(level=settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    prepare_data_dir(settings.data_dir)
    lock_fd = lock_data_dir(settings.data_dir)
    boot = asyncio.run(bootstrap(settings))
    if boot.recovery is not None and (boot.recovery.orphans_removed or boot.recovery.temporary_removed):
        log.warning("recovery: %s", boot.recovery)
    sock = bind(settings)
    banner(settings, boot, sys.stdout)
    try:
        if settings.workers == 1:
            _serve_worker(settings, sock)
            return 0
        return _supervise(settings, sock)
    finally:
        sock.close()
        os.close(lock_fd)


def _supervise(settings: Settings, sock: socket.socket) -> int:
    ctx = multiprocessing.get_context("fork")
    workers: list[multiprocessing.process.BaseProcess] = []
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = ctx.Process(target=_serve_worker, args=(settings, sock), daemon=False)
        process.start()
        return process

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in workers:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers.extend(start() for _ in range(settings.workers))
    while workers:
        for process in list(workers):
            process.join(timeout=0.2)
            if process.is_alive():
                continue
            workers.remove(process)
            if not stopping:
                log.error("worker %s exited with %s; restarting", process.pid, process.exitcode)
                workers.append(start())
    return 0
