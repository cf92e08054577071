"""Server settings: one frozen object, read from (highest first) the command line,
``IRONBUCKET_<NAME>`` environment variables, an optional TOML file, and defaults.

Every option is declared once in ``OPTIONS``; the CLI, the environment and the TOML file are all
driven from that table, so an option can never exist in one source and not the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ironbucket.private_endpoints import PrivateEndpoint, parse_endpoints

ENV_PREFIX = "IRONBUCKET_"
# Settings that are tables in the TOML file, with no flag or environment variable.
TOML_ONLY = frozenset({"private_endpoints"})


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("./ironbucket-data")
    address: str = "127.0.0.1:9000"
    workers: int = 1
    region: str = "us-east-1"
    domains: tuple[str, ...] = ("localhost",)
    # Addresses (CIDRs) of reverse proxies whose X-Forwarded-For / -Proto are believed.
    trusted_proxies: tuple[str, ...] = ()
    # Objects up to this size live inside their metadata row and share group commits.
    inline_threshold: int = 128 * 1024
    # Shortest DurationSeconds STS accepts (AWS: 900); lower only for tests and labs.
    min_session_duration: int = 900
    # Seconds a request body may stall before the answer is RequestTimeout.
    body_idle_timeout: float = 20.0
    log_level: str = "info"
    # Built-in HTTPS (see server/tls_*.py): a second listener, with "auto" or user-given certs.
    tls_address: str | None = None
    tls: str = "off"  # "auto": a local CA and server certificate under <data-dir>/tls/
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_min_version: str = "1.2"
    # AWS refuses SSE-C (customer keys in headers) over plain HTTP; lift that only in labs.
    allow_ssec_over_http: bool = False
    # TEST ONLY: seconds added to the KMS clock of key deletion and rotation windows.
    kms_test_clock_offset: float = 0.0
    # Only used on the very first start, to create the root user of the default account.
    root_access_key: str | None = None
    root_secret_key: str | None = dataclasses.field(default=None, repr=False)
    # The master key from a passphrase in this file (see crypto/master_source.py).
    master_passphrase_file: Path | None = None
    # TOML-only ``[[private_endpoints]]`` (see private_endpoints.py).
    private_endpoints: tuple[PrivateEndpoint, ...] = ()

    def __post_init__(self) -> None:
        _check_listeners(self)

    @property
    def http_enabled(self) -> bool:
        return self.address.lower() != "none"

    @property
    def host(self) -> str:
        return split_address(self.address)[0]

    @property
    def port(self) -> int:
        return split_address(self.address)[1]


def split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"address must be HOST:PORT, got {address!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _check_listeners(s: Settings) -> None:
    """Option combinations that cannot work are refused at startup, naming the options."""
    if not s.http_enabled and s.tls_address is None:
        raise ValueError("--address none needs --tls-address: there would be no listener at all")
    has_files = s.tls_cert is not None or s.tls_key is not None
    if s.tls == "auto" and has_files:
        raise ValueError("--tls auto and --tls-cert/--tls-key exclude each other")
    if has_files and (s.tls_cert is None or s.tls_key is None):
        raise ValueError("--tls-cert and --tls-key go together")
    if s.tls_address is not None and s.tls != "auto" and not has_files:
        raise ValueError("--tls-address needs --tls auto or --tls-cert and --tls-key")
    if s.tls_address is None and (s.tls == "auto" or has_files):
        raise ValueError("--tls / --tls-cert / --tls-key need --tls-address HOST:PORT")


def _address(text: str) -> str:
    if text.lower() != "none":
        split_address(text)
    return text


def _tls_address(text: str) -> str:
    split_address(text)
    return text


def _choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, got {value!r}")
        return text
    return parse


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


def _clock_offset(text: Any) -> float:
    # Forward only: a negative offset would keep keys alive past the deletion their owner asked for.
    value = float(text)
    if not 0 <= value < 100 * 365 * 86400:
        raise ValueError(f"must be between 0 and 100 years in seconds, got {value}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"must be at least 1, got {value}")
    return value


def _items(value: object) -> list[str]:
    """A comma-separated string or a list of them (repeated flags, TOML arrays) → items."""
    raw = [value] if isinstance(value, str) else value
    if not isinstance(raw, Sequence):
        raise ValueError("must be a string or a list of strings")
    return [item.strip() for part in raw for item in str(part).split(",") if item.strip()]


def _domains(value: object) -> tuple[str, ...]:
    return tuple(d.lower().strip(".") for d in _items(value))


def _cidrs(value: object) -> tuple[str, ...]:
    import ipaddress

    cidrs = _items(value)
    for cidr in cidrs:
        ipaddress.ip_network(cidr, strict=False)  # ValueError names the bad one
    return tuple(cidrs)


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # Settings field
    flag: str  # command-line flag; env var and TOML key derive from it
    help: str
    parse: Callable[[Any], Any] = str
    repeatable: bool = False
    secret: bool = False
    switch: bool = False  # a flag without a value on the command line (env/TOML: true/false)

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.flag.lstrip("-").replace("-", "_").upper()

    @property
    def toml_key(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")


OPTIONS: tuple[Option, ...] = (
    Option("data_dir", "--data-dir", "directory holding metadata and object data", Path),
    Option("address", "--address", "HOST:PORT to listen on for HTTP, or none", _address),
    Option("workers", "--workers", "number of server processes sharing the port", _positive_int),
    Option("region", "--region", "the region this server claims to be"),
    Option("domains", "--domain", "domain for virtual-host addressing (bucket.DOMAIN); repeatable",
           _domains, repeatable=True),
    Option("trusted_proxies", "--trusted-proxy",
           "CIDR of a reverse proxy whose X-Forwarded-For/-Proto are believed; repeatable",
           _cidrs, repeatable=True),
    Option("inline_threshold", "--inline-threshold", "objects up to this many bytes are stored inline",
           int),
    Option("min_session_duration", "--min-session-duration",
           "shortest STS session in seconds (AWS: 900; lower only for tests)", _positive_int),
    Option("body_idle_timeout", "--body-idle-timeout",
           "seconds a request body may stall before RequestTimeout", float),
    Option("log_level", "--log-level", "debug, info, warning or error"),
    Option("tls_address", "--tls-address", "HOST:PORT of an HTTPS listener", _tls_address),
    Option("tls", "--tls", "auto: make a local CA and server certificate in DATA_DIR/tls",
           _choice("auto", "off")),
    Option("tls_cert", "--tls-cert", "PEM certificate (chain) for HTTPS", Path),
    Option("tls_key", "--tls-key", "PEM private key of --tls-cert", Path),
    Option("tls_min_version", "--tls-min-version", "lowest TLS version accepted: 1.2 or 1.3",
           _choice("1.2", "1.3")),
    Option("allow_ssec_over_http", "--allow-ssec-over-http",
           "accept SSE-C headers over plain HTTP (AWS refuses them; for local tests only)", _bool,
           switch=True),
    Option("kms_test_clock_offset", "--kms-test-clock-offset",
           "TEST ONLY: seconds added to the KMS clock of key deletion/rotation windows", _clock_offset),
    Option("root_access_key", "--root-access-key", "first start only: access key of the root user"),
    Option("root_secret_key", "--root-secret-key", "first start only: secret key of the root user",
           secret=True),
    Option("master_passphrase_file", "--master-passphrase-file",
           "derive the master key from the passphrase in this file", Path),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="TOML file with any of these options "
                        f"(env {ENV_PREFIX}CONFIG)")
    for opt in OPTIONS:
        if opt.switch:
            parser.add_argument(opt.flag, dest=opt.name, default=None, action="store_const",
                                const=True, help=f"{opt.help} (env {opt.env})")
            continue
        parser.add_argument(
            opt.flag, dest=opt.name, default=None, action="append" if opt.repeatable else "store",
            help=f"{opt.help} (env {opt.env})",
        )


def load(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Merge defaults < TOML file < environment < command line into frozen Settings."""
    cli = dict(cli or {})
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    config_path = cli.get("config") or env.get(ENV_PREFIX + "CONFIG")
    if config_path:
        values.update(_from_toml(Path(config_path)))
    for opt in OPTIONS:
        if opt.env in env:
            values[opt.name] = _parse(opt, env[opt.env], "environment variable " + opt.env)
        raw = cli.get(opt.name)
        if raw is not None:
            values[opt.name] = _parse(opt, raw, "option " + opt.flag)
    return Settings(**values)


def _from_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only with a config file (the supervisor stays small)

    with path.open("rb") as f:
        doc = tomllib.load(f)
    by_key = {opt.toml_key: opt for opt in OPTIONS}
    by_key["domains"] = by_key["domain"]
    by_key["trusted_proxies"] = by_key["trusted_proxy"]
    values: dict[str, Any] = {}
    for key, raw in doc.items():
        if key == "private_endpoints":
            values["private_endpoints"] = parse_endpoints(raw, str(path), path.parent)
            continue
        if isinstance(raw, dict | list) and key not in ("domain", "domains", "trusted_proxy",
                                                         "trusted_proxies"):
            continue  # tables belong to later features
        opt = by_key.get(key)
        if opt is None:
            raise ValueError(f"{path}: unknown option {key!r}")
        values[opt.name] = _parse(opt, raw, f"{path}: {key}")
    return values


def _parse(opt: Option, raw: Any, where: str) -> Any:
    try:
        return opt.parse(raw)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
