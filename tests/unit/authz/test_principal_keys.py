"""Global condition keys that describe the caller, per kind of principal."""

from __future__ import annotations

import pytest

from ironbucket.auth.principal import ANONYMOUS, Principal, PrincipalType
from ironbucket.authz.context import principal_keys

ACCT = "111122223333"
ROOT = Principal(PrincipalType.ACCOUNT, ACCT, f"arn:aws:iam::{ACCT}:root", ACCT, "c" * 64)
USER = Principal(PrincipalType.USER, ACCT, f"arn:aws:iam::{ACCT}:user/dev/alice", "AIDAALICE", "c" * 64,
                 username="alice", tags={"Team": "data"})
CDN = Principal(PrincipalType.SERVICE, "", "cloudfront.amazonaws.com", "cloudfront.amazonaws.com", "",
                username="cloudfront.amazonaws.com", source_arn=f"arn:aws:cloudfront::{ACCT}:distribution/E1",
                source_account=ACCT)
OAI = Principal(PrincipalType.USER, "", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1",
                "E1", "d" * 64, external=True)


@pytest.mark.parametrize(("principal", "present", "absent"), [
    (ROOT, {"aws:principaltype": "Account", "aws:principalaccount": ACCT,
            "aws:principalarn": f"arn:aws:iam::{ACCT}:root", "aws:principalisawsservice": "false"},
     ("aws:username", "aws:sourcearn")),
    (USER, {"aws:principaltype": "User", "aws:username": "alice", "aws:userid": "AIDAALICE",
            "aws:principaltag/team": "data"}, ("aws:sourcearn", "aws:principalservicename")),
    (CDN, {"aws:principaltype": "Service", "aws:principalservicename": "cloudfront.amazonaws.com",
           "aws:principalisawsservice": "true", "aws:sourceaccount": ACCT,
           "aws:sourcearn": f"arn:aws:cloudfront::{ACCT}:distribution/E1"},
     ("aws:principalaccount", "aws:principalarn", "aws:userid", "aws:username")),
    (OAI, {"aws:principaltype": "User", "aws:principalarn": OAI.arn},
     ("aws:principalaccount", "aws:username", "aws:sourcearn")),
    (ANONYMOUS, {"aws:principaltype": "Anonymous"}, ("aws:principalaccount", "aws:principalarn")),
], ids=["root", "user", "service principal", "origin access identity", "anonymous"])
def test_principal_keys(principal: Principal, present: dict[str, str], absent: tuple[str, ...]) -> None:
    keys = principal_keys(principal, 0.0)
    for name, value in present.items():
        assert keys.get(name) == (value,), name
    for name in absent:
        assert name not in keys, name
