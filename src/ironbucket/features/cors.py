"""Bucket CORS rules: validation, the stored form, and matching a request against them. Pure.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
A rule matches when the request's Origin matches one of its AllowedOrigins (at most one ``*``
each), its method (the preflight's Access-Control-Request-Method) is one of its AllowedMethods,
and — for a preflight — every header named in Access-Control-Request-Headers matches one of its
AllowedHeaders (case-insensitively, at most one ``*`` each). The first matching rule wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ironbucket.errors import InvalidArgument, InvalidRequest, MalformedXML

MAX_RULES = 100
MAX_CONFIG_BYTES = 64 * 1024
MAX_ID = 255
METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "HEAD"})
FORMAT = 1  # version of the stored JSON form
# What AWS sends with every successful CORS evaluation.
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"

# Everything we ever echo into a response header must be a plain visible-ASCII token: this is
# what keeps a stored rule from injecting headers (CR/LF) or splitting a list (",").
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ORIGIN_FORBIDDEN = re.compile(r"[^\x21-\x2b\x2d-\x7e]")  # not visible ASCII, or a comma


@dataclass(frozen=True, slots=True)
class Pattern:
    """An origin or header pattern with at most one ``*``: ``prefix*suffix`` or an exact value."""

    prefix: str
    suffix: str | None  # None: no wildcard, ``prefix`` must equal the value

    @classmethod
    def of(cls, text: str) -> Pattern:
        prefix, star, suffix = text.partition("*")
        return cls(prefix, suffix if star else None)

    def matches(self, value: str) -> bool:
        if self.suffix is None:
            return value == self.prefix
        return (len(value) >= len(self.prefix) + len(self.suffix)
                and value.startswith(self.prefix) and value.endswith(self.suffix))


@dataclass(frozen=True, slots=True)
class Rule:
    id: str | None
    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None

    @property
    def origin_patterns(self) -> tuple[Pattern, ...]:
        return tuple(Pattern.of(o) for o in self.allowed_origins)


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: Rule
    origins: tuple[Pattern, ...]
    headers: tuple[Pattern, ...]  # lower-cased
    methods: frozenset[str]
    allow_methods: str  # the header values, joined once
    expose: str


class CorsConfig:
    """A bucket's rules, with what matching needs computed once."""

    __slots__ = ("_compiled", "rules")

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        self._compiled = tuple(_Compiled(
            rule, rule.origin_patterns, tuple(Pattern.of(h.lower()) for h in rule.allowed_headers),
            frozenset(rule.allowed_methods), ", ".join(rule.allowed_methods),
            ", ".join(rule.expose_headers)) for rule in rules)

    def _first(self, origin: str, method: str,
               headers: Sequence[str] | None) -> tuple[_Compiled, bool] | None:
        for c in self._compiled:
            if method not in c.methods:
                continue
            wildcard = _origin_match(c.origins, origin)
            if wildcard is None:
                continue
            if headers and not all(any(p.matches(h) for p in c.headers) for h in headers):
                continue
            return c, wildcard
        return None

    def preflight(self, origin: str, method: str, request_headers: str) -> dict[str, str] | None:
        """Response headers for a preflight, or None when no rule allows it."""
        headers = parse_header_list(request_headers)
        found = self._first(origin, method, headers)
        if found is None:
            return None
        out = _headers(found[0], origin, found[1])
        if headers:
            out["access-control-allow-headers"] = ", ".join(headers)
        return out

    def actual(self, origin: str, method: str) -> dict[str, str] | None:
        """Headers for an actual (non-preflight) request; its headers are not evaluated, as on AWS."""
        found = self._first(origin, method, None)
        return None if found is None else _headers(found[0], origin, found[1])


def _origin_match(patterns: Iterable[Pattern], origin: str) -> bool | None:
    """None: no match; True: matched by the bare ``*`` (answered with ``*``); False otherwise."""
    for pattern in patterns:
        if pattern.matches(origin):
            return pattern.prefix == "" and pattern.suffix == ""
    return None


def _headers(c: _Compiled, origin: str, wildcard: bool) -> dict[str, str]:
    out = {"access-control-allow-origin": "*" if wildcard else origin,
           "access-control-allow-methods": c.allow_methods}
    if not wildcard:  # credentials cannot be combined with "*" (Fetch standard); AWS omits it then
        out["access-control-allow-credentials"] = "true"
    if c.expose:
        out["access-control-expose-headers"] = c.expose
    if c.rule.max_age is not None:
        out["access-control-max-age"] = str(c.rule.max_age)
    out["vary"] = VARY
    return out


def parse_header_list(value: str) -> list[str]:
    """Access-Control-Request-Headers: comma-separated names, compared lower-cased."""
    return [name for part in value.split(",") if (name := part.strip().lower())]


# --- validation ---------------------------------------------------------------------------------
def validate(rules: Sequence[Rule]) -> CorsConfig:
    """Refuse what AWS refuses, and anything that could not be echoed safely into a header."""
    if not rules:
        raise MalformedXML()
    if len(rules) > MAX_RULES:
        raise MalformedXML("The CORS configuration must not contain more than 100 rules")
    for rule in rules:
        _validate_rule(rule)
    return CorsConfig(tuple(rules))


def _validate_rule(rule: Rule) -> None:
    if not rule.allowed_methods or not rule.allowed_origins:
        raise MalformedXML()
    if rule.id is not None and (len(rule.id) > MAX_ID or _has_control(rule.id)):
        raise InvalidArgument("ID length should not exceed allowed limit of 255 and contain no "
                              "control characters", ArgumentName="ID", ArgumentValue=rule.id[:MAX_ID])
    for method in rule.allowed_methods:
        if method not in METHODS:
            raise InvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is "
                                 + _printable(method))
    for origin in rule.allowed_origins:
        if _ORIGIN_FORBIDDEN.search(origin):
            raise InvalidRequest(f'AllowedOrigin "{_printable(origin)}" contains an invalid character.')
        if origin.count("*") > 1:
            raise InvalidRequest(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
    for header in rule.allowed_headers:
        if not _TOKEN.fullmatch(header):
            raise InvalidRequest(f'AllowedHeader "{_printable(header)}" is not a valid header name.')
        if header.count("*") > 1:
            raise InvalidRequest(f'AllowedHeader "{header}" can not have more than one wildcard.')
    for header in rule.expose_headers:
        if "*" in header:
            raise InvalidRequest(f'ExposeHeader "{header}" contains wildcard. We currently do not '
                                 "support wildcard for ExposeHeader.")
        if not _TOKEN.fullmatch(header):
            raise InvalidRequest(f'ExposeHeader "{_printable(header)}" is not a valid header name.')
    if rule.max_age is not None and rule.max_age < 0:
        raise MalformedXML()


def _has_control(text: str) -> bool:
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


def _printable(text: str) -> str:
    """An offending value, quoted back without its control characters."""
    return "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)


# --- stored form --------------------------------------------------------------------------------
def dumps(config: CorsConfig) -> str:
    return json.dumps({"v": FORMAT, "rules": [
        {"ID": r.id, "AllowedOrigin": r.allowed_origins, "AllowedMethod": r.allowed_methods,
         "AllowedHeader": r.allowed_headers, "ExposeHeader": r.expose_headers,
         "MaxAgeSeconds": r.max_age} for r in config.rules]})


def _load(text: str) -> CorsConfig:
    data = json.loads(text)
    if data.get("v") != FORMAT:
        raise ValueError(f"unknown CORS configuration format {data.get('v')!r}")
    return CorsConfig(tuple(Rule(
        id=r["ID"], allowed_origins=tuple(r["AllowedOrigin"]), allowed_methods=tuple(r["AllowedMethod"]),
        allowed_headers=tuple(r["AllowedHeader"]), expose_headers=tuple(r["ExposeHeader"]),
        max_age=r["MaxAgeSeconds"]) for r in data["rules"]))


# Parsed once per distinct stored text: the metadata store caches the text per worker and
# invalidates it across workers, so keying on the text keeps this consistent for free.
_PARSED: dict[str, CorsConfig] = {}
_MAX_PARSED = 4096


def loads(text: str) -> CorsConfig:
    config = _PARSED.get(text)
    if config is None:
        config = _load(text)
        if len(_PARSED) >= _MAX_PARSED:
            _PARSED.clear()
        _PARSED[text] = config
    return config
