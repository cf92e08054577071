"""TLS contexts from the settings: clear errors for unusable files, the minimum version, and the
connection facts (negotiated version) carried to policies."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from ironbucket.server import tls_auto
from ironbucket.server.tls_setup import TlsSetupError, server_context, wire_version


@pytest.fixture
def made(tmp_path: Path) -> tls_auto.AutoTls:
    return tls_auto.ensure(tmp_path, tls_auto.server_names([]))


@pytest.mark.parametrize(("version", "minimum"), [("1.2", ssl.TLSVersion.TLSv1_2),
                                                  ("1.3", ssl.TLSVersion.TLSv1_3)])
def test_minimum_version(made: tls_auto.AutoTls, version: str, minimum: ssl.TLSVersion) -> None:
    assert server_context(made.cert, made.key, version).minimum_version == minimum


def test_missing_files_are_named(made: tls_auto.AutoTls, tmp_path: Path) -> None:
    with pytest.raises(TlsSetupError, match=r"certificate \(--tls-cert\) .*nope.pem does not exist"):
        server_context(tmp_path / "nope.pem", made.key, "1.2")
    with pytest.raises(TlsSetupError, match=r"key \(--tls-key\) .*nope.key does not exist"):
        server_context(made.cert, tmp_path / "nope.key", "1.2")


def test_mismatched_or_garbage_files(made: tls_auto.AutoTls, tmp_path: Path) -> None:
    with pytest.raises(TlsSetupError, match="do not match"):
        server_context(made.cert, tmp_path / "tls" / "ca.key", "1.2")  # the CA's key, not the cert's
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(TlsSetupError, match="do not match or are not PEM"):
        server_context(garbage, made.key, "1.2")


@pytest.mark.parametrize(("name", "wire"), [("TLSv1.3", 0x0304), ("TLSv1.2", 0x0303), ("TLSv1.1", 0x0302),
                                            (None, None), ("SSLv3", None)])
def test_wire_version(name: str | None, wire: int | None) -> None:
    assert wire_version(name) == wire
