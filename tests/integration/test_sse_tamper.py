"""Stored blobs changed behind the server's back: a flipped byte, a truncation, two segments
swapped. Each answers InternalError (or, when the damage lies past the first block of a long
GET, ends the stream), is logged, and never yields a byte that is not the object's."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError

from tests.integration.conftest import make_client
from tests.integration.iam_helpers import fails, unique
from tests.integration.server import RunningServer, start_server

HEADER = 16
SEGMENT = 64 * 1024
SEALED = SEGMENT + 16
SIZE = 3 * 1024 * 1024 + 100  # 49 segments: more than the first 1 MiB block of a GET
BIG = 9 * 1024 * 1024 + 100  # read around the page cache


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("tamper") / "data")
    yield running
    running.stop()


def _blobs(server: RunningServer) -> set[Path]:
    return {p for p in (server.data_dir / "blobs").rglob("*") if p.is_file()}


def _stored(server: RunningServer, s3: Any, bucket: str, key: str, body: bytes) -> Path:
    """Put an object; the blob file that holds it."""
    before = _blobs(server)
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    (blob,) = _blobs(server) - before
    assert blob.stat().st_size == HEADER + len(body) + 16 * -(-len(body) // SEGMENT)
    return blob


def _flip(offset: int) -> Callable[[bytearray], None]:
    def damage(raw: bytearray) -> None:
        raw[offset] ^= 0x01
    return damage


def _truncate(raw: bytearray) -> None:
    plain = len(raw) - HEADER - 16 * -(-(len(raw) - HEADER) // SEALED)
    del raw[len(raw) - (plain % SEGMENT + 16):]  # the final segment, exactly at its boundary


def _swap(raw: bytearray) -> None:
    first, second = HEADER + SEALED, HEADER + 2 * SEALED
    raw[first:second], raw[second:second + SEALED] = raw[second:second + SEALED], raw[first:second]


DAMAGE = {
    "flipped header byte": _flip(10),
    "flipped ciphertext byte": _flip(HEADER + 5),
    "flipped tag byte": _flip(HEADER + SEALED - 3),
    "truncated at a segment boundary": _truncate,
    "two segments swapped": _swap,
}


@pytest.mark.parametrize("size", [SIZE, BIG], ids=["blob", "big blob"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_answers_internal_error(own_server: RunningServer, damage: str, size: int) -> None:
    s3 = make_client(own_server)
    bucket = unique("tamper")
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(size)
    blob = _stored(own_server, s3, bucket, "k", body)
    raw = bytearray(blob.read_bytes())
    DAMAGE[damage](raw)
    blob.write_bytes(bytes(raw))
    assert fails(s3.get_object, Bucket=bucket, Key="k") == ("InternalError", 500)
    assert fails(s3.copy_object, Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"}) == (
        "InternalError", 500)
    assert fails(s3.head_object, Bucket=bucket, Key="copy")[1] == 404  # the copy stored nothing
    assert f"stored data of {bucket}/k" in own_server.log()
    assert "does not authenticate" in own_server.log()


def test_damage_late_in_a_long_get_ends_the_stream(own_server: RunningServer) -> None:
    s3 = make_client(own_server)
    bucket = unique("tamper")
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(SIZE)
    blob = _stored(own_server, s3, bucket, "k", body)
    damaged_segment = 40  # well past the first block, which is sent before the damage is met
    raw = bytearray(blob.read_bytes())
    raw[HEADER + damaged_segment * SEALED + 7] ^= 0x80
    blob.write_bytes(bytes(raw))
    stream = s3.get_object(Bucket=bucket, Key="k")["Body"]
    received = bytearray()
    with pytest.raises(BotoCoreError):
        while chunk := stream.read(256 * 1024):
            received += chunk
    assert 0 < len(received) <= damaged_segment * SEGMENT
    assert bytes(received) == body[:len(received)]  # a prefix of the object, nothing else
    # Ranges open only the segments they touch: the undamaged ones still read.
    got = s3.get_object(Bucket=bucket, Key="k", Range="bytes=100-200000")["Body"].read()
    assert got == body[100:200001]
    assert fails(s3.get_object, Bucket=bucket, Key="k",
                 Range=f"bytes={damaged_segment * SEGMENT}-{damaged_segment * SEGMENT + 10}") == (
        "InternalError", 500)
