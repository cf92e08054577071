"""Versioning across two worker processes: a state change, a new version, a delete marker made
through one worker are seen by the very next request through the other (no cache lag)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from tests.integration.server import RunningServer, start_server
from tests.integration.test_hostile_input import md5_header
from tests.integration.test_workers import Client, one_per_worker


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("versioning-workers") / "data", workers=2)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def two(server: RunningServer) -> Iterator[tuple[Client, Client]]:
    """A kept-alive connection held by each worker."""
    a, b = one_per_worker(server)
    yield a, b
    a.close()
    b.close()


def _set_state(client: Client, bucket: str, status: str) -> None:
    body = (f'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Status>{status}</Status></VersioningConfiguration>").encode()
    status_code, _, answer = client.request("PUT", f"/{bucket}?versioning", body,
                                            md5_header(body))
    assert status_code == 200, answer


def test_versions_are_seen_across_workers(two: tuple[Client, Client]) -> None:
    bucket = f"vworkers-{uuid.uuid4().hex[:12]}"
    assert two[0].request("PUT", f"/{bucket}")[0] == 200
    for i in range(20):
        a, b = two if i % 2 else two[::-1]
        key = f"/{bucket}/k{i}"
        _set_state(a, bucket, "Enabled")
        status, headers, _ = b.request("PUT", key, b"first")  # b must see Enabled at once
        assert status == 200 and headers["x-amz-version-id"] != "null", f"round {i}: {headers}"
        v1 = headers["x-amz-version-id"]
        status, headers, _ = a.request("PUT", key, b"second")
        v2 = headers["x-amz-version-id"]
        assert b.request("GET", f"{key}?versionId={v1}")[2] == b"first"
        assert b.request("GET", key)[2] == b"second"
        listing = b.request("GET", f"/{bucket}?versions&prefix=k{i}")[2]
        assert re.findall(rb"<VersionId>([^<]*)</VersionId>", listing) == [v2.encode(), v1.encode()]
        status, headers, _ = b.request("DELETE", key)
        assert status == 204 and headers["x-amz-delete-marker"] == "true"
        marker = headers["x-amz-version-id"]
        status, headers, _ = a.request("GET", key)
        assert status == 404 and headers["x-amz-delete-marker"] == "true", f"round {i}: marker not seen"
        assert a.request("DELETE", f"{key}?versionId={marker}")[0] == 204
        assert b.request("GET", key)[2] == b"second"
        assert a.request("DELETE", f"{key}?versionId={v2}")[0] == 204
        assert b.request("GET", key)[2] == b"first"
        assert b.request("GET", f"{key}?versionId={v2}")[0] == 404
        _set_state(b, bucket, "Suspended")
        status, headers, _ = a.request("PUT", key, b"third")  # a must see Suspended at once
        assert headers["x-amz-version-id"] == "null", f"round {i}: {headers}"
