"""Malformed and hostile requests over real HTTP, signed by botocore's own SigV4 signer.

Every refusal must leave the store exactly as it was: tags unchanged, objects still there,
uploads still open, no object under a key whose write was refused, no temporary file left.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import http.client
import re
import socket
import time
import urllib.parse
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.integration.server import RunningServer

Response = tuple[int, dict[str, str], bytes]


# --- signing and sending -----------------------------------------------------------------------
def _credentials(server: RunningServer, access_key: str | None, secret_key: str | None) -> Credentials:
    return Credentials(access_key or server.access_key, secret_key or server.secret_key)


@contextlib.contextmanager
def _clock(at: dt.datetime | None) -> Iterator[None]:
    if at is None:
        yield
        return
    with mock.patch("botocore.auth.get_current_datetime", return_value=at.replace(tzinfo=None)):
        yield


class _PayloadAuth(S3SigV4Auth):  # type: ignore[misc]  # botocore is untyped
    """Signs a given x-amz-content-sha256 value (e.g. UNSIGNED-PAYLOAD) instead of the body's hash."""

    def __init__(self, credentials: Credentials, payload_hash: str) -> None:
        super().__init__(credentials, "s3", "us-east-1")
        self.payload_hash = payload_hash

    def payload(self, request: AWSRequest) -> str:
        return self.payload_hash


def signed_headers(server: RunningServer, method: str, path: str, *, body: bytes = b"",
                   headers: dict[str, str] | None = None, access_key: str | None = None,
                   secret_key: str | None = None, at: dt.datetime | None = None,
                   payload_hash: str | None = None) -> dict[str, str]:
    """SigV4 headers for ``method path`` (path percent-encoded, with its query) covering ``body``."""
    request = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=dict(headers or {}))
    credentials = _credentials(server, access_key, secret_key)
    signer = (S3SigV4Auth(credentials, "s3", "us-east-1") if payload_hash is None
              else _PayloadAuth(credentials, payload_hash))
    with _clock(at):
        signer.add_auth(request)
    return dict(request.headers.items())


def presigned_url(server: RunningServer, method: str, path: str, *, expires: int,
                  at: dt.datetime | None = None) -> str:
    request = AWSRequest(method=method, url=server.endpoint + path)
    with _clock(at):
        signer = S3SigV4QueryAuth(_credentials(server, None, None), "s3", "us-east-1", expires=expires)
        signer.add_auth(request)
    return str(request.url)


def send(server: RunningServer, method: str, path: str, body: bytes = b"",
         headers: dict[str, str] | None = None, *, sign_body: bytes | None = None,
         unsigned: bool = False, **signing: Any) -> Response:
    """One request on a fresh connection. ``sign_body`` signs a different payload than is sent."""
    if unsigned:
        all_headers = dict(headers or {})
    else:
        all_headers = signed_headers(server, method, path, body=body if sign_body is None else sign_body,
                                     headers=headers, **signing)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def code(body: bytes) -> str | None:
    found = re.search(rb"<Code>([^<]*)</Code>", body)
    return found.group(1).decode() if found else None


def md5_header(body: bytes) -> dict[str, str]:
    return {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def no_temporary_files(server: RunningServer, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while list((server.data_dir / "tmp").iterdir()):
        assert time.monotonic() < deadline, f"temp files left: {list((server.data_dir / 'tmp').iterdir())}"
        time.sleep(0.05)


def assert_missing(s3: Any, bucket: str, key: str) -> None:
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key=key)
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.fixture(autouse=True)
def no_server_traceback(server: RunningServer) -> Iterator[None]:
    """Hostile input is refused with an S3 error, never by an unhandled exception."""
    mark = len(server.log())
    yield
    new = server.log()[mark:]
    assert "Traceback" not in new, new


# --- hostile XML -------------------------------------------------------------------------------
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                     for n in range(1, 10))
          + b"]>\n")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def hostile_documents(root: str, inner: bytes) -> dict[str, bytes]:
    """``inner`` holds the marker ENTITY where a value goes."""
    doc = b"<%s>%s</%s>" % (root.encode(), inner, root.encode())
    return {
        "billion-laughs": LAUGHS + doc.replace(b"ENTITY", b"&lol9;"),
        "xxe": XXE + doc.replace(b"ENTITY", b"&xxe;"),
        "xxe-parameter": (b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd">'
                          b"%p;]>\n" + doc.replace(b"ENTITY", b"k")),
        "deeply-nested": b"<%s>" % root.encode() + b"<a>" * 100_000 + b"</a>" * 100_000
                         + b"</%s>" % root.encode(),
        "not-utf8": b'<?xml version="1.0" encoding="UTF-8"?>' + doc.replace(b"ENTITY", b"caf\xe9\xff"),
    }


TAGGING = b"<TagSet><Tag><Key>ENTITY</Key><Value>v</Value></Tag></TagSet>"
DELETE = b"<Object><Key>ENTITY</Key></Object><Object><Key>a</Key></Object>"
COMPLETE = b"<Part><PartNumber>1</PartNumber><ETag>ENTITY</ETag></Part>"


@pytest.mark.parametrize("kind", list(hostile_documents("x", b"")))
def test_hostile_bucket_tagging_changes_nothing(server: RunningServer, s3: Any, bucket: str,
                                                kind: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "keep", "Value": "me"}]})
    body = hostile_documents("Tagging", TAGGING)[kind]
    status, _, reply = send(server, "PUT", f"/{bucket}?tagging", body, md5_header(body))
    assert (status, code(reply)) == (400, "MalformedXML"), reply
    assert b"root:" not in reply
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "keep", "Value": "me"}]


@pytest.mark.parametrize("kind", list(hostile_documents("x", b"")))
def test_hostile_delete_objects_changes_nothing(server: RunningServer, s3: Any, bucket: str,
                                                kind: str) -> None:
    for key in ("a", "k", "lol"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    body = hostile_documents("Delete", DELETE)[kind]
    status, _, reply = send(server, "POST", f"/{bucket}?delete", body, md5_header(body))
    assert (status, code(reply)) == (400, "MalformedXML"), reply
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert listed == ["a", "k", "lol"]


@pytest.mark.parametrize("kind", list(hostile_documents("x", b"")))
def test_hostile_complete_multipart_leaves_upload_open(server: RunningServer, s3: Any, bucket: str,
                                                       kind: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=b"part")["ETag"]
    body = hostile_documents("CompleteMultipartUpload", COMPLETE)[kind]
    status, _, reply = send(server, "POST", f"/{bucket}/mp?uploadId={upload_id}", body)
    assert (status, code(reply)) == (400, "MalformedXML"), reply
    assert_missing(s3, bucket, "mp")
    assert [p["ETag"] for p in s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)["Parts"]] == [etag]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert s3.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"part"


def test_enormous_xml_is_refused_without_memory_growth(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    pid = server.process.pid  # the session server runs one worker: the process itself serves
    item = b"<Object><Key>a</Key></Object>"
    document = b"<Delete>" + item * (3 * 1024 * 1024 // len(item)) + b"</Delete>"  # 3 MiB, all valid XML
    before = rss_kib(pid)
    status, _, reply = send(server, "POST", f"/{bucket}?delete", document, md5_header(document))
    assert status == 400 and code(reply) in {"MaxMessageLengthExceeded", "MalformedXML"}, (status, reply)

    # 64 MiB announced and streamed: refused long before the end, and never held in memory.
    size = 64 * 1024 * 1024
    headers = signed_headers(server, "POST", f"/{bucket}?delete", payload_hash="UNSIGNED-PAYLOAD",
                             headers={"Content-Length": str(size), "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="})
    reply_head = _stream_and_read(server, "POST", f"/{bucket}?delete", headers, size)
    assert reply_head.startswith(b"HTTP/1.1 400"), reply_head[:300]
    grown = rss_kib(pid) - before
    assert grown < 24 * 1024, f"server RSS grew by {grown} KiB"
    assert s3.get_object(Bucket=bucket, Key="a")["Body"].read() == b"a"


def _stream_and_read(server: RunningServer, method: str, path: str, headers: dict[str, str],
                     size: int) -> bytes:
    """Send headers and up to ``size`` bytes of XML-ish filler; stop when the server answers."""
    head = f"{method} {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items() if k.lower() != "host") + "\r\n"
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(head.encode())
        chunk = b"<Object><Key>a</Key></Object>" * 4096
        sent = 0
        sock.setblocking(False)
        reply = b""
        while sent < size:
            with contextlib.suppress(BlockingIOError):
                reply += sock.recv(65536)
            if reply:
                break
            try:
                sent += sock.send(chunk[: size - sent])
            except BlockingIOError:
                time.sleep(0.001)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(10)
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in reply:
                more = sock.recv(65536)
                if not more:
                    break
                reply += more
    return reply


# --- bodies that do not match what was declared -----------------------------------------------
@pytest.mark.parametrize("size", [1000, 3 * 1024 * 1024])
def test_body_shorter_than_content_length_stores_nothing(server: RunningServer, s3: Any, bucket: str,
                                                         size: int) -> None:
    path = f"/{bucket}/short"
    body = b"z" * size
    headers = signed_headers(server, "PUT", path, body=body, headers={"Content-Length": str(size)})
    head = f"PUT {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(head.encode() + body[: size // 2])
        sock.shutdown(socket.SHUT_WR)  # the client gives up half-way
        reply = b""
        with contextlib.suppress(OSError):
            while more := sock.recv(65536):
                reply += more
    assert not reply.startswith(b"HTTP/1.1 200"), reply[:300]
    assert_missing(s3, bucket, "short")
    no_temporary_files(server)


def test_wrong_content_md5_is_bad_digest(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"original")
    for key, body in (("kept", b"replacement"), ("new", b"n" * 300_000)):
        status, _, reply = send(server, "PUT", f"/{bucket}/{key}", body, md5_header(b"something else"))
        assert (status, code(reply)) == (400, "BadDigest"), reply
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"original"
    assert_missing(s3, bucket, "new")
    no_temporary_files(server)


def test_wrong_crc32_is_bad_digest(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"original")
    for key, body in (("kept", b"replacement"), ("new", b"c" * 300_000)):
        wrong = base64.b64encode((zlib.crc32(body) ^ 1).to_bytes(4, "big")).decode()
        status, _, reply = send(server, "PUT", f"/{bucket}/{key}", body,
                                {"x-amz-checksum-crc32": wrong, "x-amz-sdk-checksum-algorithm": "CRC32"})
        assert (status, code(reply)) == (400, "BadDigest"), reply
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"original"
    assert_missing(s3, bucket, "new")
    no_temporary_files(server)


def test_wrong_content_sha256_stores_nothing(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="kept", Body=b"original")
    for key, body in (("kept", b"replacement"), ("new", b"s" * 300_000)):
        status, _, reply = send(server, "PUT", f"/{bucket}/{key}", body, sign_body=b"what was signed")
        assert (status, code(reply)) == (400, "XAmzContentSHA256Mismatch"), reply
        assert b"<ClientComputedContentSHA256>" in reply
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"original"
    assert_missing(s3, bucket, "new")
    no_temporary_files(server)


# --- authentication ----------------------------------------------------------------------------
def test_wrong_secret_is_signature_does_not_match(server: RunningServer, bucket: str) -> None:
    status, _, reply = send(server, "GET", f"/{bucket}?list-type=2", secret_key="wrong" * 8)
    assert (status, code(reply)) == (403, "SignatureDoesNotMatch")
    string_to_sign = re.search(rb"<StringToSign>([^<]*)</StringToSign>", reply)
    assert string_to_sign and string_to_sign.group(1).startswith(b"AWS4-HMAC-SHA256\n")
    assert b"<CanonicalRequest>" in reply and server.secret_key.encode() not in reply


def test_unknown_access_key(server: RunningServer, bucket: str) -> None:
    status, _, reply = send(server, "GET", f"/{bucket}?list-type=2", access_key="AKIAUNKNOWNKEY000000")
    assert (status, code(reply)) == (403, "InvalidAccessKeyId")


@pytest.mark.parametrize("minutes", [-20, 20])
def test_skewed_date(server: RunningServer, bucket: str, minutes: int) -> None:
    at = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    status, _, reply = send(server, "GET", f"/{bucket}?list-type=2", at=at)
    assert (status, code(reply)) == (403, "RequestTimeTooSkewed"), reply


def test_anonymous_get_is_access_denied(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="private", Body=b"secret")
    status, _, reply = send(server, "GET", f"/{bucket}/private", unsigned=True)
    assert (status, code(reply)) == (403, "AccessDenied")
    assert b"secret" not in reply


def test_presigned_expiry_over_a_week(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x")
    url = presigned_url(server, "GET", f"/{bucket}/o", expires=604801)
    status, _, reply = send(server, "GET", url.removeprefix(server.endpoint), unsigned=True)
    assert (status, code(reply)) == (400, "AuthorizationQueryParametersError"), reply
    ok = presigned_url(server, "GET", f"/{bucket}/o", expires=604800)
    assert send(server, "GET", ok.removeprefix(server.endpoint), unsigned=True)[::2] == (200, b"x")


def test_expired_presigned_url(server: RunningServer, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"x")
    url = presigned_url(server, "GET", f"/{bucket}/o", expires=60,
                        at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    status, _, reply = send(server, "GET", url.removeprefix(server.endpoint), unsigned=True)
    assert (status, code(reply)) == (403, "AccessDenied"), reply
    assert b"expired" in reply.lower()


# --- Expect: 100-continue ----------------------------------------------------------------------
def _expect_continue(server: RunningServer, path: str, body: bytes,
                     **signing: Any) -> tuple[bytes, socket.socket]:
    headers = signed_headers(server, "PUT", path, body=body,
                             headers={"Content-Length": str(len(body)), "Expect": "100-continue"}, **signing)
    head = f"PUT {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.sendall(head.encode())  # headers only: the body waits for the server's word
    reply = b""
    while b"\r\n\r\n" not in reply:
        more = sock.recv(65536)
        if not more:
            break
        reply += more
    return reply, sock


def test_expect_continue_with_bad_signature_gets_403_without_100(server: RunningServer, s3: Any,
                                                                 bucket: str) -> None:
    reply, sock = _expect_continue(server, f"/{bucket}/e", b"b" * 5_000_000, secret_key="wrong" * 8)
    with sock:
        assert reply.startswith(b"HTTP/1.1 403 "), reply[:200]
        assert b"100 Continue" not in reply
    assert_missing(s3, bucket, "e")


def test_expect_continue_with_valid_signature_gets_100_then_stores(server: RunningServer, s3: Any,
                                                                   bucket: str) -> None:
    body = uuid.uuid4().bytes * 100_000
    reply, sock = _expect_continue(server, f"/{bucket}/e", body)
    with sock:
        assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), reply[:200]
        rest = reply.removeprefix(b"HTTP/1.1 100 Continue\r\n\r\n")
        sock.sendall(body)
        while b"\r\n\r\n" not in rest:
            more = sock.recv(65536)
            if not more:
                break
            rest += more
        assert rest.startswith(b"HTTP/1.1 200 "), rest[:300]
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == body


# --- header injection: values that would come back as response headers ----------------------------
@pytest.mark.parametrize("value", ["text/plain\r\nset-cookie: a=b", "text/plain\nset-cookie: a=b",
                                   "text/plain\rset-cookie: a=b", "text/plain\x00"])
def test_response_override_holding_cr_or_lf_is_refused(server: RunningServer, s3: Any, bucket: str,
                                                       value: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    query = "response-content-type=" + urllib.parse.quote(value, safe="")
    status, headers, body = send(server, "GET", f"/{bucket}/k?{query}")
    assert (status, code(body)) == (400, "InvalidArgument"), body
    assert "set-cookie" not in headers
    # the same request without the control characters is served
    status, headers, body = send(server, "GET", f"/{bucket}/k?response-content-type=text%2Fplain")
    assert (status, headers["content-type"], body) == (200, "text/plain", b"data")
