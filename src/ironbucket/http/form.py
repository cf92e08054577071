"""Streaming ``multipart/form-data`` for PostObject (browser uploads).

The form fields come first and are small (S3 allows 20 KB before the file); the ``file`` field
comes last and may be huge, so its content is handed on as it arrives, never held whole. Fields
after ``file`` are ignored, as S3 does.
https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import NamedTuple

from ironbucket.errors import (
    InvalidArgument,
    MalformedPOSTRequest,
    MaxPostPreDataLengthExceededError,
    PreconditionFailed,
)

MAX_PRE_DATA = 20 * 1024  # bytes of the form preceding the file's content
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_QUOTED_PAIR = re.compile(r"\\(.)")


class ParsedForm(NamedTuple):
    fields: dict[str, str]  # as named in the form; the first of repeated names wins
    filename: str | None  # the file part's filename parameter
    content: AsyncIterator[bytes]  # the file's content, streamed


def boundary_from_content_type(content_type: str | None) -> str:
    """The boundary of a ``multipart/form-data`` Content-Type; S3 answers other types with 412."""
    value = content_type or ""
    media_type, _, params = value.partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        raise PreconditionFailed(Condition="Bucket POST must be of the enclosure-type multipart/form-data")
    for name, raw in _PARAM.findall(";" + params):
        if name.lower() == "boundary":
            boundary = _unquote(raw.strip())
            if 1 <= len(boundary) <= 70:
                return boundary
    raise MalformedPOSTRequest()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value


class _Reader:
    """Buffers just enough of the byte stream to find delimiters."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks.__aiter__()
        self._buffer = bytearray()
        self.consumed = 0

    async def _fill(self) -> bool:
        try:
            chunk = await anext(self._chunks)
        except StopAsyncIteration:
            return False
        self._buffer += chunk
        return True

    def _take(self, size: int, skip: int) -> bytes:
        with memoryview(self._buffer) as view:
            data = bytes(view[:size])
        del self._buffer[: size + skip]
        self.consumed += size + skip
        return data

    async def read_until(self, delimiter: bytes, budget: int) -> bytes:
        """The bytes before ``delimiter`` (consumed too); at most ``budget`` bytes in all."""
        start = 0
        while True:
            found = self._buffer.find(delimiter, start)
            if found >= 0:
                if found + len(delimiter) > budget:
                    raise MaxPostPreDataLengthExceededError()
                return self._take(found, len(delimiter))
            if len(self._buffer) > budget:
                raise MaxPostPreDataLengthExceededError()
            start = max(0, len(self._buffer) - len(delimiter) + 1)
            if not await self._fill():
                raise MalformedPOSTRequest()

    async def stream_until(self, delimiter: bytes) -> AsyncIterator[bytes]:
        """Yield everything before ``delimiter``, holding back only a possible partial match."""
        keep = len(delimiter) - 1
        while True:
            found = self._buffer.find(delimiter)
            if found >= 0:
                if found:
                    yield self._take(found, len(delimiter))
                else:
                    self._take(0, len(delimiter))
                return
            if len(self._buffer) > keep:
                yield self._take(len(self._buffer) - keep, 0)
            if not await self._fill():
                raise MalformedPOSTRequest()


async def parse_form(
    chunks: AsyncIterator[bytes], boundary: str, *, max_pre_data: int = MAX_PRE_DATA
) -> ParsedForm:
    """Read the fields up to the ``file`` field; return them with the file's streamed content."""
    reader = _Reader(chunks)
    dash_boundary = b"--" + boundary.encode("latin-1")
    delimiter = b"\r\n" + dash_boundary
    fields: dict[str, str] = {}
    await reader.read_until(dash_boundary, max_pre_data)  # the preamble, usually empty
    while True:
        rest = await reader.read_until(b"\r\n", max_pre_data - reader.consumed)
        if rest.rstrip(b" \t") != b"":
            # "--" ends the form (without a file); anything else is not a boundary line.
            if rest.startswith(b"--"):
                break
            raise MalformedPOSTRequest()
        name, filename = await _part_headers(reader, max_pre_data)
        if name.lower() == "file":
            return ParsedForm(fields, filename, reader.stream_until(delimiter))
        raw = await reader.read_until(delimiter, max_pre_data - reader.consumed)
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedPOSTRequest() from None
        fields.setdefault(name, value)
    raise InvalidArgument(
        "POST requires exactly one file upload per request.", ArgumentName="file", ArgumentValue="0"
    )


async def _part_headers(reader: _Reader, max_pre_data: int) -> tuple[str, str | None]:
    """(field name, filename) from the part's Content-Disposition."""
    disposition: str | None = None
    while True:
        line = await reader.read_until(b"\r\n", max_pre_data - reader.consumed)
        if not line:
            break
        header, sep, value = line.decode("utf-8", "replace").partition(":")
        if not sep:
            raise MalformedPOSTRequest()
        if header.strip().lower() == "content-disposition":
            disposition = value.strip()
    if disposition is None:
        raise MalformedPOSTRequest()
    kind, _, params = disposition.partition(";")
    if kind.strip().lower() != "form-data":
        raise MalformedPOSTRequest()
    parsed = {key.lower(): _unquote(raw.strip()) for key, raw in _PARAM.findall(";" + params)}
    name = parsed.get("name")
    if not name:
        raise MalformedPOSTRequest()
    return name, parsed.get("filename")
