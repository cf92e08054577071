"""What the connection's TLS tells the pipeline: s3:TlsVersion and aws:SecureTransport, and the
SSE-C-over-HTTP refusal that depends on them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ironbucket.api.ssec_transport import INSECURE_SSEC, refuse_ssec_over_http
from ironbucket.auth.authentication import anonymous
from ironbucket.auth.payload import UNSIGNED
from ironbucket.authz.context import request_keys
from ironbucket.config import Settings
from ironbucket.errors import InvalidRequest
from ironbucket.http.asgi import build_request
from ironbucket.http.request import Message, Request
from tests.unit.auth.auth_testing import make_request

PROXY = ("10.0.0.5/32",)


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def scope(scheme: str, extensions: dict[str, Any] | None) -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/", "raw_path": b"/", "query_string": b"",
            "headers": [], "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 9443),
            "scheme": scheme, "extensions": extensions or {}}


@pytest.mark.parametrize(("scheme", "extensions", "expected"), [
    ("https", {"tls": {"tls_version": 0x0304}}, "1.3"),
    ("https", {"tls": {"tls_version": 0x0303}}, "1.2"),
    ("https", {"tls": {"tls_version": None}}, None),
    ("https", {"tls": {}}, None),
    ("http", {}, None),
    ("http", None, None),
])
def test_tls_version_from_the_asgi_tls_extension(scheme: str, extensions: dict[str, Any] | None,
                                                 expected: str | None) -> None:
    request = build_request(scope(scheme, extensions), _receive, 0.0)
    assert (request.scheme, request.tls_version) == (scheme, expected)


def request(*, scheme: str = "https", tls: str | None = "1.3", client: str = "127.0.0.1",
            headers: dict[str, str] | None = None) -> Request:
    made = make_request("PUT", "/b/k", headers=headers or {})
    return dataclasses.replace(made, scheme=scheme, tls_version=tls, client_ip=client)


@pytest.mark.parametrize(("req", "proxies", "secure", "tls_version"), [
    (request(), (), "true", ("1.3",)),
    (request(tls="1.2"), (), "true", ("1.2",)),
    (request(scheme="http", tls=None), (), "false", None),
    # Behind a trusted proxy the TLS session is the proxy's: SecureTransport from its header,
    # and no s3:TlsVersion (nothing is known about the client's TLS).
    (request(scheme="http", tls=None, client="10.0.0.5", headers={"x-forwarded-proto": "https"}),
     PROXY, "true", None),
    (request(client="10.0.0.5", headers={"x-forwarded-proto": "http"}), PROXY, "false", None),
    # An untrusted client's header is ignored.
    (request(scheme="http", tls=None, headers={"x-forwarded-proto": "https"}), PROXY, "false", None),
])
def test_condition_keys(req: Request, proxies: tuple[str, ...], secure: str,
                        tls_version: tuple[str, ...] | None) -> None:
    keys = request_keys(req, anonymous("us-east-1", UNSIGNED), now=0.0, trusted_proxies=proxies,
                        resource_account=None)
    assert keys["aws:securetransport"] == (secure,)
    assert keys.get("s3:tlsversion") == tls_version


SSEC = {"x-amz-server-side-encryption-customer-algorithm": "AES256"}
COPY_SSEC = {"x-amz-copy-source-server-side-encryption-customer-key": "a2V5"}
KEY_MD5 = {"x-amz-server-side-encryption-customer-key-md5": "bWQ1"}


@pytest.mark.parametrize(("req", "settings", "refused"), [
    (request(scheme="http", tls=None, headers=SSEC), Settings(), True),
    (request(scheme="http", tls=None, headers=COPY_SSEC), Settings(), True),
    (request(scheme="http", tls=None, headers=KEY_MD5), Settings(), True),
    (request(headers=SSEC), Settings(), False),
    (request(scheme="http", tls=None, headers={"x-amz-server-side-encryption": "AES256"}), Settings(), False),
    (request(scheme="http", tls=None), Settings(), False),
    (request(scheme="http", tls=None, headers=SSEC), Settings(allow_ssec_over_http=True), False),
    (request(scheme="http", tls=None, client="10.0.0.5", headers={**SSEC, "x-forwarded-proto": "https"}),
     Settings(trusted_proxies=PROXY), False),
    (request(scheme="http", tls=None, headers={**SSEC, "x-forwarded-proto": "https"}),
     Settings(trusted_proxies=PROXY), True),
])
def test_sse_c_needs_tls(req: Request, settings: Settings, refused: bool) -> None:
    if refused:
        with pytest.raises(InvalidRequest) as exc:
            refuse_ssec_over_http(req, settings)
        assert (exc.value.status, exc.value.message) == (400, INSECURE_SSEC)
    else:
        refuse_ssec_over_http(req, settings)
