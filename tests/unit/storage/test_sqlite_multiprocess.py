"""Two store instances in two processes see each other's writes at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

from ironbucket.storage.sqlite import SqliteMetadataStore, schema
from tests.unit.storage.support import BUCKET, open_fresh, peer_process, put_many, run, seeded, version


def _ask(conn: Any, *cmd: str) -> Any:
    conn.send(cmd)
    assert conn.poll(30), f"the peer process did not answer {cmd}"
    return conn.recv()


def test_read_list_and_delete_after_write_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    store: SqliteMetadataStore = run(seeded(path))
    ctx = multiprocessing.get_context("spawn")  # never fork a process that has threads
    to_peer, peer_end = ctx.Pipe()
    peer = ctx.Process(target=peer_process, args=(str(path), peer_end), daemon=True)
    peer.start()

    async def get_etag(key: str) -> str | None:
        v = await store.get_version(BUCKET, key)
        return v.etag if v else None

    try:
        for i in range(20):
            # The peer writes; we read as soon as it acknowledges.
            assert _ask(to_peer, "put", f"peer-{i}", f"p{i}") == ("ok",)
            assert run(get_etag(f"peer-{i}")) == f"p{i}"
            # We write; the peer reads as soon as we return.
            run(store.put_version(version(f"ours-{i}", etag=f"o{i}")))
            assert _ask(to_peer, "get", f"ours-{i}") == ("got", f"o{i}")
            # Overwrites are seen too, not just new keys.
            run(store.put_version(version(f"peer-{i}", etag=f"o{i}")))
            assert _ask(to_peer, "get", f"peer-{i}") == ("got", f"o{i}")
        listed = _ask(to_peer, "list")[1]
        assert len(listed) == 40
        assert _ask(to_peer, "delete", "ours-3") == ("ok",)
        assert run(get_etag("ours-3")) is None
        run(store.delete_version(BUCKET, "peer-3", "null"))
        assert _ask(to_peer, "get", "peer-3") == ("got", None)
        to_peer.send(("stop",))
        peer.join(30)
        assert peer.exitcode == 0
    finally:
        if peer.is_alive():
            peer.kill()
        run(store.close())


def test_processes_creating_the_database_together(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(4)
    with ctx.Pool(4) as pool:
        counts = pool.starmap(open_fresh, [(str(path), barrier)] * 4, chunksize=1)
    assert sorted(counts)[-1] == 4  # every process created its account, none lost a migration
    store = SqliteMetadataStore(path)
    assert len(run(store.list_accounts())) == 4
    assert run(store.get_setting("schema_version")) == str(schema.LATEST_VERSION)
    run(store.close())


def test_writers_in_four_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "busy.sqlite3"
    run(run(seeded(path)).close())
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(4)
    with ctx.Pool(4) as pool:
        commits = pool.starmap(put_many, [(str(path), barrier, f"p{i}", 300) for i in range(4)], chunksize=1)
    assert all(c < 300 for c in commits)  # each process still grouped its commits
    store = SqliteMetadataStore(path)
    assert len(run(store.list_current(BUCKET, "", "", False, 5000))) == 1200
    run(store.close())
