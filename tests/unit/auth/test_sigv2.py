"""SigV2: the S3 User Guide's examples, and the canonical forms table by table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ironbucket.auth import sigv2
from ironbucket.auth.authenticate import authenticate
from ironbucket.auth.authentication import parse_http_date
from tests.unit.auth.auth_testing import VECTORS, MemoryStore, credential, make_request, run

DOC = json.loads((VECTORS / "sigv2" / "s3-doc-examples.json").read_text())
STORE = MemoryStore.of(
    credential(DOC["credentials"]["access_key_id"], DOC["credentials"]["secret_access_key"])
)


@pytest.mark.parametrize("vector", DOC["vectors"], ids=lambda v: v["id"])
def test_guide_examples(vector: dict[str, Any]) -> None:
    headers = vector["headers"]
    secret = DOC["credentials"]["secret_access_key"]
    assert sigv2.sign(secret, vector["string_to_sign"]) == vector["signature"]
    if "x-amz-date" not in headers:
        ours = sigv2.string_to_sign(
            vector["method"],
            content_md5=headers.get("content-md5", ""),
            content_type=headers.get("content-type", ""),
            date=headers.get("date", ""),
            amz_headers=headers,
            resource=sigv2.canonical_resource(
                vector["raw_path"], vector["query_string"], bucket_from_host=vector["bucket_from_host"]
            ),
        )
        assert ours == vector["string_to_sign"]
    authorization = f"AWS {DOC['credentials']['access_key_id']}:{vector['signature']}"
    request = make_request(
        vector["method"],
        vector["raw_path"],
        vector["query_string"],
        {**headers, "authorization": authorization},
    )
    when = parse_http_date(headers.get("x-amz-date") or headers["date"])
    assert when is not None
    auth = run(
        authenticate(
            request, STORE, region="us-west-1", now=when, bucket_from_host=vector["bucket_from_host"]
        )
    )
    assert (auth.signature_version, auth.auth_type) == ("AWS", "REST-HEADER")


@pytest.mark.parametrize(
    ("raw_path", "query", "bucket", "expected"),
    [
        ("/", "", None, "/"),
        ("", "", None, "/"),
        ("/bucket", "", None, "/bucket/"),
        ("/bucket/", "acl", None, "/bucket/?acl"),
        ("/", "", "bucket", "/bucket/"),
        ("/key", "versionId=a%2Fb&acl=", "bucket", "/bucket/key?acl=&versionId=a/b"),
        ("/k%20y", "prefix=x&uploads&max-keys=3", "b", "/b/k%20y?uploads"),
        (
            "/k",
            "response-content-type=text%2Fplain&response-expires=x&foo=bar",
            "b",
            "/b/k?response-content-type=text/plain&response-expires=x",
        ),
        ("/b/k", "partNumber=2&uploadId=abc", None, "/b/k?partNumber=2&uploadId=abc"),
        (
            "/b",
            "tagging&versionId=1&retention&legal-hold",
            None,
            "/b/?legal-hold&retention&tagging&versionId=1",
        ),
        ("/b", "X-Amz-Date=1&AWSAccessKeyId=a&Signature=s&Expires=1", None, "/b/"),
    ],
)
def test_canonical_resource(raw_path: str, query: str, bucket: str | None, expected: str) -> None:
    assert sigv2.canonical_resource(raw_path, query, bucket_from_host=bucket) == expected


def test_canonical_amz_headers() -> None:
    headers = {
        "x-amz-meta-b": " two  spaces ",
        "X-Amz-Meta-A": "1,2",
        "x-amz-fold": "line one\r\n   line two",
        "content-type": "ignored",
    }
    assert sigv2.canonical_amz_headers(headers) == (
        "x-amz-fold:line one line two\nx-amz-meta-a:1,2\nx-amz-meta-b:two  spaces\n"
    )
