"""The Principal / NotPrincipal element: validation, and matching a caller's identity.

Accepted forms (AWS JSON policy elements: Principal): ``"*"``; a map whose keys are ``AWS``,
``Service``, ``Federated`` and ``CanonicalUser``, each a string or a non-empty list of strings.
``AWS`` names ``"*"``, a 12-digit account id, an account root ARN, an IAM user or role ARN, an
STS assumed-role or federated-user session ARN, or an IAM unique id (what IAM shows once the
named user or role was deleted). A wildcard never matches part of a principal: ``*`` is only
valid alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ironbucket.policy.arn import split_arn
from ironbucket.policy.errors import PolicyError
from ironbucket.policy.jsondoc import is_text
from ironbucket.policy.model import PrincipalIdentity, PrincipalMatch

PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
_ACCOUNT = re.compile(r"\d{12}")
_PARTITION = re.compile(r"aws(-[a-z]+)*")
_UNIQUE_ID = re.compile(r"A(IDA|ROA)[A-Z0-9]{12,124}")
_SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,254}")
_FEDERATED_HOST = re.compile(r"[A-Za-z0-9][A-Za-z0-9./_-]{0,254}")
_CANONICAL = re.compile(r"[0-9a-fA-F]{64}")
_IAM_RESOURCE = re.compile(r"root|(user|role)/(?:[\x21-\x7e]{0,512}/)?[\w+=,.@-]{1,128}")
_STS_RESOURCE = re.compile(r"assumed-role/[\w+=,.@-]{1,64}/[\w+=,.@-]{1,64}|federated-user/[\w+=,.@-]{2,32}")
_OAI_USER = re.compile(r"user/CloudFront Origin Access Identity [A-Z0-9]{1,64}")
_PROVIDER = re.compile(r"(saml-provider/[\w.-]{1,128}|oidc-provider/[\x21-\x7e]{1,512})")


def _invalid(kind: str | None, value: object) -> PolicyError:
    if kind is None:
        return PolicyError(f'Invalid principal in policy: "{value}"')
    return PolicyError(f'Invalid principal in policy: "{kind}" : "{value}"')


def _aws_entry(value: str) -> tuple[str, str] | None:
    """Classify one ``AWS`` principal: ("anyone"|"account"|"arn", normalised value)."""
    if value == "*":
        return "anyone", value
    if _ACCOUNT.fullmatch(value) or _UNIQUE_ID.fullmatch(value):
        return ("account", value) if value.isdigit() else ("arn", value)
    parts = split_arn(value)
    if parts is None or "*" in value or "?" in value:
        return None
    _, partition, service, region, account, resource = parts
    if not _PARTITION.fullmatch(partition) or region:
        return None
    if service == "iam" and account == "cloudfront" and _OAI_USER.fullmatch(resource):
        return "arn", value
    if not _ACCOUNT.fullmatch(account):
        return None
    if service == "iam" and _IAM_RESOURCE.fullmatch(resource):
        return ("account", account) if resource == "root" else ("arn", value)
    if service == "sts" and _STS_RESOURCE.fullmatch(resource):
        return "arn", value
    return None


def _federated_ok(value: str) -> bool:
    if value.startswith("arn:"):
        parts = split_arn(value)
        return (
            parts is not None
            and _PARTITION.fullmatch(parts[1]) is not None
            and parts[2] == "iam"
            and not parts[3]
            and _ACCOUNT.fullmatch(parts[4]) is not None
            and _PROVIDER.fullmatch(parts[5]) is not None
        )
    return _FEDERATED_HOST.fullmatch(value) is not None


def _strings(kind: str, value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise _invalid(kind, "[]")
    for item in items:
        if not is_text(item):
            raise _invalid(kind, item)
    return [str(item) for item in items]


@dataclass(frozen=True, slots=True)
class Principals:
    """A compiled Principal (or NotPrincipal) element."""

    anyone: bool
    accounts: frozenset[str]
    arns: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]
    aws_strings: tuple[str, ...]
    only_anyone: bool = False
    """``*`` and nothing else: every caller matches, as ANYONE."""

    def match(self, who: PrincipalIdentity) -> PrincipalMatch | None:
        """How this element names the caller (the most specific way), or None."""
        if self.only_anyone:
            return PrincipalMatch.ANYONE
        if (
            (who.arns and not self.arns.isdisjoint(who.arns))
            or (who.service is not None and who.service.lower() in self.services)
            or (who.federated is not None and who.federated in self.federated)
            or (who.canonical_id is not None and who.canonical_id.lower() in self.canonical)
        ):
            return PrincipalMatch.SPECIFIC
        if who.account is not None and who.account in self.accounts:
            return PrincipalMatch.ACCOUNT
        if self.anyone:
            return PrincipalMatch.ANYONE
        return None

    def names_all(self, who: PrincipalIdentity) -> bool:
        """Every level of the caller's identity is named (account, each ARN, service, provider).

        AWS may check a NotPrincipal exception level by level (account, then role, then
        session), so a Deny with NotPrincipal only exempts a caller that it names at every
        level; see "NotPrincipal with Deny" in the IAM User Guide.
        """
        if self.anyone:
            return True
        levels: list[bool] = []
        if who.account is not None or who.canonical_id is not None:
            levels.append(
                (who.account is not None and who.account in self.accounts)
                or (who.canonical_id is not None and who.canonical_id.lower() in self.canonical)
            )
        levels.extend(arn in self.arns for arn in who.arns)
        if who.service is not None:
            levels.append(who.service.lower() in self.services)
        if who.federated is not None:
            levels.append(who.federated in self.federated)
        return bool(levels) and all(levels)

    def names_any(self, who: PrincipalIdentity) -> bool:
        return self.match(who) is not None


def parse_principals(value: object) -> Principals:
    """Validate and compile a Principal/NotPrincipal element value."""
    if is_text(value):
        if value != "*":
            raise _invalid(None, value)
        return Principals(True, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), (), True)
    if not isinstance(value, dict) or not value:
        raise _invalid(None, value)
    anyone = False
    accounts: set[str] = set()
    arns: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    canonical: set[str] = set()
    aws_strings: list[str] = []
    for kind, entries in value.items():
        if kind not in PRINCIPAL_TYPES:
            raise _invalid(kind, entries)
        for entry in _strings(kind, entries):
            if kind == "AWS":
                classified = _aws_entry(entry)
                if classified is None:
                    raise _invalid(kind, entry)
                what, normalised = classified
                if what == "anyone":
                    anyone = True
                    continue
                (accounts if what == "account" else arns).add(normalised)
                aws_strings.append(entry)
            elif kind == "Service":
                if not _SERVICE.fullmatch(entry):
                    raise _invalid(kind, entry)
                services.add(entry.lower())
            elif kind == "Federated":
                if not _federated_ok(entry):
                    raise _invalid(kind, entry)
                federated.add(entry)
            else:
                if not _CANONICAL.fullmatch(entry):
                    raise _invalid(kind, entry)
                canonical.add(entry.lower())
    return Principals(
        anyone,
        frozenset(accounts),
        frozenset(arns),
        frozenset(services),
        frozenset(federated),
        frozenset(canonical),
        tuple(aws_strings),
        anyone and not (accounts or arns or services or federated or canonical),
    )


def all_aws_strings(elements: Iterable[Principals | None]) -> frozenset[str]:
    return frozenset(name for element in elements if element is not None for name in element.aws_strings)
