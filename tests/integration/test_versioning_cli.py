"""Versioning with the real ``aws`` CLI: put-bucket-versioning, put-object, list-object-versions,
get-object --version-id, delete-object (with and without --version-id)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.server import RunningServer
from tests.integration.test_aws_cli import aws, aws_json


def test_versioning_with_the_aws_cli(server: RunningServer, cli_env: dict[str, str], bucket: str,
                                     tmp_path: Path) -> None:
    def api(*args: str) -> Any:
        return aws_json(server, cli_env, "s3api", *args, "--bucket", bucket)

    aws(server, cli_env, "s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Enabled")
    assert api("get-bucket-versioning") == {"Status": "Enabled"}
    source = tmp_path / "body"
    ids = []
    for n in range(3):
        source.write_bytes(f"version {n}".encode())
        ids.append(api("put-object", "--key", "doc.txt", "--body", str(source))["VersionId"])
    assert len(set(ids)) == 3

    listed = api("list-object-versions")
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        (ids[2], True), (ids[1], False), (ids[0], False)]

    out = tmp_path / "out"
    got = aws_json(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "doc.txt",
                   "--version-id", ids[0], str(out))
    assert got["VersionId"] == ids[0] and out.read_bytes() == b"version 0"

    marker = api("delete-object", "--key", "doc.txt")
    assert marker["DeleteMarker"] is True
    failed = aws(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", str(out),
                 check=False)
    assert failed.returncode != 0 and b"NoSuchKey" in failed.stderr
    listed = api("list-object-versions")
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker["VersionId"], True)]
    assert len(listed["Versions"]) == 3

    # deleting a version by id is permanent; deleting the marker brings the key back
    gone = api("delete-object", "--key", "doc.txt", "--version-id", ids[2])
    assert gone["VersionId"] == ids[2]
    api("delete-object", "--key", "doc.txt", "--version-id", marker["VersionId"])
    aws(server, cli_env, "s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", str(out))
    assert out.read_bytes() == b"version 1"
    listed = api("list-object-versions")
    assert [v["VersionId"] for v in listed["Versions"]] == [ids[1], ids[0]]
    assert "DeleteMarkers" not in listed

    # paging through the CLI's own paginator, two versions a request
    paged = aws(server, cli_env, "s3api", "list-object-versions", "--bucket", bucket, "--page-size", "1")
    assert [v["VersionId"] for v in json.loads(paged.stdout)["Versions"]] == [ids[1], ids[0]]

    aws(server, cli_env, "s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Suspended")
    assert api("get-bucket-versioning") == {"Status": "Suspended"}
    source.write_bytes(b"while suspended")
    assert api("put-object", "--key", "doc.txt", "--body", str(source))["VersionId"] == "null"
