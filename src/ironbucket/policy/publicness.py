"""is_public(): S3's definition of a public bucket / access point policy.

From "The meaning of 'public'" (Amazon S3 User Guide, Blocking public access): a policy is
public unless every statement that allows anyone grants access only to *fixed* values
(no wildcard, no policy variable) of at least one of: an AWS principal, user, role or service
principal (``aws:PrincipalArn``, ``aws:PrincipalAccount``, ``aws:PrincipalOrgID``,
``aws:PrincipalServiceName``, ``aws:userid``), a set of CIDRs via ``aws:SourceIp`` (none broader
than /8 for IPv4 or /32 for IPv6, RFC 1918 private ranges excepted), ``aws:SourceArn``,
``aws:SourceVpc``, ``aws:SourceVpce``, ``aws:SourceOwner``, ``aws:SourceAccount``,
``s3:x-amz-server-side-encryption-aws-kms-key-id``, ``s3:DataAccessPointArn`` (which may
wildcard the access point name when the account is fixed) and ``s3:DataAccessPointAccount``.

A statement "allows anyone" when it is an Allow whose Principal is ``*`` / ``{"AWS": "*"}``,
names a Federated provider (S3's own example counts ``graph.facebook.com`` as public), or uses
NotPrincipal. A condition only pins a key when it must match: a positive Equals/Like/Arn
operator (or IpAddress for aws:SourceIp), without ``...IfExists`` and without
``ForAllValues:`` (both are true when the key is missing). Deny statements never make a
policy public.
"""

from __future__ import annotations

import ipaddress

from ironbucket.policy.arn import split_arn
from ironbucket.policy.conditions import Condition
from ironbucket.policy.conditions.base import Qualifier
from ironbucket.policy.conditions.ip_ops import parse_network
from ironbucket.policy.document import Policy
from ironbucket.policy.statement import Statement

_FIXED_KEYS = frozenset(
    {
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:principalservicename",
        "aws:userid",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)
_PINNING = frozenset({"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike"})
_PRIVATE = tuple(ipaddress.IPv4Network(cidr) for cidr in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
_MIN_PREFIX = {4: 8, 6: 32}


def _base(condition: Condition) -> str:
    name = condition.operator.lower()
    return name.split(":", 1)[1] if ":" in name else name


def _fixed(value: str) -> bool:
    return "*" not in value and "?" not in value and "${" not in value


def _fixed_access_point(value: str) -> bool:
    """An access point ARN whose only wildcards are in the access point name."""
    parts = split_arn(value)
    if parts is None or "${" in value or not all(_fixed(part) for part in parts[1:5]):
        return False
    return parts[5].startswith("accesspoint/")


def _narrow(value: str) -> bool:
    network = parse_network(value)
    if network is None:
        return False
    if network.prefixlen >= _MIN_PREFIX[network.version]:
        return True
    return isinstance(network, ipaddress.IPv4Network) and any(network.subnet_of(net) for net in _PRIVATE)


def _pins(condition: Condition) -> bool:
    """Does this condition restrict the statement to fixed values of a non-public key?"""
    if condition.if_exists or condition.negated or condition.qualifier is Qualifier.ALL:
        return False
    if not condition.values:
        return False
    base = _base(condition)
    if condition.key == "aws:sourceip":
        return base == "ipaddress" and all(_narrow(value) for value in condition.values)
    if condition.key not in _FIXED_KEYS or base not in _PINNING:
        return False
    if condition.key == "s3:dataaccesspointarn":
        return all(_fixed(value) or _fixed_access_point(value) for value in condition.values)
    return all(_fixed(value) for value in condition.values)


def _allows_anyone(statement: Statement) -> bool:
    if statement.effect != "Allow":
        return False
    if statement.not_principal is not None:
        return True
    principal = statement.principal
    return principal is not None and (principal.anyone or bool(principal.federated))


def is_public(policy: Policy) -> bool:
    """True when S3 would consider this bucket / access point policy public."""
    return any(
        _allows_anyone(statement) and not any(_pins(condition) for condition in statement.conditions)
        for statement in policy.statements
    )
