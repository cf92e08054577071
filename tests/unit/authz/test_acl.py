"""ACLs in authorization: which grant matches whom, and how the engine combines an ACL verdict
with policies (bucket context vs object context, explicit Deny, the user context)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ironbucket.auth.principal import ANONYMOUS, Principal, PrincipalType
from ironbucket.authz.acl import AclVerdict, grantee_match
from ironbucket.authz.engine import Labelled, PolicySet, decide
from ironbucket.authz.grant import Check
from ironbucket.features.acl import ALL_USERS, AUTHENTICATED_USERS, CANONICAL_USER, GROUP, Grant
from ironbucket.policy import PolicyKind, PrincipalMatch, parse_policy

BUCKET_OWNER, WRITER = "111122223333", "444455556666"
B_ID, W_ID = "b" * 64, "e" * 64
OBJECT = "arn:aws:s3:::data/report.csv"


def root(account: str, canonical: str) -> Principal:
    return Principal(PrincipalType.ACCOUNT, account, f"arn:aws:iam::{account}:root", account, canonical)


def user(account: str, canonical: str) -> Principal:
    return Principal(PrincipalType.USER, account, f"arn:aws:iam::{account}:user/u", "AIDAU", canonical,
                     username="u")


B_ROOT, W_ROOT = root(BUCKET_OWNER, B_ID), root(WRITER, W_ID)
W_USER = user(WRITER, W_ID)


@pytest.mark.parametrize(("grants", "permission", "who", "match"), [
    ((Grant(GROUP, ALL_USERS, "READ"),), "READ", ANONYMOUS, PrincipalMatch.ANYONE),
    ((Grant(GROUP, ALL_USERS, "READ"),), "READ_ACP", W_ROOT, PrincipalMatch.NONE),
    ((Grant(GROUP, AUTHENTICATED_USERS, "READ"),), "READ", ANONYMOUS, PrincipalMatch.NONE),
    ((Grant(GROUP, AUTHENTICATED_USERS, "READ"),), "READ", W_USER, PrincipalMatch.ANYONE),
    ((Grant(CANONICAL_USER, W_ID, "READ"),), "READ", W_USER, PrincipalMatch.ACCOUNT),
    ((Grant(CANONICAL_USER, W_ID, "FULL_CONTROL"),), "WRITE_ACP", W_ROOT, PrincipalMatch.ACCOUNT),
    ((Grant(CANONICAL_USER, W_ID, "READ"),), "READ", B_ROOT, PrincipalMatch.NONE),
    ((Grant(CANONICAL_USER, W_ID, "READ"),), None, W_ROOT, PrincipalMatch.NONE),  # not ACL-grantable
])
def test_grantee_match(grants: tuple[Grant, ...], permission: str | None, who: Principal,
                       match: PrincipalMatch) -> None:
    assert grantee_match(grants, permission, who) is match


def bucket_policy(*statements: dict[str, Any]) -> Labelled:
    text = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    return Labelled.of("bucket policy", parse_policy(text, PolicyKind.RESOURCE))


ALLOW_B = bucket_policy({"Effect": "Allow", "Principal": {"AWS": BUCKET_OWNER}, "Action": "s3:GetObject",
                         "Resource": OBJECT})
DENY_ALL = bucket_policy({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECT})
USER_ALLOWS = Labelled.of("identity", parse_policy(json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}), PolicyKind.IDENTITY))


def verdict(owner: str, match: PrincipalMatch = PrincipalMatch.NONE) -> AclVerdict:
    return AclVerdict(owner, match, owner == BUCKET_OWNER, "ACL")


@pytest.mark.parametrize(("who", "policies", "allowed"), [
    # The writer owns its object: the bucket owner's own Allow does not reach it...
    (B_ROOT, PolicySet(resource=ALLOW_B, acl=verdict(WRITER)), False),
    # ...an ACL grant to the bucket owner does.
    (B_ROOT, PolicySet(resource=ALLOW_B, acl=verdict(WRITER, PrincipalMatch.ACCOUNT)), True),
    # The object owner's root needs nothing more, unless the bucket owner explicitly denies.
    (W_ROOT, PolicySet(acl=verdict(WRITER)), True),
    (W_ROOT, PolicySet(resource=DENY_ALL, acl=verdict(WRITER)), False),
    # Its users: the object owner's own account, so identity policies decide.
    (W_USER, PolicySet(identity=(USER_ALLOWS,), acl=verdict(WRITER)), True),
    (W_USER, PolicySet(acl=verdict(WRITER)), False),
    # Bucket owner's object: AllUsers reads anonymously; a Deny still wins.
    (ANONYMOUS, PolicySet(acl=verdict(BUCKET_OWNER, PrincipalMatch.ANYONE)), True),
    (ANONYMOUS, PolicySet(resource=DENY_ALL, acl=verdict(BUCKET_OWNER, PrincipalMatch.ANYONE)), False),
    (ANONYMOUS, PolicySet(acl=verdict(BUCKET_OWNER, PrincipalMatch.ACCOUNT)), False),
    # Cross-account grant to an account: its root yes, its users only with their own Allow.
    (W_ROOT, PolicySet(acl=verdict(BUCKET_OWNER, PrincipalMatch.ACCOUNT)), True),
    (W_USER, PolicySet(acl=verdict(BUCKET_OWNER, PrincipalMatch.ACCOUNT)), False),
    (W_USER, PolicySet(identity=(USER_ALLOWS,), acl=verdict(BUCKET_OWNER, PrincipalMatch.ACCOUNT)), True),
    (W_USER, PolicySet(identity=(USER_ALLOWS,), acl=verdict(BUCKET_OWNER, PrincipalMatch.ANYONE)), True),
    (W_USER, PolicySet(identity=(USER_ALLOWS,), acl=verdict(BUCKET_OWNER)), False),
    # Bucket owner on its own object, bucket policy as usual.
    (B_ROOT, PolicySet(acl=verdict(BUCKET_OWNER)), True),
])
def test_decide_with_acls(who: Principal, policies: PolicySet, allowed: bool) -> None:
    outcome = decide(who, Check("s3:GetObject", OBJECT, BUCKET_OWNER), policies, {})
    assert outcome.allowed is allowed, outcome.reason
