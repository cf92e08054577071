"""The decision log: every request's authorization trace, for ``ironbucket explain REQUEST-ID``.

Traces never go to clients. Each worker appends JSON lines to its own file under
``<data-dir>/audit/`` (no locking between processes), buffered in memory and written by a
background flush once a second or every few hundred records — off the request's path. Files
rotate by size; the oldest are removed. A trace is diagnostics, not data: a crash may lose the
last second of them, which is why they are not fsync'd.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from json.encoder import encode_basestring_ascii as _quoted
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ironbucket.events.record import RequestRecord

if TYPE_CHECKING:
    from ironbucket.authz.engine import Outcome

DIRECTORY = "audit"
ROTATE_BYTES = 32 * 1024 * 1024
KEEP_FILES = 8  # per worker
FLUSH_SECONDS = 1.0
FLUSH_RECORDS = 500


class DecisionLog:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / DIRECTORY
        self.directory.mkdir(mode=0o700, exist_ok=True)
        self._pending: list[RequestRecord] = []
        self._task: asyncio.Task[None] | None = None
        self._prefix = f"decisions-{os.getpid()}"

    def append(self, record: RequestRecord) -> None:
        self._pending.append(record)
        if len(self._pending) >= FLUSH_RECORDS:
            self.flush()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self.flush()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        records, self._pending = self._pending, []
        lines = [line(r) for r in records]
        path = self.directory / f"{self._prefix}.jsonl"
        # Small appends to the page cache: cheaper than handing them to a thread.
        with path.open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
            size = out.tell()
        if size >= ROTATE_BYTES:
            self._rotate(path)

    def _rotate(self, path: Path) -> None:
        for index in range(KEEP_FILES - 1, 0, -1):
            older = path.with_suffix(f".{index}.jsonl")
            newer = path.with_suffix(f".{index - 1}.jsonl") if index > 1 else path
            if newer.exists():
                os.replace(newer, older)


def line(record: RequestRecord) -> str:
    """A record's JSON line. Written out by hand: every request has one, and ``json.dumps`` of
    the equivalent dict cost as much as a tenth of serving a small GET. The fields are known
    strings and numbers; strings go through json's own (C) escaper."""
    decisions = ",".join([f'{{"action":{_word(check.action)},"resource":{_quoted(check.resource)},'
                          f'{_outcome(outcome)}' for check, outcome in record.decisions])
    error = "null" if record.error_code is None else _word(record.error_code)
    # Milliseconds, from integers: a float's shortest repr costs more than the rest of the line.
    millis = int(record.received_at * 1000)
    return (f'{{"request_id":{_quoted(record.request_id)},"time":{millis // 1000}.{millis % 1000:03d},'
            f'"operation":{_word(record.operation)},"principal":{_word(record.principal_arn)},'
            f'"path":{_quoted(record.path)},"status":{int(record.status)},"error":{error},'
            f'"decisions":[{decisions}]}}')


def _word(text: str) -> str:
    """``_quoted`` for the few strings that repeat on every line (operations, actions, reasons,
    principals), remembered."""
    quoted = _WORDS.get(text)
    if quoted is None:
        quoted = _quoted(text)
        if len(_WORDS) >= 4096:
            _WORDS.clear()
        _WORDS[text] = quoted
    return quoted


_WORDS: dict[str, str] = {}


def _outcome(outcome: Outcome) -> str:
    """An outcome's part of a decision, up to its closing brace, remembered by its content:
    most requests are decided by the same few rules."""
    trace = outcome.trace
    known = (outcome.allowed, outcome.reason, trace)
    text = _OUTCOMES.get(known)
    if text is None:
        text = (f'"allowed":{"true" if outcome.allowed else "false"},"reason":{_quoted(outcome.reason)},'
                f'"trace":[{",".join(map(_quoted, trace))}]}}')
        if len(_OUTCOMES) >= 4096:
            _OUTCOMES.clear()
        _OUTCOMES[known] = text
    return text


_OUTCOMES: dict[tuple[bool, str, tuple[str, ...]], str] = {}


def find(data_dir: Path, request_id: str) -> dict[str, Any] | None:
    """The logged entry of a request, searching the newest files first."""
    for path in _files_newest_first(data_dir / DIRECTORY):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if request_id in line:
                    entry: dict[str, Any] = json.loads(line)
                    if entry.get("request_id") == request_id:
                        return entry
    return None


def _files_newest_first(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        return iter(())
    files = sorted(directory.glob("decisions-*.jsonl"), key=lambda p: p.stat().st_mtime, reverse=True)
    return iter(files)
