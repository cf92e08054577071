"""kill -9 during concurrent uploads into a *versioned* bucket, then restart.

Versioning raises the bar of test_crash.py: a later write no longer excuses a lost one, so
every acknowledged upload must survive as its own version, byte for byte; every version that
exists must be one complete body a client sent; and recovery leaves no orphan blob.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from tests.integration.server import start_server
from tests.integration.test_crash import Ledger, _check_blob_files, _client, _load_and_kill


def test_kill9_keeps_every_acknowledged_version(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    bucket = f"crash-v-{uuid.uuid4().hex[:12]}"
    ledger = Ledger()
    server = start_server(data_dir, workers=2)
    setup = _client(server)
    setup.create_bucket(Bucket=bucket)
    setup.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    _load_and_kill(server, bucket, ledger, 1.3, seed=7)

    server = start_server(data_dir, workers=2)
    try:
        assert list((data_dir / "tmp").iterdir()) == [], "temporary files survived recovery"
        _check_blob_files(data_dir)
        s3 = _client(server)
        versions: list[tuple[str, str]] = []
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            assert "DeleteMarkers" not in page
            versions += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        stored: dict[str, list[str]] = {}
        for key, vid in versions:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=vid)["Body"].read()
            stored.setdefault(key, []).append(hashlib.sha256(body).hexdigest())
        problems = []
        acked = 0
        for key, history in ledger.attempts.items():
            sent = {a.sha256 for a in history}
            for sha in stored.get(key, []):
                if sha not in sent:
                    problems.append(f"{key}: a version matches no body sent for it")
            for attempt in history:
                if attempt.acked:
                    acked += 1
                    if attempt.sha256 not in stored.get(key, []):
                        problems.append(f"{key}: acknowledged attempt {attempt.index} lost")
        assert not problems, "\n".join(problems)
        assert acked, "nothing was acknowledged before the kill; the test proves nothing"
        assert set(stored) <= set(ledger.attempts)
        print(f"{acked} acknowledged uploads, {len(versions)} versions after recovery")
        # Permanently deleting versions frees their blobs, and only theirs.
        for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        for key, vid in versions[: len(versions) // 2]:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)
        _check_blob_files(data_dir)
        for key, vid in versions[len(versions) // 2:]:
            assert s3.head_object(Bucket=bucket, Key=key, VersionId=vid)["VersionId"] == vid
    finally:
        server.stop()
