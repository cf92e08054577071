"""Built-in HTTPS: ``--tls-address`` beside the plain listener, ``--tls auto`` certificates trusted
through the generated CA, user-given certificates, the minimum TLS version, ``--address none``,
aws:SecureTransport / s3:TlsVersion from the real connection, and SSE-C refused over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import SSLError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.integration.conftest import allow_sse_c
from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Creds,
    allow,
    bucket_arn,
    deny,
    fails,
    failure,
    policy,
    read,
    s3,
    unique,
)
from tests.integration.server import RunningServer, clean_env, free_port, running_server
from tests.integration.test_auth import _multipart, _presigned_post
from tests.integration.test_aws_cli import tool

MIB = 1024 * 1024
SSEC_KEY = b"k" * 32
INSECURE_SSEC = ("Requests specifying Server Side Encryption with Customer provided keys must be "
                 "made over a secure connection.")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with running_server(tmp_path_factory.mktemp("tls") / "data", tls=True) as running:
        yield running


def root(server: RunningServer) -> Any:
    return s3(server, Creds(server.access_key, server.secret_key))


def cli_env(tmp_path: Path, server: RunningServer) -> dict[str, str]:
    (tmp_path / "aws-config").write_text("[default]\nregion = us-east-1\n")
    return clean_env({"AWS_ACCESS_KEY_ID": server.access_key, "AWS_SECRET_ACCESS_KEY": server.secret_key,
                      "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
                      "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
                      "HOME": str(tmp_path)})


def aws(env: dict[str, str], endpoint: str, *args: str, ca: str | None = None,
        stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    trust = ["--ca-bundle", ca] if ca else []
    return subprocess.run([tool("aws"), "--endpoint-url", endpoint, *trust, *args], env=env, input=stdin,
                          capture_output=True, timeout=120, check=False)


def tls_client(ca: str, *, min_version: ssl.TLSVersion | None = None,
               max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=ca)
    if min_version is not None:
        ctx.minimum_version = min_version
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx


def anonymous_get(url: str, context: ssl.SSLContext | None = None) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10, context=context) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_boto3_over_https_trusting_the_generated_ca(tls_server: RunningServer) -> None:
    https = root(tls_server.https())
    bucket = unique("tls")
    https.create_bucket(Bucket=bucket)
    # A streamed body bigger than the flow-control windows, both ways, through TLS.
    body = os.urandom(24 * MIB)
    https.put_object(Bucket=bucket, Key="big", Body=body)
    got = https.get_object(Bucket=bucket, Key="big")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(body).digest()
    assert https.get_object(Bucket=bucket, Key="big", Range="bytes=5-9")["Body"].read() == body[5:10]
    # Multipart through the high-level transfer (several concurrent TLS connections).
    https.upload_fileobj(_Reader(body), bucket, "multi",
                         Config=boto3.s3.transfer.TransferConfig(multipart_threshold=8 * MIB,
                                                                 multipart_chunksize=8 * MIB))
    assert read(https, bucket, "multi") == body
    # The same data over the plain listener: one server, two doors.
    assert read(root(tls_server), bucket, "multi") == body
    # The certificate is really checked: the system trust store does not know our CA.
    untrusted = boto3.client("s3", endpoint_url=tls_server.https().endpoint, region_name="us-east-1",
                             aws_access_key_id=tls_server.access_key,
                             aws_secret_access_key=tls_server.secret_key,
                             config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    with pytest.raises(SSLError):
        untrusted.list_buckets()


class _Reader:
    """A file object without len(): the transfer manager must stream it in parts."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at:end], min(end, len(self._data))
        return chunk


def test_aws_cli_with_ca_bundle(tls_server: RunningServer, tmp_path: Path) -> None:
    env = cli_env(tmp_path, tls_server)
    https, ca = tls_server.https().endpoint, tls_server.ca_bundle
    bucket = unique("cli")
    assert aws(env, https, "s3", "mb", f"s3://{bucket}", ca=ca).returncode == 0
    upload = aws(env, https, "s3", "cp", "-", f"s3://{bucket}/from-cli", ca=ca, stdin=b"over tls")
    assert upload.returncode == 0, upload.stderr
    listing = aws(env, https, "s3", "ls", f"s3://{bucket}/", ca=ca)
    assert listing.returncode == 0 and b"from-cli" in listing.stdout
    refused = aws(env, https, "s3", "ls", f"s3://{bucket}/")  # no --ca-bundle: not trusted
    assert refused.returncode != 0 and b"SSL" in refused.stderr
    # AWS_CA_BUNDLE, as the banner suggests, works too.
    by_env = aws({**env, "AWS_CA_BUNDLE": ca}, https, "s3", "ls", f"s3://{bucket}/")
    assert by_env.returncode == 0 and b"from-cli" in by_env.stdout


def test_banner_names_the_https_endpoint_and_how_to_trust_it(tls_server: RunningServer) -> None:
    banner = tls_server.log()
    https = tls_server.https().endpoint
    assert f"https    : {https}" in banner
    assert f"--ca-bundle {Path(tls_server.ca_bundle).resolve()}" in banner
    assert f"AWS_CA_BUNDLE={Path(tls_server.ca_bundle).resolve()}" in banner
    assert "verify=" in banner


def test_secure_transport_policy_end_to_end(tls_server: RunningServer, tmp_path: Path) -> None:
    plain, https = root(tls_server), root(tls_server.https())
    bucket = unique("secure")
    plain.create_bucket(Bucket=bucket)
    plain.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:*", [bucket_arn(bucket), bucket_arn(bucket, "*")], principal="*",
             condition={"Bool": {"aws:SecureTransport": "false"}})))
    https.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert read(https, bucket, "k") == b"v"
    assert fails(plain.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    assert fails(plain.put_object, Bucket=bucket, Key="k2", Body=b"x") == ACCESS_DENIED
    env = cli_env(tmp_path, tls_server)
    over_tls = aws(env, tls_server.https().endpoint, "s3", "cp", f"s3://{bucket}/k", "-",
                   ca=tls_server.ca_bundle)
    assert over_tls.returncode == 0 and over_tls.stdout == b"v", over_tls.stderr
    over_http = aws(env, tls_server.endpoint, "s3", "ls", f"s3://{bucket}/")
    assert over_http.returncode != 0 and b"AccessDenied" in over_http.stderr
    listing = aws(env, tls_server.https().endpoint, "s3", "ls", f"s3://{bucket}/", ca=tls_server.ca_bundle)
    assert listing.returncode == 0 and listing.stdout.split()[-1] == b"k"


def test_tls_version_condition(tls_server: RunningServer) -> None:
    plain = root(tls_server)
    bucket = unique("tlsver")
    plain.create_bucket(Bucket=bucket)
    plain.put_object(Bucket=bucket, Key="k", Body=b"v")
    plain.delete_public_access_block(Bucket=bucket)  # these policies grant anonymous reads
    plain.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal="*",
              condition={"NumericGreaterThanEquals": {"s3:TlsVersion": 1.3}})))  # a JSON number
    path = f"/{bucket}/k"
    ca = tls_server.ca_bundle
    https = tls_server.https().endpoint
    assert anonymous_get(https + path, tls_client(ca, min_version=ssl.TLSVersion.TLSv1_3)) == 200
    assert anonymous_get(https + path, tls_client(ca, max_version=ssl.TLSVersion.TLSv1_2)) == 403
    assert anonymous_get(tls_server.endpoint + path) == 403  # no TLS: the key is absent
    plain.put_bucket_policy(Bucket=bucket, Policy=policy(
        allow("s3:GetObject", bucket_arn(bucket, "*"), principal="*",
              condition={"NumericLessThan": {"s3:TlsVersion": "1.3"}})))
    assert anonymous_get(https + path, tls_client(ca, max_version=ssl.TLSVersion.TLSv1_2)) == 200
    assert anonymous_get(https + path, tls_client(ca, min_version=ssl.TLSVersion.TLSv1_3)) == 403


def handshake(port: int, ctx: ssl.SSLContext, host: str = "localhost") -> str | None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname=host) as tls:
        return tls.version()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_below_the_minimum_version_is_refused(tls_server: RunningServer) -> None:
    assert tls_server.tls_port is not None
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    old.load_verify_locations(tls_server.ca_bundle)
    old.minimum_version = ssl.TLSVersion.TLSv1
    old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer TLS 1.1 at all
    with pytest.raises(ssl.SSLError):
        handshake(tls_server.tls_port, old)
    assert handshake(tls_server.tls_port, tls_client(tls_server.ca_bundle,
                                                     max_version=ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"


def ssec(**extra: Any) -> dict[str, Any]:
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": SSEC_KEY, **extra}


def test_sse_c_over_plain_http_is_refused_and_nothing_is_stored(tls_server: RunningServer) -> None:
    plain, https = root(tls_server), root(tls_server.https())
    bucket = unique("ssec")
    plain.create_bucket(Bucket=bucket)
    allow_sse_c(plain, bucket)
    plain.put_object(Bucket=bucket, Key="plain", Body=b"v")
    error = failure(plain.put_object, Bucket=bucket, Key="secret", Body=b"x" * 300_000, **ssec())
    assert (error.response["Error"]["Code"], error.response["Error"]["Message"]) == (
        "InvalidRequest", INSECURE_SSEC)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert fails(plain.head_object, Bucket=bucket, Key="secret") == ("404", 404)
    assert fails(plain.get_object, Bucket=bucket, Key="plain", **ssec()) == ("InvalidRequest", 400)
    assert fails(plain.copy_object, Bucket=bucket, Key="copy", CopySource=f"{bucket}/plain",
                 CopySourceSSECustomerAlgorithm="AES256",
                 CopySourceSSECustomerKey=SSEC_KEY) == ("InvalidRequest", 400)
    assert fails(plain.create_multipart_upload, Bucket=bucket, Key="mpu", **ssec()) == (
        "InvalidRequest", 400)
    assert fails(plain.head_object, Bucket=bucket, Key="copy") == ("404", 404)
    assert plain.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    # Over TLS the same request is served.
    https.put_object(Bucket=bucket, Key="secret", Body=b"x", **ssec())
    assert https.get_object(Bucket=bucket, Key="secret", **ssec())["Body"].read() == b"x"


def _form_post(server: RunningServer, bucket: str, fields: dict[str, str], content: bytes
               ) -> tuple[int, bytes, dict[str, str]]:
    body, content_type = _multipart(fields, "f.bin", content)
    request = urllib.request.Request(f"{server.endpoint}/{bucket}", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    context = ssl.create_default_context(cafile=server.ca_bundle) if server.scheme == "https" else None
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            return int(response.status), bytes(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read()), dict(exc.headers)


def test_browser_post_with_a_customer_key(tls_server: RunningServer) -> None:
    """SSE-C form fields: refused over plain HTTP, refused by a bucket that blocks SSE-C (every
    new bucket), and otherwise stored under the key, which then opens it."""
    https = tls_server.https()
    client = root(https)
    bucket = unique("ssec-post")
    client.create_bucket(Bucket=bucket)
    key_md5 = base64.b64encode(hashlib.md5(SSEC_KEY).digest()).decode()
    sse = {"x-amz-server-side-encryption-customer-algorithm": "AES256",
           "x-amz-server-side-encryption-customer-key": base64.b64encode(SSEC_KEY).decode(),
           "x-amz-server-side-encryption-customer-key-MD5": key_md5}
    fields = _presigned_post(https, bucket, "form.bin", Fields=sse,
                             Conditions=[{name: value} for name, value in sse.items()])
    content = os.urandom(70_000)
    status, body, _ = _form_post(tls_server, bucket, fields, content)
    assert status == 400 and b"<Code>InvalidRequest</Code>" in body and INSECURE_SSEC.encode() in body
    status, body, _ = _form_post(https, bucket, fields, content)
    assert (status, b"<Code>AccessDenied</Code>" in body) == (403, True)
    assert fails(client.head_object, Bucket=bucket, Key="form.bin") == ("404", 404)
    allow_sse_c(client, bucket)
    status, body, headers = _form_post(https, bucket, fields, content)
    assert status == 204, body
    answered = {name.lower(): value for name, value in headers.items()}
    assert answered["x-amz-server-side-encryption-customer-algorithm"] == "AES256"
    assert answered["x-amz-server-side-encryption-customer-key-md5"] == key_md5
    assert client.get_object(Bucket=bucket, Key="form.bin", **ssec())["Body"].read() == content
    assert fails(client.get_object, Bucket=bucket, Key="form.bin") == ("InvalidRequest", 400)


def self_signed(directory: Path, names: list[str]) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "user-cert")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "user.pem", directory / "user.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, Path]]:
    """User-given certificate, TLS 1.3 only, two workers, SSE-C allowed over HTTP (lab mode)."""
    base = tmp_path_factory.mktemp("strict")
    cert, key = self_signed(base, ["localhost", "user-cert.test"])
    with running_server(base / "data", tls=True, workers=2,
                        extra_args=["--tls-cert", str(cert), "--tls-key", str(key),
                                    "--tls-min-version", "1.3", "--allow-ssec-over-http"]) as running:
        yield running, cert


def test_user_certificate_and_two_workers(strict_server: tuple[RunningServer, Path]) -> None:
    server, cert = strict_server
    https = root(server.https(verify=str(cert)))
    bucket = unique("user")
    https.create_bucket(Bucket=bucket)
    for i in range(8):  # spread over both workers' SO_REUSEPORT sockets
        fresh = root(server.https(verify=str(cert)))
        fresh.put_object(Bucket=bucket, Key=f"k{i}", Body=b"%d" % i)
        assert read(https, bucket, f"k{i}") == b"%d" % i
    assert server.tls_port is not None
    assert handshake(server.tls_port, tls_client(str(cert)), host="user-cert.test") == "TLSv1.3"
    assert not (server.data_dir / "tls").exists()  # no auto CA when the user brings a certificate


def test_min_version_1_3_refuses_a_1_2_client(strict_server: tuple[RunningServer, Path]) -> None:
    server, cert = strict_server
    assert server.tls_port is not None
    with pytest.raises(ssl.SSLError):
        handshake(server.tls_port, tls_client(str(cert), max_version=ssl.TLSVersion.TLSv1_2))


def test_allow_ssec_over_http_lifts_the_check(strict_server: tuple[RunningServer, Path]) -> None:
    server, _ = strict_server
    plain = root(server)
    bucket = unique("lab")
    plain.create_bucket(Bucket=bucket)
    allow_sse_c(plain, bucket)
    plain.put_object(Bucket=bucket, Key="k", Body=b"x", **ssec())
    assert plain.get_object(Bucket=bucket, Key="k", **ssec())["Body"].read() == b"x"


def listening_ports(pid: int) -> set[int]:
    """TCP ports a process listens on (Linux /proc): socket inodes of its fds, in LISTEN state."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_address_none_serves_https_only(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", tls=True, http=False) as server:
        assert listening_ports(server.process.pid) == {server.tls_port}
        assert "endpoint : http://" not in server.log()
        https = root(server.https())
        bucket = unique("only")
        https.create_bucket(Bucket=bucket)
        assert [b["Name"] for b in https.list_buckets()["Buckets"]] == [bucket]


def serve_fails(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "serve", "--data-dir", str(tmp_path / "d"),
                           "--address", f"127.0.0.1:{free_port()}", *args], env=clean_env(),
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    return proc.stderr


def test_startup_errors_name_the_problem(tmp_path: Path) -> None:
    tls = ["--tls-address", f"127.0.0.1:{free_port()}"]
    assert "does not exist" in serve_fails(tmp_path, *tls, "--tls-cert", str(tmp_path / "no.pem"),
                                           "--tls-key", str(tmp_path / "no.key"))
    cert, _ = self_signed(tmp_path, ["localhost"])
    other = tmp_path / "other"
    other.mkdir()
    _, wrong_key = self_signed(other, ["localhost"])
    assert "do not match" in serve_fails(tmp_path, *tls, "--tls-cert", str(cert), "--tls-key",
                                         str(wrong_key))
    assert "--tls-address" in serve_fails(tmp_path, "--address", "none")
    assert "--tls auto or --tls-cert" in serve_fails(tmp_path, *tls)
