"""storage/filesystem/direct.py: any (offset, length) of a file, read around the page cache
(or through it where the filesystem refuses O_DIRECT), gives exactly the file's bytes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ironbucket.storage.filesystem.direct import ALIGN, BUFFER, DirectReader

SIZE = 3 * 1024 * 1024 + 333
CASES = [(0, 0), (0, 1), (0, ALIGN), (1, ALIGN), (ALIGN - 1, 2), (5, 1024 * 1024 + 256),
         (1024 * 1024 + 16, 1024 * 1024 + 256), (SIZE - 10, 10), (SIZE - 10, 100), (SIZE - 1, 2),
         (SIZE, 5), (SIZE + ALIGN, 5)]


@pytest.fixture(scope="module")
def blob(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    data = os.urandom(SIZE)
    path = tmp_path_factory.mktemp("direct") / "blob"
    path.write_bytes(data)
    return path, data


@pytest.mark.parametrize(("offset", "length"), CASES)
def test_reads_exactly_the_file(blob: tuple[Path, bytes], offset: int, length: int) -> None:
    path, data = blob
    reader = DirectReader()
    with reader.read(path, offset, length) as view:
        assert view is not None or not reader.available
        if view is not None:
            assert bytes(view) == data[offset:offset + length]
    reader.close()


def test_buffers_are_reused_and_bounded(blob: tuple[Path, bytes]) -> None:
    path, data = blob
    reader = DirectReader()
    for offset in range(0, SIZE, 700_001):
        with reader.read(path, offset, 1000) as view:
            if view is not None:
                assert bytes(view) == data[offset:offset + 1000]
    assert len(reader._free) <= 1
    reader.close()


def test_ranges_larger_than_a_buffer_are_left_to_ordinary_reads(blob: tuple[Path, bytes]) -> None:
    path, _ = blob
    with DirectReader().read(path, 1, BUFFER) as view:  # spans one aligned page more
        assert view is None
