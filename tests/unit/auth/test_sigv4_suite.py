"""Every case of the aws-signing-test-suite, header and presigned: canonical request, string to
sign and signature; then the signed requests through ``authenticate`` (which, like S3, never
normalises the path)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from ironbucket.auth import sigv4
from ironbucket.auth.authenticate import authenticate
from ironbucket.http.request import Request
from tests.unit.auth.auth_testing import VECTORS, MemoryStore, credential, make_request, raises_code, run

SUITE = VECTORS / "sigv4" / "aws-signing-test-suite"
CASES = sorted(path.name for path in SUITE.iterdir() if path.is_dir())


@dataclass
class Case:
    name: str
    context: dict[str, Any]

    @property
    def dir(self) -> Path:
        return SUITE / self.name

    def text(self, name: str) -> str:
        return (self.dir / name).read_text(encoding="utf-8")

    @property
    def now(self) -> float:
        return datetime.fromisoformat(self.context["timestamp"]).replace(tzinfo=UTC).timestamp()


def load(name: str) -> Case:
    return Case(name, json.loads((SUITE / name / "context.json").read_text()))


def parse_http(text: str) -> Request:
    """A request as the suite writes it: request line, ``Name:value`` lines (continuation lines
    folded), blank line, body."""
    head, _, body = text.partition("\n\n")
    request_line, *lines = head.split("\n")
    method, rest = request_line.split(" ", 1)
    target, _ = rest.rsplit(" ", 1)
    path, _, query = target.partition("?")
    headers: list[tuple[str, str]] = []
    for line in lines:
        if not line:
            continue
        if line[0] in " \t":
            name, value = headers.pop()
            headers.append((name, f"{value} {line.strip()}"))
            continue
        name, _, value = line.partition(":")
        headers.append((name, value.strip()))
    return make_request(method, path, query, headers, body.encode("utf-8"))


def test_the_suite_is_complete() -> None:
    assert len(CASES) == 38
    assert (SUITE / "LICENSE").is_file() and (SUITE / "NOTICE").is_file()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("style", ["header", "query"])
def test_canonical_request_string_to_sign_and_signature(name: str, style: str) -> None:
    case = load(name)
    request = parse_http(case.text(f"{style}-signed-request.txt"))
    body = run(request.body.read(1 << 20))
    if style == "header":
        parsed: Any = sigv4.parse_authorization_header(request.headers.pop("authorization"))
        amz_date = request.headers["x-amz-date"]
        payload = request.headers.get("x-amz-content-sha256", sigv4.sha256_hex(body))
        exclude: tuple[str, ...] = ("X-Amz-Signature",)
    else:
        parsed = sigv4.parse_presigned_query(request.query)
        amz_date = parsed.amz_date
        payload = sigv4.sha256_hex(body)
        exclude = ("X-Amz-Signature",)
        if case.context.get("omit_session_token"):
            # This signer adds the token after signing (some services want that); S3 does not.
            exclude += ("X-Amz-Security-Token",)
    canonical = sigv4.canonical_request(
        request.method,
        sigv4.canonical_uri(unquote_to_bytes(request.raw_path), normalize=case.context["normalize"]),
        sigv4.canonical_query(sigv4.query_pairs(request.query_string, exclude=exclude)),
        headers=request.headers,
        signed_headers=parsed.signed_headers,
        payload_hash=payload,
    )
    assert canonical == case.text(f"{style}-canonical-request.txt")
    scope = parsed.credential
    string_to_sign = sigv4.string_to_sign(amz_date, scope.scope, canonical)
    assert string_to_sign == case.text(f"{style}-string-to-sign.txt")
    secret = case.context["credentials"]["secret_access_key"]
    key = sigv4.signing_key(secret, scope.date, scope.region, scope.service)
    signature = sigv4.sign(key, string_to_sign)
    assert signature == case.text(f"{style}-signature.txt").strip() == parsed.signature


# S3 semantics: the path is never normalised, so signatures over a normalised path do not hold.
NORMALISATION_CHANGES_PATH = {
    "get-relative-normalized",
    "get-relative-relative-normalized",
    "get-slash-dot-slash-normalized",
    "get-slash-normalized",
    "get-slash-pointless-dot-normalized",
    "get-slashes-normalized",
}
EXPECTED_REJECTIONS = {
    **{
        (name, style): "SignatureDoesNotMatch"
        for name in NORMALISATION_CHANGES_PATH
        for style in ("header", "query")
    },
    # The token header was added after signing: an unsigned x-amz-* header / an unsigned parameter.
    ("post-sts-header-after", "header"): "AccessDenied",
    ("post-sts-header-after", "query"): "SignatureDoesNotMatch",
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("style", ["header", "query"])
def test_authenticate_accepts_the_signed_requests(name: str, style: str) -> None:
    case = load(name)
    creds = case.context["credentials"]
    store = MemoryStore.of(
        credential(creds["access_key_id"], creds["secret_access_key"], token=creds.get("token"))
    )
    request = parse_http(case.text(f"{style}-signed-request.txt"))
    outcome = raises_code(
        authenticate(request, store, region=case.context["region"], now=case.now, bucket_from_host=None)
    )
    assert outcome == EXPECTED_REJECTIONS.get((name, style), "")
    if not outcome:
        auth = run(
            authenticate(
                parse_http(case.text(f"{style}-signed-request.txt")),
                store,
                region="us-east-1",
                now=case.now,
                bucket_from_host=None,
            )
        )
        assert auth.service == "service"
        assert auth.auth_type == ("REST-HEADER" if style == "header" else "REST-QUERY-STRING")
        assert auth.signature_version == "AWS4-HMAC-SHA256"
        assert auth.access_key_id == "AKIDEXAMPLE"
        assert auth.signature_age_ms == 0


def test_authenticate_leaves_a_hashed_body_readable() -> None:
    """Services other than S3 do not send x-amz-content-sha256: the body is read to hash it and
    handed on unchanged."""
    case = load("post-x-www-form-urlencoded-parameters")
    creds = case.context["credentials"]
    store = MemoryStore.of(credential(creds["access_key_id"], creds["secret_access_key"]))
    request = parse_http(case.text("query-signed-request.txt"))
    run(authenticate(request, store, region="us-east-1", now=case.now, bucket_from_host=None))
    assert run(request.body.read(100)) == b"Param1=value1"
