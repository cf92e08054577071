"""Authentication as real clients perform it: SigV2/SigV4 headers and presigned URLs,
aws-chunked bodies in every form, virtual-host addressing, browser POST uploads."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import io
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer
from tests.integration.test_buckets import error_code

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def fetch(url: str, method: str = "GET", data: bytes | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())


# --- presigned URLs and SigV2 ------------------------------------------------------------------
def test_boto3_default_presigned_url_is_sigv2_and_works(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="p", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "p"}, ExpiresIn=300)
    assert "Signature=" in url and "AWSAccessKeyId=" in url  # boto3's us-east-1 default: SigV2
    assert fetch(url) == (200, b"presigned")
    tampered = url.replace("/p?", "/q?")
    code, body = fetch(tampered)
    assert code == 403 and b"SignatureDoesNotMatch" in body


def test_sigv4_presigned_get_and_put(server: RunningServer, bucket: str) -> None:
    s3v4 = make_client(server, signature_version="s3v4")
    put_url = s3v4.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v4"},
                                          ExpiresIn=300)
    assert "X-Amz-Signature=" in put_url
    assert fetch(put_url, "PUT", b"sent with a presigned PUT")[0] == 200
    get_url = s3v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "v4"},
                                          ExpiresIn=300)
    assert fetch(get_url) == (200, b"sent with a presigned PUT")
    code, body = fetch(get_url.replace("X-Amz-Expires=300", "X-Amz-Expires=301"))
    assert code == 403 and b"SignatureDoesNotMatch" in body


def test_sigv2_header_signed_client(server: RunningServer, bucket: str) -> None:
    v2 = make_client(server, signature_version="s3")
    v2.put_object(Bucket=bucket, Key="dir/v2 key+plus", Body=b"v2", Metadata={"m": "1"})
    assert v2.get_object(Bucket=bucket, Key="dir/v2 key+plus")["Body"].read() == b"v2"
    assert [o["Key"] for o in v2.list_objects(Bucket=bucket)["Contents"]] == ["dir/v2 key+plus"]
    v2.put_object_tagging(Bucket=bucket, Key="dir/v2 key+plus", Tagging={"TagSet": [
        {"Key": "a", "Value": "b"}]})
    bad = make_client(server, secret_key="wrong-secret-wrong-secret-wrong-secret00", signature_version="s3")
    with pytest.raises(ClientError) as exc:
        bad.get_object(Bucket=bucket, Key="dir/v2 key+plus")
    assert error_code(exc) == "SignatureDoesNotMatch"


def test_anonymous_requests_are_denied(server: RunningServer, bucket: str, s3: Any) -> None:
    s3.put_object(Bucket=bucket, Key="secret", Body=b"x")
    for url in (f"{server.endpoint}/{bucket}/secret", f"{server.endpoint}/{bucket}", f"{server.endpoint}/"):
        code, body = fetch(url)
        assert code == 403 and b"<Code>AccessDenied</Code>" in body
    assert fetch(f"{server.endpoint}/{bucket}/new", "PUT", b"x")[0] == 403
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


# --- aws-chunked bodies ------------------------------------------------------------------------
def _force_trailer(params: dict[str, Any], **_: Any) -> None:
    """Make botocore use its HTTPS upload form (aws-chunked + trailing checksum) over HTTP."""
    algorithm = params["context"].get("checksum", {}).get("request_algorithm")
    if isinstance(algorithm, dict):
        algorithm["in"] = "trailer"


class _UnknownLengthStream(io.RawIOBase):
    """A body botocore cannot measure: sent with Transfer-Encoding: chunked and no length."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = min(len(buffer), len(self._data), 40_000)
        buffer[:size] = self._data[:size]
        self._data = self._data[size:]
        return size


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA256", "CRC64NVME"])
def test_botocore_unsigned_trailer_uploads(server: RunningServer, bucket: str, algorithm: str) -> None:
    client = make_client(server, s3={"payload_signing_enabled": False})
    client.meta.events.register("before-call.s3.PutObject", _force_trailer)
    seen: list[dict[str, str]] = []
    client.meta.events.register(
        "before-send.s3.PutObject",
        lambda request, **_: seen.append({k.lower(): v.decode() if isinstance(v, bytes) else v
                                          for k, v in request.headers.items()}))
    known = os.urandom(150_000)
    client.put_object(Bucket=bucket, Key="known", Body=known, ChecksumAlgorithm=algorithm)
    unknown = os.urandom(200_001)
    client.put_object(Bucket=bucket, Key="unknown", Body=_UnknownLengthStream(unknown),
                      ChecksumAlgorithm=algorithm)
    assert all(h["x-amz-content-sha256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" for h in seen)
    assert "x-amz-decoded-content-length" not in seen[1] and "content-length" not in seen[1]
    for key, body in (("known", known), ("unknown", unknown)):
        got = client.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
        assert got["Body"].read() == body
        assert got[f"Checksum{algorithm}"]


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def _signing_key(secret: str, date: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _chunked_put(server: RunningServer, path: str, payload: bytes, *, mode: str, chunk: int = 64 * 1024,
                 trailer: tuple[str, str] | None = None, corrupt_chunk: int | None = None,
                 transfer_chunked: bool = False) -> tuple[int, bytes]:
    """A PUT with a signed aws-chunked body, built independently of the server's code."""
    now = dt.datetime.now(dt.UTC)
    amz_date, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{date}/us-east-1/s3/aws4_request"
    headers = {"host": f"127.0.0.1:{server.port}", "x-amz-date": amz_date, "x-amz-content-sha256": mode,
               "content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(payload))}
    if trailer:
        headers["x-amz-trailer"] = trailer[0]
    signed = sorted(headers)
    canonical = "\n".join([
        "PUT", quote(path, safe="/~"), "", *(f"{h}:{headers[h]}" for h in signed), "",
        ";".join(signed), mode])
    key = _signing_key(server.secret_key, date)
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical.encode()).hexdigest()])
    previous = _sign(key, string_to_sign)
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={server.access_key}/{scope}, "
                                f"SignedHeaders={';'.join(signed)}, Signature={previous}")
    pieces = [payload[i:i + chunk] for i in range(0, len(payload), chunk)] + [b""]
    body = bytearray()
    for index, data in enumerate(pieces):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, EMPTY_SHA256,
                         hashlib.sha256(data).hexdigest()])
        previous = _sign(key, sts)
        sent = bytes([data[0] ^ 1]) + data[1:] if index == corrupt_chunk else data
        body += f"{len(sent):x};chunk-signature={previous}\r\n".encode() + sent
        body += b"\r\n" if sent else b""
    if trailer:
        line = f"{trailer[0]}:{trailer[1]}"
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous,
                         hashlib.sha256(f"{line}\n".encode()).hexdigest()])
        body += f"{line}\r\nx-amz-trailer-signature:{_sign(key, sts)}\r\n".encode()
    body += b"\r\n"
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        if transfer_chunked:
            connection.putrequest("PUT", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("transfer-encoding", "chunked")
            connection.endheaders()
            for start in range(0, len(body), 50_000):
                piece = bytes(body[start:start + 50_000])
                connection.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            connection.send(b"0\r\n\r\n")
        else:
            connection.request("PUT", path, body=bytes(body), headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("transfer_chunked", [False, True])
def test_signed_chunked_upload(server: RunningServer, s3: Any, bucket: str, transfer_chunked: bool) -> None:
    payload = os.urandom(200_000)
    status, body = _chunked_put(server, f"/{bucket}/signed", payload,
                                mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                                transfer_chunked=transfer_chunked)
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="signed")["Body"].read() == payload


def test_signed_chunked_upload_with_a_tampered_chunk_stores_nothing(server: RunningServer, s3: Any,
                                                                    bucket: str) -> None:
    status, body = _chunked_put(server, f"/{bucket}/tampered", os.urandom(200_000),
                                mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD", corrupt_chunk=1)
    assert status == 403 and b"SignatureDoesNotMatch" in body
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="tampered")


def test_signed_chunked_upload_with_signed_trailer(server: RunningServer, s3: Any, bucket: str) -> None:
    import awscrt.checksums

    payload = os.urandom(100_000)
    crc = awscrt.checksums.crc32c(payload).to_bytes(4, "big")
    import base64

    value = base64.b64encode(crc).decode()
    status, body = _chunked_put(server, f"/{bucket}/trailer", payload,
                                mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                                trailer=("x-amz-checksum-crc32c", value))
    assert status == 200, body
    got = s3.get_object(Bucket=bucket, Key="trailer", ChecksumMode="ENABLED")
    assert got["Body"].read() == payload
    assert got["ChecksumCRC32C"] == value
    wrong = base64.b64encode(b"\0\0\0\0").decode()
    status, body = _chunked_put(server, f"/{bucket}/trailer-bad", payload,
                                mode="STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                                trailer=("x-amz-checksum-crc32c", wrong))
    assert status == 400 and b"BadDigest" in body
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="trailer-bad")


# --- addressing --------------------------------------------------------------------------------
def _signed(server: RunningServer, method: str, url: str, body: bytes = b"") -> tuple[int, bytes]:
    request = AWSRequest(method=method, url=url, data=body,
                         headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    S3SigV4Auth(Credentials(server.access_key, server.secret_key), "s3", "us-east-1").add_auth(request)
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"Host": parts.netloc, **dict(request.headers.items())}
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_virtual_host_addressing(server: RunningServer, s3: Any, bucket: str) -> None:
    base = f"http://{bucket}.localhost:{server.port}"
    status, body = _signed(server, "PUT", f"{base}/vhost/key.txt", b"via virtual host")
    assert status == 200, body
    assert s3.get_object(Bucket=bucket, Key="vhost/key.txt")["Body"].read() == b"via virtual host"
    status, body = _signed(server, "GET", f"{base}/?list-type=2")
    assert status == 200 and b"<Key>vhost/key.txt</Key>" in body
    status, body = _signed(server, "GET", f"{base}/vhost/key.txt")
    assert (status, body) == (200, b"via virtual host")


# --- browser POST uploads ----------------------------------------------------------------------
def _multipart(fields: dict[str, str], file_name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----IronBucketTestBoundary7MA4YWxkTrZu0gW"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n".encode())
    out.write(content + f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def _post(server: RunningServer, bucket: str, fields: dict[str, str], content: bytes,
          file_name: str = "photo.jpg") -> tuple[int, bytes]:
    body, content_type = _multipart(fields, file_name, content)
    return fetch(f"{server.endpoint}/{bucket}", "POST", body, {"Content-Type": content_type})


def _presigned_post(server: RunningServer, bucket: str, key: str, **kwargs: Any) -> dict[str, str]:
    client = make_client(server, signature_version="s3v4")
    post: dict[str, Any] = client.generate_presigned_post(bucket, key, ExpiresIn=300, **kwargs)
    return dict(post["fields"])


def test_browser_post_upload(server: RunningServer, s3: Any, bucket: str) -> None:
    fields = _presigned_post(server, bucket, "uploads/${filename}",
                             Fields={"success_action_status": "201", "Content-Type": "image/jpeg"},
                             Conditions=[["starts-with", "$key", "uploads/"],
                                         {"success_action_status": "201"},
                                         ["starts-with", "$Content-Type", "image/"],
                                         ["content-length-range", 1, 1_000_000]])
    content = os.urandom(50_000)
    status, body = _post(server, bucket, fields, content)
    assert status == 201, body
    assert b"<Key>uploads/photo.jpg</Key>" in body
    got = s3.get_object(Bucket=bucket, Key="uploads/photo.jpg")
    assert got["Body"].read() == content
    assert got["ContentType"] == "image/jpeg"


def test_browser_post_policy_is_enforced(server: RunningServer, s3: Any, bucket: str) -> None:
    fields = _presigned_post(server, bucket, "only/here.txt",
                             Conditions=[["content-length-range", 1, 100]])
    status, body = _post(server, bucket, {**fields, "key": "elsewhere.txt"}, b"x")
    assert status == 403 and b"Policy Condition failed" in body
    status, body = _post(server, bucket, fields, b"x" * 101)
    assert status == 400 and b"EntityTooLarge" in body
    status, body = _post(server, bucket, {**fields, "x-amz-meta-extra": "1"}, b"x")
    assert status == 403 and b"Extra input fields" in body
    status, body = _post(server, bucket, {**fields, "x-amz-signature": "0" * 64}, b"x")
    assert status == 403 and b"SignatureDoesNotMatch" in body
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert _post(server, bucket, fields, b"ok")[0] == 204
    assert s3.get_object(Bucket=bucket, Key="only/here.txt")["Body"].read() == b"ok"


def _post_headers(server: RunningServer, bucket: str, fields: dict[str, str],
                  content: bytes) -> tuple[int, dict[str, str], bytes]:
    body, content_type = _multipart(fields, "photo.jpg", content)
    request = urllib.request.Request(f"{server.endpoint}/{bucket}", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), {k.lower(): v for k, v in response.getheaders()}, response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), {k.lower(): v for k, v in exc.headers.items()}, exc.read()


@pytest.mark.parametrize("field", ["x-amz-meta-note", "Content-Type", "Cache-Control",
                                   "success_action_redirect"])
def test_browser_post_field_holding_cr_or_lf_stores_nothing(server: RunningServer, s3: Any, bucket: str,
                                                           field: str) -> None:
    """Form fields, unlike request headers, can hold CR and LF; those that come back as response
    headers must not split a response."""
    hostile = "http://example.com/\r\nset-cookie: a=b"
    fields = _presigned_post(server, bucket, "posted.txt", Fields={field: hostile},
                             Conditions=[{field: hostile}])
    status, headers, body = _post_headers(server, bucket, fields, b"x")
    assert status == 400 and b"InvalidArgument" in body, body
    assert "set-cookie" not in headers
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_browser_post_key_holding_cr_lf_is_stored_and_located_url_encoded(server: RunningServer, s3: Any,
                                                                         bucket: str) -> None:
    key = "line\r\nset-cookie: a=b"
    fields = _presigned_post(server, bucket, key)
    status, headers, body = _post_headers(server, bucket, fields, b"kept")
    assert status == 204, body
    assert "set-cookie" not in headers
    assert headers["location"] == f"/{bucket}/line%0D%0Aset-cookie%3A%20a%3Db"
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"kept"


def test_anonymous_post_without_policy_is_denied(server: RunningServer, s3: Any, bucket: str) -> None:
    status, body = _post(server, bucket, {"key": "anon.txt"}, b"x")
    assert status == 403 and b"AccessDenied" in body
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def _iter_lines(text: bytes) -> Iterator[bytes]:
    yield from text.splitlines()
