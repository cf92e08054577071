"""Test helpers: requests from parts or from botocore, an in-memory credential store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ironbucket.auth.credentials import Credential
from ironbucket.auth.payload import PayloadCheck, open_body
from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.http.request import Body, Message, Request, parse_query

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def make_body(pieces: Sequence[bytes] | bytes, content_length: int | str | None = "auto") -> Body:
    """A Body fed by a fake ASGI ``receive`` that hands over ``pieces`` one message each."""
    parts = [pieces] if isinstance(pieces, bytes) else list(pieces)
    length = sum(map(len, parts)) if content_length == "auto" else content_length
    assert length is None or isinstance(length, int)
    queue = list(parts)

    async def receive() -> Message:
        if not queue:
            return {"type": "http.request", "body": b"", "more_body": False}
        piece = queue.pop(0)
        return {"type": "http.request", "body": piece, "more_body": bool(queue)}

    return Body(receive, length)


def make_request(
    method: str,
    raw_path: str,
    query_string: str = "",
    headers: Iterable[tuple[str, str]] | dict[str, str] = (),
    body: Sequence[bytes] | bytes = b"",
    *,
    content_length: int | str | None = "auto",
) -> Request:
    """Headers are lower-cased and repeats joined with ",", as the HTTP edge does."""
    joined: dict[str, str] = {}
    for name, value in headers.items() if isinstance(headers, dict) else headers:
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    items = parse_query(query_string)
    query: dict[str, str] = {}
    for name, value in items:
        query.setdefault(name, value)
    return Request(
        method=method,
        raw_path=raw_path,
        query_string=query_string,
        query=query,
        query_items=items,
        headers=joined,
        body=make_body(body, content_length),
        client_ip="127.0.0.1",
        client_port=50000,
        server=("127.0.0.1", 8000),
        scheme="https",
        request_id="test",
        received_at=0.0,
    )


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def from_botocore(prepared: Any, *, pieces: int = 1) -> Request:
    """An ``ironbucket`` Request from a botocore ``AWSPreparedRequest`` (URL, headers, body)."""
    url = urlsplit(prepared.url)
    headers = [(_text(name), _text(value)) for name, value in prepared.headers.items()]
    if not any(name.lower() == "host" for name, _ in headers):
        headers.append(("Host", url.netloc))  # added by the HTTP client, signed by botocore
    raw = prepared.body
    if raw is None:
        data = b""
    elif isinstance(raw, bytes | bytearray):
        data = bytes(raw)
    elif isinstance(raw, str):
        data = raw.encode("utf-8")
    else:
        data = raw.read()
    chunked = any(name.lower() == "transfer-encoding" for name, _ in headers)
    size = max(1, len(data) // pieces)
    split = [data[i : i + size] for i in range(0, len(data), size)] or [b""]
    return make_request(
        prepared.method,
        url.path or "/",
        url.query,
        headers,
        split,
        content_length=None if chunked else "auto",
    )


def principal(access_key_id: str) -> Principal:
    return Principal(
        type=PrincipalType.USER,
        account_id="111122223333",
        arn=f"arn:aws:iam::111122223333:user/{access_key_id.lower()}",
        user_id=f"AIDA{access_key_id}",
        canonical_id="c" * 64,
        access_key_id=access_key_id,
    )


def credential(
    access_key_id: str,
    secret: str,
    *,
    active: bool = True,
    token: str | None = None,
    expires_at: float | None = None,
) -> Credential:
    return Credential(
        access_key_id=access_key_id,
        secret_access_key=secret,
        principal=principal(access_key_id),
        active=active,
        session_token=token,
        expires_at=expires_at,
    )


@dataclass
class MemoryStore:
    """A CredentialStore over a dict."""

    keys: dict[str, Credential]

    @classmethod
    def of(cls, *credentials: Credential) -> MemoryStore:
        return cls({c.access_key_id: c for c in credentials})

    async def lookup(self, access_key_id: str) -> Credential | None:
        return self.keys.get(access_key_id)

    def note_use(self, access_key_id: str, service: str, region: str, now: float) -> None:
        pass


async def collect(chunks: AsyncIterator[bytes]) -> bytes:
    return b"".join([piece async for piece in chunks])


async def read_verified(request: Request, check: PayloadCheck) -> tuple[bytes, dict[str, str]]:
    body = open_body(request.body, check)
    data = await collect(body.chunks())
    assert body.completed and body.decoded_size == len(data)
    return data, body.trailers


def raises_code(awaitable: Awaitable[Any]) -> str:
    """The S3 error code an awaitable raises ("" when it succeeds)."""
    from ironbucket.errors import S3Error

    async def go() -> str:
        try:
            await awaitable
        except S3Error as error:
            return error.code
        return ""

    return asyncio.run(go())
