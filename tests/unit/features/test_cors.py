"""The pure CORS rule matcher and validator, table-driven."""

from __future__ import annotations

import pytest

from ironbucket.errors import InvalidArgument, InvalidRequest, MalformedXML, S3Error
from ironbucket.features import cors
from ironbucket.features.cors import CorsConfig, Pattern, Rule

A = "http://127.0.0.1:8001"
RULES = (
    Rule("exact", (A, "https://*.example.com"), ("GET", "PUT"), ("Content-Type", "x-amz-*"),
         ("ETag", "x-amz-request-id"), 600),
    Rule("any", ("*",), ("GET",)),
)
CONFIG = CorsConfig(RULES)


@pytest.mark.parametrize(("pattern", "value", "expected"), [
    ("http://a", "http://a", True),
    ("http://a", "http://a:80", False),
    ("*", "", True),
    ("*", "anything", True),
    ("http://*.x.com", "http://a.x.com", True),
    ("http://*.x.com", "http://.x.com", True),
    ("http://*.x.com", "https://a.x.com", False),
    ("http://*.x.com", "http://x.com", False),
    ("ab*ba", "aba", False),  # prefix and suffix may not overlap
    ("ab*ba", "abba", True),
    ("x-amz-*", "x-amz-meta-a", True),
    ("", "", True),
])
def test_pattern(pattern: str, value: str, expected: bool) -> None:
    assert Pattern.of(pattern).matches(value) is expected


@pytest.mark.parametrize(("origin", "method", "request_headers", "expected"), [
    # the first rule: an exact origin gets itself back, with credentials
    (A, "PUT", "content-type", {"access-control-allow-origin": A, "access-control-allow-methods": "GET, PUT",
                                "access-control-allow-credentials": "true",
                                "access-control-allow-headers": "content-type",
                                "access-control-expose-headers": "ETag, x-amz-request-id",
                                "access-control-max-age": "600", "vary": cors.VARY}),
    # headers are matched case-insensitively, answered lower-cased, wildcards honoured
    (A, "PUT", " Content-Type , X-Amz-Meta-Foo,",
     {"access-control-allow-headers": "content-type, x-amz-meta-foo"}),
    ("https://app.example.com", "GET", "", {"access-control-allow-origin": "https://app.example.com"}),
    # a header no GET rule allows (the "*" rule allows no headers at all)
    (A, "GET", "authorization", None),
    # an origin only the "*" rule matches: "*" back, no credentials
    ("http://elsewhere", "GET", "",
     {"access-control-allow-origin": "*", "access-control-allow-methods": "GET"}),
    ("http://elsewhere", "PUT", "", None),
    (A, "DELETE", "", None),
    (A, "get", "", None),  # methods are case-sensitive
    ("HTTP://127.0.0.1:8001", "PUT", "", None),
])
def test_preflight(origin: str, method: str, request_headers: str, expected: dict[str, str] | None) -> None:
    got = CONFIG.preflight(origin, method, request_headers)
    if expected is None:
        assert got is None
        return
    assert got is not None
    for name, value in expected.items():
        assert got[name] == value
    if got["access-control-allow-origin"] == "*":
        assert "access-control-allow-credentials" not in got
        assert "access-control-max-age" not in got
    if not request_headers.strip(" ,"):
        assert "access-control-allow-headers" not in got


@pytest.mark.parametrize(("origin", "method", "allow_origin"), [
    (A, "PUT", A),
    (A, "GET", A),
    ("http://other", "GET", "*"),
    ("http://other", "PUT", None),
    (A, "HEAD", None),
])
def test_actual_requests_match_origin_and_method_only(origin: str, method: str,
                                                      allow_origin: str | None) -> None:
    got = CONFIG.actual(origin, method)
    if allow_origin is None:
        assert got is None
    else:
        assert got is not None
        assert got["access-control-allow-origin"] == allow_origin
        assert got["vary"] == cors.VARY
        assert "access-control-allow-headers" not in got


def _rule(**kw: object) -> Rule:
    base: dict[str, object] = {"id": None, "allowed_origins": ("*",), "allowed_methods": ("GET",)}
    base.update(kw)
    return Rule(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("rules", "error", "message"), [
    ([], MalformedXML, ""),
    ([_rule()] * 101, MalformedXML, "100"),
    ([_rule(allowed_methods=())], MalformedXML, ""),
    ([_rule(allowed_origins=())], MalformedXML, ""),
    ([_rule(allowed_methods=("OPTIONS",))], InvalidRequest, "Unsupported method is OPTIONS"),
    ([_rule(allowed_methods=("get",))], InvalidRequest, "Unsupported method is get"),
    ([_rule(allowed_origins=("http://*.*.com",))], InvalidRequest, "more than one wildcard"),
    ([_rule(allowed_origins=("http://a\r\nSet-Cookie: x=1",))], InvalidRequest, "invalid character"),
    ([_rule(allowed_origins=("http://a, http://b",))], InvalidRequest, "invalid character"),
    ([_rule(allowed_origins=("http://é.com",))], InvalidRequest, "invalid character"),
    ([_rule(allowed_headers=("x-*-*",))], InvalidRequest, "more than one wildcard"),
    ([_rule(allowed_headers=("x-a\r\nx-b",))], InvalidRequest, "not a valid header name"),
    ([_rule(expose_headers=("ETag\r\nSet-Cookie: x=1",))], InvalidRequest, "not a valid header name"),
    ([_rule(expose_headers=("x-a\n",))], InvalidRequest, "not a valid header name"),
    ([_rule(expose_headers=("a, b",))], InvalidRequest, "not a valid header name"),
    ([_rule(expose_headers=("*",))], InvalidRequest, "wildcard"),
    ([_rule(id="x" * 256)], InvalidArgument, "255"),
    ([_rule(id="a\r\nb")], InvalidArgument, ""),
    ([_rule(max_age=-1)], MalformedXML, ""),
])
def test_validation_refuses(rules: list[Rule], error: type[S3Error], message: str) -> None:
    with pytest.raises(error) as caught:
        cors.validate(rules)
    assert message in caught.value.message
    assert "\r" not in caught.value.message and "\n" not in caught.value.message


@pytest.mark.parametrize("rule", [
    _rule(),
    _rule(allowed_origins=("",)),  # AWS accepts an empty origin (it matches nothing real)
    _rule(allowed_origins=("http://*.example.com", "https://x:8443"), allowed_methods=tuple(cors.METHODS),
          allowed_headers=("*", "x-amz-*"), expose_headers=("ETag",), max_age=0, id="x" * 255),
])
def test_validation_accepts(rule: Rule) -> None:
    assert cors.validate([rule]).rules == (rule,)


def test_stored_form_round_trips_and_is_parsed_once() -> None:
    text = cors.dumps(CONFIG)
    loaded = cors.loads(text)
    assert loaded.rules == RULES
    assert cors.loads(text) is loaded
    with pytest.raises(ValueError, match="format"):
        cors.loads('{"v": 99, "rules": []}')
