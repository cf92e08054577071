"""A real browser against IronBucket's CORS: a page on one origin uploads with a presigned URL
and reads the exposed ETag; the same page served from another origin is refused by the browser.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``); Playwright only drives it
and never downloads a browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import make_client
from tests.integration.server import RunningServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>upload</title></head><body>
<script>
// The body is a Blob without a type, so no Content-Type goes out: the URL signs only "host".
async function upload(url, text) {
  try {
    const response = await fetch(url, {method: "PUT", body: new Blob([text])});
    return {status: response.status, etag: response.headers.get("ETag")};
  } catch (error) {
    return {error: error.name + ": " + error.message};
  }
}
</script></body></html>"""


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def origins() -> Iterator[tuple[str, str]]:
    """The same page served on two ports of 127.0.0.1: two different origins."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Page) for _ in range(2)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield tuple(f"http://127.0.0.1:{httpd.server_address[1]}" for httpd in servers)  # type: ignore[misc]
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def ensure_chromium() -> str:
    """Debian's chromium, installed if missing; a missing browser fails the test, never skips it."""
    if not Path(CHROMIUM).exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False,
                       capture_output=True, timeout=900)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing and could not be installed (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=executable,
            headless=True, args=ARGS)
        try:
            yield context.new_page()
        finally:
            context.close()


def test_browser_upload_allowed_from_one_origin_only(server: RunningServer, s3: Any, bucket: str,
                                                     origins: tuple[str, str], browser_page: Any) -> None:
    allowed, other = origins
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": [allowed], "AllowedMethods": ["PUT"], "ExposeHeaders": ["ETag"],
         "MaxAgeSeconds": 0}]})
    # us-east-1 presigns with SigV2 by default; browsers' uploads here use SigV4 query signatures.
    signer = make_client(server, signature_version="s3v4")
    results: dict[str, dict[str, Any]] = {}
    for origin in (allowed, other):
        key = f"from-{uuid.uuid4().hex[:8]}"
        url = signer.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key},
                                            ExpiresIn=300)
        browser_page.goto(origin + "/")
        results[origin] = {"key": key, **browser_page.evaluate(
            "([url, text]) => upload(url, text)", [url, f"uploaded from {origin}"])}

    ok = results[allowed]
    assert ok.get("status") == 200, ok
    stored = s3.get_object(Bucket=bucket, Key=ok["key"])
    assert stored["Body"].read() == f"uploaded from {allowed}".encode()
    assert ok["etag"] == stored["ETag"]  # readable by the page only because ExposeHeaders says so

    refused = results[other]
    assert refused.get("error", "").startswith("TypeError"), refused
    with pytest.raises(ClientError) as caught:
        s3.head_object(Bucket=bucket, Key=refused["key"])
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
