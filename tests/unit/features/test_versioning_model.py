"""Property test: random histories of put / delete / delete-version / suspend / enable, run
through the real versioning rules on the real SQLite store, never lose a version that a
reference model says must exist, and keep S3's order and ``IsLatest`` flags.

The model is deliberately naive (a list per key, oldest first) so it is easy to trust.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.features import versioning
from ironbucket.storage.interfaces import NULL_VERSION, Bucket, ObjectVersion
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.storage.support import BUCKET, OWNER, run, seeded

KEYS = ("a", "a/b", "b")


@dataclass
class Model:
    state: str = versioning.UNVERSIONED
    # key -> [(version id, is delete marker, body)], oldest first
    keys: dict[str, list[tuple[str, bool, bytes]]] = field(default_factory=dict)

    def replace_null_and_append(self, key: str, entry: tuple[str, bool, bytes]) -> None:
        is_null = entry[0] == NULL_VERSION
        history = [v for v in self.keys.get(key, []) if not (is_null and v[0] == NULL_VERSION)]
        history.append(entry)
        self.keys[key] = history

    def remove(self, key: str, version_id: str) -> None:
        self.keys[key] = [v for v in self.keys.get(key, []) if v[0] != version_id]

    def ids(self, key: str) -> list[str]:
        return [v[0] for v in self.keys.get(key, [])]


operations = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(KEYS)),
    st.tuples(st.just("delete"), st.sampled_from(KEYS)),
    st.tuples(st.just("delete_version"), st.sampled_from(KEYS), st.integers(0, 8)),
    st.tuples(st.just("delete_missing_version"), st.sampled_from(KEYS)),
    st.tuples(st.just("status"), st.sampled_from((versioning.ENABLED, versioning.SUSPENDED))),
)


async def _replay(store: SqliteMetadataStore, ops: list[tuple[object, ...]]) -> None:
    bucket = Bucket(name=BUCKET, owner_account_id=OWNER, region="us-east-1", created_at=0.0)
    model = Model()
    for n, op in enumerate(ops):
        kind, key = op[0], str(op[1])
        if kind == "status":
            state = versioning.next_state(bucket, versioning.VersioningRequest(str(op[1]), None), None)
            bucket = dataclasses.replace(bucket, versioning=state)
            await store.update_bucket(bucket)
            model.state = state
        elif kind == "put":
            body = f"body-{n}".encode()
            vid = versioning.write_version_id(bucket.versioning)
            assert vid == NULL_VERSION or vid not in model.ids(key)
            await store.put_version(ObjectVersion(bucket=BUCKET, key=key, version_id=vid, last_modified=n,
                                                  owner_account_id=OWNER, size=len(body), etag=f"e{n}",
                                                  data=body))
            model.replace_null_and_append(key, (vid, False, body))
        elif kind == "delete":
            done = await versioning.delete(store, bucket, key, None, owner_account_id=OWNER, now=n)
            if model.state == versioning.UNVERSIONED:
                assert done.version_id is None and not done.delete_marker
                model.remove(key, NULL_VERSION)
            else:
                assert done.delete_marker and done.version_id is not None
                assert (done.version_id == NULL_VERSION) == (model.state == versioning.SUSPENDED)
                model.replace_null_and_append(key, (done.version_id, True, b""))
        elif kind == "delete_version":
            ids = model.ids(key)
            if not ids:
                continue
            target = ids[int(op[2]) % len(ids)]  # type: ignore[call-overload]
            was_marker = dict((v[0], v[1]) for v in model.keys[key])[target]
            done = await versioning.delete(store, bucket, key, target, owner_account_id=OWNER, now=n)
            assert done.version_id == target and done.delete_marker == was_marker
            model.remove(key, target)
        else:  # a version id that never existed: nothing changes, no error
            done = await versioning.delete(store, bucket, key, "no-such-version", owner_account_id=OWNER,
                                           now=n)
            assert not done.delete_marker
        await _check(store, model)


async def _check(store: SqliteMetadataStore, model: Model) -> None:
    listed = await store.list_versions(BUCKET, "", "", "", 1000)
    expected = [(key, vid, marker, i == 0)
                for key in sorted(model.keys)
                for i, (vid, marker, _) in enumerate(reversed(model.keys[key]))]
    assert [(v.key, v.version_id, v.is_delete_marker, v.is_latest) for v in listed] == expected
    for key, history in model.keys.items():
        for vid, marker, body in history:  # every version the model has reads back intact
            got = await store.get_version(BUCKET, key, vid)
            assert got is not None and got.is_delete_marker == marker
            assert marker or got.data == body
        latest = await store.get_version(BUCKET, key)
        if history:
            assert latest is not None and latest.version_id == history[-1][0]
        else:
            assert latest is None
    current = await store.list_current(BUCKET, "", "", False, 1000)
    assert [v.key for v in current] == sorted(k for k, h in model.keys.items() if h and not h[-1][1])


@settings(max_examples=60, deadline=None)
@given(st.lists(operations, min_size=1, max_size=25))
def test_no_version_is_lost(ops: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async def scenario() -> None:
            store = await seeded(Path(tmp) / "meta.sqlite3")
            try:
                await _replay(store, ops)
            finally:
                await store.close()
        run(scenario())
