"""``--tls auto``: the local CA and the server certificate, made once, reused, renewed when the
names or the expiry say so — checked by real TLS handshakes in memory."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509

from ironbucket.server import tls_auto
from ironbucket.server.tls_setup import server_context

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
NAMES = tls_auto.server_names(["s3.example.test"])


@pytest.mark.parametrize(("domains", "listen", "dns", "ips"), [
    ([], None, {"localhost"}, {"127.0.0.1", "::1"}),
    (["s3.example.test"], None, {"localhost", "s3.example.test", "*.s3.example.test"}, {"127.0.0.1", "::1"}),
    (["localhost"], "0.0.0.0", {"localhost", "*.localhost"}, {"127.0.0.1", "::1"}),
    ([], "::", {"localhost"}, {"127.0.0.1", "::1"}),
    ([], "192.0.2.7", {"localhost"}, {"127.0.0.1", "::1", "192.0.2.7"}),
    ([], "files.lan", {"localhost", "files.lan"}, {"127.0.0.1", "::1"}),
    (["10.1.2.3"], None, {"localhost"}, {"127.0.0.1", "::1", "10.1.2.3"}),  # no *.IP name
])
def test_server_names(domains: list[str], listen: str | None, dns: set[str], ips: set[str]) -> None:
    names = tls_auto.server_names(domains, listen)
    assert names.dns == dns
    assert names.ips == {ipaddress.ip_address(ip) for ip in ips}


def handshake(made: tls_auto.AutoTls, host: str) -> str | None:
    """A full TLS handshake in memory: the client trusts only the CA file and checks ``host``."""
    server_ctx = server_context(made.cert, made.key, "1.2")
    client_ctx = ssl.create_default_context(cafile=str(made.ca_cert))
    client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT  # the checks newer Pythons make by default
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(to_client, to_server, server_hostname=host)
    server = server_ctx.wrap_bio(to_server, to_client, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client), ("server", server)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        if all(done.values()):
            return client.version()
    raise AssertionError("handshake did not finish")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "s3.example.test",
                                  "my-bucket.s3.example.test"])
def test_certificate_is_trusted_for_every_name(tmp_path: Path, host: str) -> None:
    made = tls_auto.ensure(tmp_path, NAMES)
    assert handshake(made, host) in ("TLSv1.2", "TLSv1.3")


@pytest.mark.parametrize("host", ["example.com", "a.b.s3.example.test", "10.0.0.1"])
def test_other_names_are_refused(tmp_path: Path, host: str) -> None:
    made = tls_auto.ensure(tmp_path, NAMES)
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(made, host)


def test_files_and_modes(tmp_path: Path) -> None:
    made = tls_auto.ensure(tmp_path, NAMES, NOW)
    assert (made.new_ca, made.new_cert) == (True, True)
    directory = tmp_path / "tls"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for name, mode in (("ca.key", 0o600), ("server.key", 0o600), ("ca.pem", 0o644), ("server.pem", 0o644)):
        assert stat.S_IMODE((directory / name).stat().st_mode) == mode, name
    assert not list(directory.glob("*.tmp"))
    cert = x509.load_pem_x509_certificate(made.cert.read_bytes())
    assert cert.not_valid_after_utc - NOW <= dt.timedelta(days=398)


def test_reused_on_later_starts(tmp_path: Path) -> None:
    first = tls_auto.ensure(tmp_path, NAMES, NOW)
    before = {p.name: p.read_bytes() for p in (tmp_path / "tls").iterdir()}
    again = tls_auto.ensure(tmp_path, NAMES, NOW + dt.timedelta(days=100))
    assert (again.new_ca, again.new_cert) == (False, False)
    assert {p.name: p.read_bytes() for p in (tmp_path / "tls").iterdir()} == before
    assert again == tls_auto.AutoTls(first.ca_cert, first.cert, first.key, False, False)


@pytest.mark.parametrize("later", [
    {"names": tls_auto.server_names(["other.example.test"])},  # the SAN set changed
    {"now": NOW + dt.timedelta(days=380)},  # expires in under 30 days
])
def test_server_certificate_renewed_under_the_same_ca(tmp_path: Path, later: dict[str, object]) -> None:
    tls_auto.ensure(tmp_path, NAMES, NOW)
    ca_before = (tmp_path / "tls" / "ca.pem").read_bytes()
    cert_before = (tmp_path / "tls" / "server.pem").read_bytes()
    names = later.get("names", NAMES)
    now = later.get("now", NOW)
    assert isinstance(names, tls_auto.Names) and isinstance(now, dt.datetime)
    again = tls_auto.ensure(tmp_path, names, now)
    assert (again.new_ca, again.new_cert) == (False, True)
    assert (tmp_path / "tls" / "ca.pem").read_bytes() == ca_before
    assert (tmp_path / "tls" / "server.pem").read_bytes() != cert_before


@pytest.mark.parametrize("damage", ["server.pem", "server.key", "foreign"])
def test_damaged_or_foreign_server_certificate_is_replaced(tmp_path: Path, damage: str) -> None:
    tls_auto.ensure(tmp_path, NAMES)
    directory = tmp_path / "tls"
    if damage == "foreign":  # a certificate from another CA, with its own key
        (tmp_path / "other").mkdir()
        other = tls_auto.ensure(tmp_path / "other", NAMES)
        other.cert.replace(directory / "server.pem")
        other.key.replace(directory / "server.key")
    else:
        (directory / damage).write_bytes(b"garbage")
    made = tls_auto.ensure(tmp_path, NAMES)
    assert (made.new_ca, made.new_cert) == (False, True)
    assert handshake(made, "localhost")


def test_lost_ca_key_makes_a_new_ca_and_certificate(tmp_path: Path) -> None:
    tls_auto.ensure(tmp_path, NAMES)
    (tmp_path / "tls" / "ca.key").unlink()
    made = tls_auto.ensure(tmp_path, NAMES)
    assert (made.new_ca, made.new_cert) == (True, True)
    assert handshake(made, "localhost")
