"""A client that stops sending its body is answered RequestTimeout; nothing is stored."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import running_server


def test_stalled_body_gets_request_timeout(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", extra_args=["--body-idle-timeout", "1"]) as server:
        s3 = make_client(server)
        s3.create_bucket(Bucket="slow")
        request = s3.generate_presigned_url("put_object", Params={"Bucket": "slow", "Key": "k"})
        path = request.split(str(server.port), 1)[1]
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                         "Content-Length: 1000\r\n\r\n".encode() + b"x" * 10)
            started = time.monotonic()
            answer = sock.recv(65536)
            waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 400"), answer
        assert b"<Code>RequestTimeout</Code>" in answer
        assert 0.5 < waited < 8
        with pytest.raises(ClientError):
            s3.head_object(Bucket="slow", Key="k")
        assert not list((server.data_dir / "tmp").iterdir())
