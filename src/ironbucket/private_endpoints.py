"""Private endpoints, modelled on AWS VPC endpoints: the ``[[private_endpoints]]`` tables of the
TOML configuration, validated strictly at startup.

A request arrives *through* an endpoint when it comes in on the endpoint's own listener
(``listen``) or, on the normal listeners, from a peer address in its ``source_cidrs``. Such a
request carries ``aws:SourceVpce`` / ``aws:SourceVpc`` / ``aws:VpcSourceIp`` instead of
``aws:SourceIp``, and the endpoint's policy (if any) must allow it too.
https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the supervisor parses the settings: the policy engine only for a policy file
    from ironbucket.policy import Policy

_ID = re.compile(r"vpce-[0-9a-f]{8,17}")
_VPC = re.compile(r"vpc-[0-9a-f]{8,17}")
_KEYS = frozenset({"id", "vpc", "listen", "source_cidrs", "policy_file"})
MAX_POLICY_BYTES = 20 * 1024  # AWS's limit for endpoint policies

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class PrivateEndpoint:
    id: str  # vpce-...
    vpc: str  # vpc-...
    listen: str | None = None  # HOST:PORT of the endpoint's own listener
    source_cidrs: tuple[str, ...] = ()
    policy_file: Path | None = None
    # Compiled once at startup; None: no endpoint policy (AWS's default allows everything).
    policy: Policy | None = field(default=None, compare=False, repr=False)

    @property
    def policy_label(self) -> str:
        return f"endpoint policy of {self.id}"


def parse_endpoints(raw: object, where: str, base: Path = Path()) -> tuple[PrivateEndpoint, ...]:
    """The ``[[private_endpoints]]`` array of tables; ValueError names what is wrong. A relative
    policy_file is relative to ``base`` (the configuration file's directory)."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ValueError(f"{where}: private_endpoints must be an array of tables ([[private_endpoints]])")
    endpoints = tuple(_one(table, f"{where}: private_endpoints[{n}]", base) for n, table in enumerate(raw))
    _no_clashes(endpoints, where)
    return endpoints


def _one(table: Mapping[str, Any], where: str, base: Path) -> PrivateEndpoint:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    endpoint_id = _text(table, "id", where)
    if endpoint_id is None or not _ID.fullmatch(endpoint_id):
        raise ValueError(f"{where}: id must look like vpce-0a1b2c3d (8-17 hex digits), got {endpoint_id!r}")
    where = f"{where} ({endpoint_id})"
    vpc = _text(table, "vpc", where)
    if vpc is None or not _VPC.fullmatch(vpc):
        raise ValueError(f"{where}: vpc must look like vpc-0a1b2c3d (8-17 hex digits), got {vpc!r}")
    listen = _text(table, "listen", where)
    if listen is not None:
        _host_port(listen, where)
    cidrs = _cidrs(table.get("source_cidrs", []), where)
    if listen is None and not cidrs:
        raise ValueError(f"{where}: needs listen (HOST:PORT) and/or source_cidrs")
    policy_file = _text(table, "policy_file", where)
    path = base / policy_file if policy_file is not None else None
    return PrivateEndpoint(endpoint_id, vpc, listen, cidrs, path,
                           _load_policy(path, where) if path is not None else None)


def _text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{where}: {key} must be a string")
    return value


def _host_port(address: str, where: str) -> None:
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{where}: listen must be HOST:PORT, got {address!r}")


def _cidrs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValueError(f"{where}: source_cidrs must be a list of CIDR strings")
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as exc:
            raise ValueError(f"{where}: source_cidrs: {exc}") from exc
    return tuple(value)


def _load_policy(path: Path, where: str) -> Policy:
    from ironbucket.policy import PolicyError, PolicyKind, parse_policy

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{where}: cannot read policy_file {str(path)!r}: {exc}") from exc
    try:
        return parse_policy(text, PolicyKind.ENDPOINT, max_size=MAX_POLICY_BYTES)
    except PolicyError as exc:
        raise ValueError(f"{where}: policy_file {str(path)!r} is not a valid endpoint policy: {exc}") from exc


def _no_clashes(endpoints: Sequence[PrivateEndpoint], where: str) -> None:
    ids = [e.id for e in endpoints]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate is not None:
        raise ValueError(f"{where}: private endpoint {duplicate} is declared twice")
    listens = [e.listen for e in endpoints if e.listen is not None]
    twice = next((a for a in listens if listens.count(a) > 1), None)
    if twice is not None:
        raise ValueError(f"{where}: two private endpoints listen on {twice}")


def through_listener(endpoints: Sequence[PrivateEndpoint], endpoint_id: str) -> PrivateEndpoint | None:
    return next((e for e in endpoints if e.id == endpoint_id), None)


def by_source(endpoints: Sequence[PrivateEndpoint], address: str) -> PrivateEndpoint | None:
    """The first endpoint whose source_cidrs hold the peer address (declaration order)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return next((e for e in endpoints if any(ip in net for net in _networks(e.source_cidrs))), None)


@lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c, strict=False) for c in cidrs)
