"""Host + path → which bucket and key a request addresses (pure).

Path style: ``/<bucket>/<key>``. Virtual-host style: ``<bucket>.<domain>/<key>`` for any of the
configured domains. The key is everything after the bucket, percent-decoded exactly once and
kept verbatim: ``a//b``, ``../x`` and ``%2e%2e/`` are keys like any other.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote

from ironbucket.errors import InvalidURI
from ironbucket.values import value_class


@value_class  # frozen to mypy; see ironbucket/values.py
class Address:
    bucket: str | None
    key: str | None
    virtual_host: bool = False


def host_without_port(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


@lru_cache(maxsize=256)  # pure, and clients send the same Host on every request
def bucket_from_host(host: str, domains: tuple[str, ...]) -> str | None:
    name = host_without_port(host)
    for domain in domains:
        if name.endswith("." + domain) and len(name) > len(domain) + 1:
            return name[: -len(domain) - 1]
    return None


def decode_path(raw_path: str) -> str:
    """Percent-decode once, strictly: keys are UTF-8 (invalid sequences → InvalidURI)."""
    if "%" not in raw_path:
        return raw_path
    try:
        return unquote(raw_path, errors="strict")
    except UnicodeDecodeError as exc:
        raise InvalidURI() from exc


def resolve(raw_path: str, host: str, domains: tuple[str, ...]) -> Address:
    path = decode_path(raw_path)
    if not path.startswith("/"):
        raise InvalidURI()
    vhost_bucket = bucket_from_host(host, domains) if domains else None
    if vhost_bucket is not None:
        key = path[1:]
        return Address(bucket=vhost_bucket, key=key or None, virtual_host=True)
    rest = path[1:]
    if not rest:
        return Address(bucket=None, key=None)
    bucket, sep, key = rest.partition("/")
    return Address(bucket=bucket, key=key if sep and key else None)
