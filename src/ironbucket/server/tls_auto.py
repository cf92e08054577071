"""``--tls auto``: a local certificate authority and a server certificate it signs, made on the
first start under ``<data-dir>/tls/`` and reused afterwards.

Clients trust the CA file (``aws --ca-bundle``, ``AWS_CA_BUNDLE``, boto3 ``verify=``), so the
server certificate can be replaced — when the names it must cover change or it nears expiry —
without anyone re-trusting anything. Keys are EC P-256 (cheap handshakes) and written 0600.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ironbucket.server.tls_setup import is_wildcard

TLS_DIR = "tls"
CA_CERT, CA_KEY = "ca.pem", "ca.key"
SERVER_CERT, SERVER_KEY = "server.pem", "server.key"
CA_LIFETIME = dt.timedelta(days=3650)
# Under the 398 days that Apple and browsers accept for a server certificate.
SERVER_LIFETIME = dt.timedelta(days=397)
RENEW_BEFORE = dt.timedelta(days=30)
_BACKDATE = dt.timedelta(minutes=5)  # tolerate a client clock slightly behind ours

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class Names:
    """What the server certificate must cover (subjectAltName)."""

    dns: frozenset[str]
    ips: frozenset[IPAddress]


@dataclass(frozen=True, slots=True)
class AutoTls:
    ca_cert: Path
    cert: Path
    key: Path
    new_ca: bool  # made on this start: clients must be told to trust it
    new_cert: bool


def server_names(domains: Iterable[str], listen_host: str | None = None) -> Names:
    """localhost, loopback, each domain and ``*.domain`` (virtual-host buckets), and the listen
    address itself when it is a concrete one."""
    dns = {"localhost"}
    ips: set[IPAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    for domain in domains:
        _add_host(domain, dns, ips)
        if not _is_ip(domain):
            dns.add(f"*.{domain}")
    if listen_host and not is_wildcard(listen_host):
        _add_host(listen_host, dns, ips)
    return Names(frozenset(dns), frozenset(ips))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _add_host(host: str, dns: set[str], ips: set[IPAddress]) -> None:
    host = host.strip("[]").lower()
    if _is_ip(host):
        ips.add(ipaddress.ip_address(host))
    elif host:
        dns.add(host)


def ensure(data_dir: Path, names: Names, now: dt.datetime | None = None) -> AutoTls:
    """Load the CA and server certificate, making or renewing what is missing or unfit."""
    now = now or dt.datetime.now(dt.UTC)
    directory = data_dir / TLS_DIR
    directory.mkdir(mode=0o700, exist_ok=True)
    ca = _load_ca(directory, now)
    new_ca = ca is None
    if ca is None:
        ca = _make_ca(directory, now)
    ca_cert, ca_key = ca
    cert_path, key_path = directory / SERVER_CERT, directory / SERVER_KEY
    fit = _server_cert_fits(cert_path, key_path, ca_cert, names, now)
    if not fit:
        _issue(cert_path, key_path, ca_cert, ca_key, names, now)
    return AutoTls(directory / CA_CERT, cert_path, key_path, new_ca=new_ca, new_cert=not fit)


def _load_ca(directory: Path, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate((directory / CA_CERT).read_bytes())
        key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return None
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return None
    return cert, key


def _make_ca(directory: Path, now: dt.datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "IronBucket"),
                      x509.NameAttribute(NameOID.COMMON_NAME,
                                         f"IronBucket local CA {now:%Y-%m-%d %H:%M:%S}")])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE).not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(directory / CA_KEY, _key_pem(key), 0o600)
    _write(directory / CA_CERT, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return cert, key


def _server_cert_fits(cert_path: Path, key_path: Path, ca: x509.Certificate, names: Names,
                      now: dt.datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert.verify_directly_issued_by(ca)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, TypeError, x509.ExtensionNotFound, InvalidSignature):
        return False  # unreadable, foreign or tampered: issue a fresh one
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return False
    have = Names(frozenset(san.get_values_for_type(x509.DNSName)),
                 frozenset(ip for ip in san.get_values_for_type(x509.IPAddress)
                           if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address)))
    return have == names and cert.not_valid_after_utc - now >= RENEW_BEFORE


def _issue(cert_path: Path, key_path: Path, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey,
           names: Names, now: dt.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    alt: list[x509.GeneralName] = [x509.DNSName(d) for d in sorted(names.dns)]
    alt += [x509.IPAddress(ip) for ip in sorted(names.ips, key=str)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IronBucket server")]))
        .issuer_name(ca.subject).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE).not_valid_after(now + SERVER_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    # The key first: a certificate on disk without its key would look reusable next start.
    _write(key_path, _key_pem(key), 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                         crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write whole or not at all (temp file, fsync, rename), created with ``mode`` from the start
    so a key is never readable by others, not even for a moment."""
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    os.fchmod(fd, mode)  # an older temp file may have had other bits
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
