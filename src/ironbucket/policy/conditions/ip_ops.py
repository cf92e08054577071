"""IpAddress / NotIpAddress: IPv4 and IPv6 CIDRs, or bare addresses (= /32 or /128)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from ironbucket.policy.conditions.base import Keys, Operator, invalid_value

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _address(text: str) -> tuple[int, int] | None:
    """(IP version, integer value) of a request address, or None when it is not one."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return address.version, int(address)


class IpAddress(Operator):
    __slots__ = ("networks",)

    def __init__(self, operator: str, key: str, values: list[str], variables: bool) -> None:
        networks: list[tuple[int, int, int]] = []
        for value in values:
            network = parse_network(value)
            if network is None:
                raise invalid_value(operator, key, value)
            networks.append((network.version, int(network.netmask), int(network.network_address)))
        self.networks = tuple(networks)

    def match(self, value: str, keys: Keys) -> bool:
        address = _address(value)
        if address is None:
            return False
        version, number = address
        return any(v == version and number & mask == net for v, mask, net in self.networks)


REGISTRY: dict[str, tuple[type[Operator], bool]] = {
    "IpAddress": (IpAddress, False),
    "NotIpAddress": (IpAddress, True),
}
