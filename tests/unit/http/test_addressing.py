"""Host + path -> bucket and key (pure; table-driven)."""

from __future__ import annotations

import pytest

from ironbucket.errors import InvalidURI
from ironbucket.http.addressing import Address, resolve

DOMAINS = ("s3.example.com", "localhost")

CASES: list[tuple[str, str, tuple[str, ...], Address]] = [
    # (raw path, Host, domains, address)
    ("/", "127.0.0.1:9000", DOMAINS, Address(None, None)),
    ("/b", "127.0.0.1:9000", DOMAINS, Address("b", None)),
    ("/b/", "127.0.0.1:9000", DOMAINS, Address("b", None)),
    ("/b/k", "127.0.0.1:9000", DOMAINS, Address("b", "k")),
    ("/b/a//c/", "127.0.0.1", DOMAINS, Address("b", "a//c/")),
    ("/b/../x", "127.0.0.1", DOMAINS, Address("b", "../x")),
    ("/b/%2e%2e/x", "127.0.0.1", DOMAINS, Address("b", "../x")),
    ("/b/%252e", "127.0.0.1", DOMAINS, Address("b", "%2e")),  # decoded once only
    ("/b/caf%C3%A9", "127.0.0.1", DOMAINS, Address("b", "café")),
    ("/b/k", "b2.s3.example.com", DOMAINS, Address("b2", "b/k", virtual_host=True)),
    ("/k", "B2.S3.Example.COM:9000", DOMAINS, Address("b2", "k", virtual_host=True)),
    ("/", "b2.localhost:9000", DOMAINS, Address("b2", None, virtual_host=True)),
    ("/b/k", "s3.example.com", DOMAINS, Address("b", "k")),  # the domain itself: path style
    ("/b/k", ".s3.example.com", DOMAINS, Address("b", "k")),
    ("/b/k", "b2.s3.example.com", (), Address("b", "k")),  # no domains: always path style
    ("/b/k", "b2.other.com", DOMAINS, Address("b", "k")),
    ("/b/k", "[::1]:9000", DOMAINS, Address("b", "k")),
    ("/k", "my.bucket.s3.example.com", DOMAINS, Address("my.bucket", "k", virtual_host=True)),
]


@pytest.mark.parametrize(("raw_path", "host", "domains", "expected"), CASES)
def test_resolve(raw_path: str, host: str, domains: tuple[str, ...], expected: Address) -> None:
    for _ in range(2):  # the host's part is remembered: the same answer again
        assert resolve(raw_path, host, domains) == expected


@pytest.mark.parametrize("raw_path", ["b/k", "", "/b/%C3", "/b/%FF%FE"])
def test_refused(raw_path: str) -> None:
    with pytest.raises(InvalidURI):
        resolve(raw_path, "127.0.0.1", DOMAINS)
