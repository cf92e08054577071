"""Principal forms, validation, and how each names a caller."""

from __future__ import annotations

from typing import Any

import pytest

from ironbucket.policy import (
    Decision,
    Policy,
    PolicyError,
    PolicyKind,
    PrincipalIdentity,
    PrincipalMatch,
)
from tests.unit.policy.helpers import ACCOUNT, ALICE, ALICE_ARN, ANONYMOUS, policy, run, stmt

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Admin"
SESSION_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/sess"
ROLE_SESSION = PrincipalIdentity(frozenset({SESSION_ARN, ROLE_ARN}), ACCOUNT)
SERVICE = PrincipalIdentity(service="cloudtrail.amazonaws.com")
CANONICAL_ID = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
CANONICAL = PrincipalIdentity(account="999988887777", canonical_id=CANONICAL_ID)
FEDERATED = PrincipalIdentity(federated="cognito-identity.amazonaws.com")
OTHER = PrincipalIdentity(frozenset({"arn:aws:iam::444455556666:user/bob"}), "444455556666")


def resource_policy(principal: object, effect: str = "Allow", field: str = "Principal") -> Policy:
    extra: dict[str, Any] = {field: principal}
    return policy(stmt(effect, **extra), kind=PolicyKind.RESOURCE)


CASES = [
    # (Principal element, caller, expected PrincipalMatch or None for "not matched")
    ("*", ALICE, PrincipalMatch.ANYONE),
    ("*", ANONYMOUS, PrincipalMatch.ANYONE),
    ({"AWS": "*"}, ANONYMOUS, PrincipalMatch.ANYONE),
    ({"AWS": ACCOUNT}, ALICE, PrincipalMatch.ACCOUNT),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ALICE, PrincipalMatch.ACCOUNT),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, ANONYMOUS, None),
    ({"AWS": ACCOUNT}, OTHER, None),
    ({"AWS": ALICE_ARN}, ALICE, PrincipalMatch.SPECIFIC),
    ({"AWS": ALICE_ARN}, OTHER, None),
    ({"AWS": f"arn:aws:iam::{ACCOUNT}:user/Alice"}, ALICE, None),  # user names are case-sensitive
    ({"AWS": [ACCOUNT, ALICE_ARN]}, ALICE, PrincipalMatch.SPECIFIC),
    ({"AWS": ROLE_ARN}, ROLE_SESSION, PrincipalMatch.SPECIFIC),
    ({"AWS": SESSION_ARN}, ROLE_SESSION, PrincipalMatch.SPECIFIC),
    ({"AWS": f"arn:aws:sts::{ACCOUNT}:federated-user/carol"}, ALICE, None),
    ({"Service": "cloudtrail.amazonaws.com"}, SERVICE, PrincipalMatch.SPECIFIC),
    ({"Service": ["ecs.amazonaws.com", "CloudTrail.amazonaws.com"]}, SERVICE, PrincipalMatch.SPECIFIC),
    ({"Service": "cloudtrail.amazonaws.com"}, ALICE, None),
    ({"CanonicalUser": CANONICAL_ID}, CANONICAL, PrincipalMatch.SPECIFIC),
    ({"CanonicalUser": CANONICAL_ID}, ALICE, None),
    ({"Federated": "cognito-identity.amazonaws.com"}, FEDERATED, PrincipalMatch.SPECIFIC),
    (
        {"AWS": ["arn:aws:iam::123456789012:root", "999999999999"], "CanonicalUser": CANONICAL_ID},
        CANONICAL,
        PrincipalMatch.SPECIFIC,
    ),
]


@pytest.mark.parametrize(("principal", "caller", "how"), CASES)
def test_principal_matching(principal: object, caller: PrincipalIdentity, how: PrincipalMatch | None) -> None:
    result = run(resource_policy(principal), principal=caller)
    if how is None:
        assert result.decision is Decision.NOT_APPLICABLE
        assert result.trace[0].reason == "principal not matched"
    else:
        assert result.decision is Decision.ALLOW
        assert result.principal_match is how


def test_broadest_match_reports_most_specific_allow() -> None:
    compiled = policy(
        stmt(Principal="*", Sid="a"),
        stmt(Principal={"AWS": ACCOUNT}, Sid="b"),
        kind=PolicyKind.RESOURCE,
    )
    assert run(compiled).principal_match is PrincipalMatch.ACCOUNT
    compiled = policy(stmt(Principal={"AWS": ALICE_ARN}), stmt(Principal="*"), kind=PolicyKind.RESOURCE)
    assert run(compiled).principal_match is PrincipalMatch.SPECIFIC


def test_identity_policies_report_none() -> None:
    assert run(policy(stmt())).principal_match is PrincipalMatch.NONE


VALID = [
    {"AWS": "arn:aws:iam::123456789012:user/division/alice"},
    {"AWS": "arn:aws-cn:iam::123456789012:role/r"},
    {"AWS": "arn:aws:sts::123456789012:federated-user/bob"},
    {"AWS": "AIDAJQABLZS4A3QDU576Q"},
    {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E15MNIMTCFKK4C"},
    {"Federated": "arn:aws:iam::123456789012:saml-provider/Okta"},
    {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    {"Federated": "accounts.google.com"},
    {"Service": "logs.us-east-1.amazonaws.com"},
]


@pytest.mark.parametrize("principal", VALID)
def test_valid_principals(principal: object) -> None:
    resource_policy(principal)


INVALID = [
    ("arn:aws:iam::123456789012:root", 'Invalid principal in policy: "arn:aws:iam::123456789012:root"'),
    ({"AWS": "arn:aws:iam::12:root"}, 'Invalid principal in policy: "AWS" : "arn:aws:iam::12:root"'),
    ({"AWS": "12345678901"}, '"AWS" : "12345678901"'),
    ({"AWS": "arn:aws:iam::123456789012:user/*"}, '"AWS" : "arn:aws:iam::123456789012:user/\\*"'),
    ({"AWS": "arn:aws:iam::*:root"}, '"AWS" : "arn:aws:iam::\\*:root"'),
    ({"AWS": "arn:aws:iam::123456789012:group/g"}, "group/g"),
    ({"AWS": "arn:aws:s3:::bucket"}, "arn:aws:s3:::bucket"),
    ({"AWS": "arn:aws:sts::123456789012:assumed-role/Admin/*"}, "assumed-role"),
    ({"AWS": "alice"}, '"AWS" : "alice"'),
    ({"AWS": []}, '"AWS" : "\\[\\]"'),
    ({"AWS": 5.5}, '"AWS" : "5.5"'),
    ({"Service": "*"}, '"Service" : "\\*"'),
    ({"Service": ""}, '"Service" : ""'),
    ({"CanonicalUser": "abc"}, '"CanonicalUser" : "abc"'),
    ({"Federated": "arn:aws:iam::123456789012:user/x"}, '"Federated"'),
    ({"Aws": "123456789012"}, '"Aws"'),
    ({}, "Invalid principal in policy"),
    ([], "Invalid principal in policy"),
]


@pytest.mark.parametrize(("principal", "message"), INVALID)
def test_invalid_principals(principal: object, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        resource_policy(principal)


def test_principal_arns_lists_every_aws_name() -> None:
    compiled = policy(
        stmt(Principal={"AWS": [ALICE_ARN, "123456789012", "*"], "Service": "s3.amazonaws.com"}),
        stmt("Deny", NotPrincipal={"AWS": ROLE_ARN}),
        kind=PolicyKind.RESOURCE,
    )
    assert compiled.principal_arns() == frozenset({ALICE_ARN, "123456789012", ROLE_ARN})
