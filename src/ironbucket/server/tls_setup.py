"""The HTTPS listener's certificate and ``ssl.SSLContext``, from the settings.

The supervisor calls ``prepare`` once at startup (making the ``--tls auto`` files, and building a
context so a missing or mismatched ``--tls-cert``/``--tls-key`` stops the start with a clear
message); each worker then builds its own context from the same files after it forks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ironbucket.config import Settings, split_address

if TYPE_CHECKING:  # the supervisor imports this module: ssl and asyncio only where TLS is served
    import asyncio
    import ssl

# ssl's names for the negotiated version → the ASGI TLS extension's integer (the wire value).
_WIRE_VERSIONS = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


class TlsSetupError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class TlsSetup:
    cert: Path
    key: Path
    min_version: str
    ca_cert: Path | None = None  # --tls auto: the CA clients must trust
    new_ca: bool = False

    def context(self) -> ssl.SSLContext:
        return server_context(self.cert, self.key, self.min_version)


def prepare(settings: Settings) -> TlsSetup | None:
    if settings.tls_address is None:
        return None
    if settings.tls == "auto":
        from ironbucket.server import tls_auto  # cryptography only when it is needed

        host = split_address(settings.tls_address)[0]
        made = tls_auto.ensure(settings.data_dir, tls_auto.server_names(settings.domains, host))
        setup = TlsSetup(made.cert, made.key, settings.tls_min_version, made.ca_cert, made.new_ca)
    else:
        assert settings.tls_cert is not None and settings.tls_key is not None  # config checked
        setup = TlsSetup(settings.tls_cert, settings.tls_key, settings.tls_min_version)
    setup.context()  # fail now, in the foreground, rather than in every worker
    return setup


def server_context(cert: Path, key: Path, min_version: str) -> ssl.SSLContext:
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}[min_version]
    for label, path in (("certificate (--tls-cert)", cert), ("key (--tls-key)", key)):
        if not path.is_file():
            raise TlsSetupError(f"TLS {label} {path} does not exist or is not a file")
    try:
        ctx.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        raise TlsSetupError(f"cannot use TLS certificate {cert} with key {key}: they do not match "
                            f"or are not PEM ({exc.reason or exc})") from exc
    except OSError as exc:
        raise TlsSetupError(f"cannot read TLS certificate {cert} or key {key}: {exc}") from exc
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def tls_extension(transport: asyncio.BaseTransport) -> dict[str, Any]:
    """The ASGI TLS extension of a connection: what policies see as s3:TlsVersion."""
    ssl_object = transport.get_extra_info("ssl_object")
    version = ssl_object.version() if ssl_object is not None else None
    return {"server_cert": None, "client_cert_chain": [], "client_cert_name": None,
            "client_cert_error": None, "tls_version": wire_version(version), "cipher_suite": None}


def wire_version(ssl_version: str | None) -> int | None:
    """``"TLSv1.3"`` → ``0x0304``, as the ASGI TLS extension reports ``tls_version``."""
    return _WIRE_VERSIONS.get(ssl_version or "")


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def tls_trust_lines(https: str, ca_cert: Path, new_ca: bool) -> list[str]:
    """How to make clients trust the ``--tls auto`` CA (printed in the startup banner)."""
    ca = ca_cert.resolve()
    return [
        f"  HTTPS certificates are signed by a local CA{' made on this start' if new_ca else ''}:",
        f"    {ca}",
        "  Trust it per command, per shell, or in boto3:",
        f"    aws --endpoint-url {https} --ca-bundle {ca} s3 ls",
        f"    export AWS_CA_BUNDLE={ca}",
        f"    boto3.client('s3', endpoint_url='{https}', verify='{ca}')",
        "",
    ]


def is_wildcard(host: str) -> bool:
    """0.0.0.0 / :: (every interface): an address to listen on, not one to connect to."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False
