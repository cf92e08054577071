"""The evaluation logic of authz.engine.decide, one row per rule of AWS's evaluation flow.

Policies are written in full; each row names the caller, the policies in play, the action and
resource, and whether AWS would allow it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from ironbucket.auth.principal import ANONYMOUS, Principal, PrincipalType, Session
from ironbucket.authz.engine import Labelled, PolicySet, decide
from ironbucket.authz.grant import Check
from ironbucket.policy import PolicyKind, parse_policy

OWN, OTHER = "111122223333", "444455556666"
BUCKET = "arn:aws:s3:::data"
OBJECT = "arn:aws:s3:::data/report.csv"
ROLE = f"arn:aws:iam::{OWN}:role/reader"
ALICE = f"arn:aws:iam::{OWN}:user/alice"


def root(account: str = OWN) -> Principal:
    return Principal(PrincipalType.ACCOUNT, account, f"arn:aws:iam::{account}:root", account, "c" * 64)


def user(name: str = "alice", account: str = OWN) -> Principal:
    arn = f"arn:aws:iam::{account}:user/{name}"
    return Principal(PrincipalType.USER, account, arn, "AIDA" + name.upper(), "c" * 64, username=name)


def session(name: str = "s1") -> Principal:
    return Principal(PrincipalType.ASSUMED_ROLE, OWN, f"arn:aws:sts::{OWN}:assumed-role/reader/{name}",
                     "AROAREADER:" + name, "c" * 64, session=Session(0.0, 3600.0, role_arn=ROLE))


CDN = Principal(PrincipalType.SERVICE, "", "cloudfront.amazonaws.com", "cloudfront.amazonaws.com", "",
                username="cloudfront.amazonaws.com", source_arn=f"arn:aws:cloudfront::{OWN}:distribution/E1",
                source_account=OWN)
OAI = Principal(PrincipalType.USER, "", "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E1",
                "E1", "d" * 64, external=True)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def stmt(effect: str, action: str | list[str], resource: str = OBJECT, principal: Any = None,
         condition: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if principal is not None:
        out["Principal"] = principal
    if condition is not None:
        out["Condition"] = condition
    return out


def identity(text: str) -> Labelled:
    return Labelled.of("identity", parse_policy(text, PolicyKind.IDENTITY))


def bucket_policy(text: str) -> Labelled:
    return Labelled.of("bucket policy", parse_policy(text, PolicyKind.RESOURCE))


def grants(principal: Any, condition: dict[str, Any] | None = None) -> Labelled:
    """A bucket policy allowing s3:GetObject on OBJECT to ``principal``."""
    return bucket_policy(doc(stmt("Allow", "s3:GetObject", principal=principal, condition=condition)))


def endpoint(text: str) -> Labelled:
    return Labelled.of("endpoint policy of vpce-0a1b2c3d", parse_policy(text, PolicyKind.ENDPOINT))


ENDPOINT_GET_ONLY = endpoint(doc(stmt("Allow", "s3:GetObject", "*", principal="*")))
ENDPOINT_DENY_GET = endpoint(doc(stmt("Allow", "*", "*", principal="*"),
                                 stmt("Deny", "s3:GetObject", "*", principal="*")))


def trust(text: str) -> Labelled:
    return Labelled.of("trust policy", parse_policy(text, PolicyKind.TRUST))


ALLOW_GET = doc(stmt("Allow", "s3:GetObject"))
DENY_GET = doc(stmt("Deny", "s3:GetObject"))
ALLOW_PUT = doc(stmt("Allow", "s3:PutObject"))


KEY = f"arn:aws:kms:us-east-1:{OWN}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KMS = ("kms:Decrypt", KEY, OWN)  # action, resource, owner of a Case
KMS_ALLOW = doc(stmt("Allow", "kms:*", resource="*"))
KEY_ROOT = doc(stmt("Allow", "kms:*", "*", {"AWS": f"arn:aws:iam::{OWN}:root"}))
KEY_OTHER_ACCOUNT = doc(stmt("Allow", "kms:*", "*", {"AWS": f"arn:aws:iam::{OTHER}:root"}))
KEY_CONTEXT = doc(stmt("Allow", "kms:Decrypt", "*", {"AWS": ALICE},
                       {"StringEquals": {"kms:EncryptionContext:dept": "finance"}}))


def KEY_ALICE_ONLY(name: str) -> str:
    return doc(stmt("Allow", "kms:*", "*", {"AWS": f"arn:aws:iam::{OWN}:user/{name}"}))


def key_policy(text: str) -> Labelled:
    return Labelled.of("key policy", parse_policy(text, PolicyKind.RESOURCE), key_policy=True)


@dataclass(frozen=True)
class Case:
    name: str
    principal: Principal
    policies: PolicySet
    allowed: bool
    action: str = "s3:GetObject"
    resource: str = OBJECT
    owner: str | None = OWN
    keys: tuple[tuple[str, tuple[str, ...]], ...] = ()


CASES = [
    Case("root of the owning account, no policies", root(), PolicySet(), True),
    Case("root of another account, no policies", root(OTHER), PolicySet(), False),
    Case("IAM user without any policy", user(), PolicySet(), False),
    Case("anonymous without any policy", ANONYMOUS, PolicySet(), False),
    Case("identity policy allows", user(), PolicySet(identity=(identity(ALLOW_GET),)), True),
    Case("identity policy allows another action only", user(),
         PolicySet(identity=(identity(ALLOW_PUT),)), False),
    Case("explicit deny in identity beats allow", user(),
         PolicySet(identity=(identity(ALLOW_GET), identity(DENY_GET))), False),
    Case("explicit deny in the bucket policy beats identity allow", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   resource=bucket_policy(doc(stmt("Deny", "s3:GetObject", principal="*"))),), False),
    Case("root is denied by an explicit bucket policy deny", root(),
         PolicySet(resource=bucket_policy(doc(stmt("Deny", "s3:GetObject", principal="*")))), False),
    Case("root may still delete a bucket policy that denies everything", root(),
         PolicySet(resource=bucket_policy(doc(stmt("Deny", "s3:*", BUCKET, principal="*")))), True,
         action="s3:DeleteBucketPolicy", resource=BUCKET),
    Case("bucket policy naming the user allows without identity policy", user(),
         PolicySet(resource=grants({"AWS": ALICE})), True),
    Case("bucket policy naming the user is still capped by nothing else", user(),
         PolicySet(boundary=identity(ALLOW_PUT),
                   resource=grants({"AWS": ALICE})), True),
    Case("bucket policy naming only the account delegates to identity (none)", user(),
         PolicySet(resource=grants({"AWS": OWN})), False),
    Case("bucket policy naming only the account delegates to identity (allows)", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   resource=grants({"AWS": OWN})), True),
    Case("public bucket policy allows anonymous", ANONYMOUS,
         PolicySet(resource=grants("*")), True),
    Case("public bucket policy with an unmet condition", ANONYMOUS,
         PolicySet(resource=grants("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
         False, keys=(("aws:sourceip", ("192.0.2.1",)),)),
    Case("public bucket policy with a met condition", ANONYMOUS,
         PolicySet(resource=grants("*", {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
         True, keys=(("aws:sourceip", ("10.1.2.3",)),)),
    Case("boundary without the action caps an identity allow", user(),
         PolicySet(identity=(identity(ALLOW_GET),), boundary=identity(ALLOW_PUT)), False),
    Case("boundary with the action lets an identity allow through", user(),
         PolicySet(identity=(identity(ALLOW_GET),), boundary=identity(ALLOW_GET)), True),
    Case("boundary alone grants nothing", user(), PolicySet(boundary=identity(ALLOW_GET)), False),
    Case("session policy caps the role's policy", session(),
         PolicySet(identity=(identity(ALLOW_GET),), session=(identity(ALLOW_PUT),)), False),
    Case("session policy and role policy both allow", session(),
         PolicySet(identity=(identity(ALLOW_GET),), session=(identity(ALLOW_GET),)), True),
    Case("bucket policy naming the session ARN ignores session policies", session(),
         PolicySet(session=(identity(ALLOW_PUT),),
                   resource=bucket_policy(doc(stmt("Allow", "s3:GetObject", principal={
                       "AWS": f"arn:aws:sts::{OWN}:assumed-role/reader/s1"})))), True),
    Case("bucket policy naming the role ARN is capped by session policies", session(),
         PolicySet(session=(identity(ALLOW_PUT),),
                   resource=grants({"AWS": ROLE})), False),
    Case("bucket policy naming the role ARN, no session policy", session(),
         PolicySet(resource=grants({"AWS": ROLE})), True),
    Case("cross-account: resource policy alone is not enough", user(account=OTHER),
         PolicySet(resource=grants({"AWS": OTHER})), False),
    Case("cross-account: identity alone is not enough", user(account=OTHER),
         PolicySet(identity=(identity(ALLOW_GET),)), False),
    Case("cross-account: both sides allow", user(account=OTHER),
         PolicySet(identity=(identity(ALLOW_GET),),
                   resource=grants({"AWS": OTHER})), True),
    Case("cross-account root still needs the resource policy", root(OTHER), PolicySet(), False),
    Case("cross-account root with a bucket policy naming its account", root(OTHER),
         PolicySet(resource=grants({"AWS": OTHER})), True),
    Case("trust policy must allow even in the same account", user(),
         PolicySet(identity=(identity(doc(stmt("Allow", "sts:AssumeRole", "*"))),),
                   resource=trust(json.dumps({"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                        "Action": "sts:AssumeRole"}]}))),
         False, action="sts:AssumeRole", resource=ROLE),
    Case("trust policy naming the account needs identity permission too", user(),
         PolicySet(resource=trust(json.dumps({"Version": "2012-10-17", "Statement": [
             {"Effect": "Allow", "Principal": {"AWS": OWN}, "Action": "sts:AssumeRole"}]}))),
         False, action="sts:AssumeRole", resource=ROLE),
    Case("trust policy naming the account plus identity permission", user(),
         PolicySet(identity=(identity(doc(stmt("Allow", "sts:AssumeRole", "*"))),),
                   resource=trust(json.dumps({"Version": "2012-10-17", "Statement": [
                       {"Effect": "Allow", "Principal": {"AWS": OWN}, "Action": "sts:AssumeRole"}]}))),
         True, action="sts:AssumeRole", resource=ROLE),
    Case("trust policy naming the user needs nothing else", user(),
         PolicySet(resource=trust(json.dumps({"Version": "2012-10-17", "Statement": [
             {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OWN}:user/alice"},
              "Action": "sts:AssumeRole"}]}))),
         True, action="sts:AssumeRole", resource=ROLE),
    Case("service principal named by the bucket policy", CDN,
         PolicySet(resource=grants({"Service": "cloudfront.amazonaws.com"})), True),
    Case("service principal: a policy naming another service", CDN,
         PolicySet(resource=grants({"Service": "logging.s3.amazonaws.com"})), False),
    Case("service principal: a policy naming the account does not name the service", CDN,
         PolicySet(resource=grants({"AWS": OWN})), False),
    Case("origin access identity named by ARN needs no identity policy", OAI,
         PolicySet(resource=grants({"AWS": OAI.arn})), True),
    Case("origin access identity named by canonical id", OAI,
         PolicySet(resource=grants({"CanonicalUser": "d" * 64})), True),
    Case("origin access identity not named", OAI, PolicySet(resource=grants({"AWS": ALICE})), False),
    Case("restricted public policy still admits a service principal", CDN,
         PolicySet(resource=grants({"Service": "cloudfront.amazonaws.com"}), restricted=True), True),
    # Block Public Access's RestrictPublicBuckets: a public policy's Allows reach only the
    # owner account's principals; its Denies still apply to everyone.
    Case("restricted public policy: anonymous refused", ANONYMOUS,
         PolicySet(resource=grants("*"), restricted=True), False),
    Case("restricted public policy: another account's root refused", root(OTHER),
         PolicySet(resource=grants("*"), restricted=True), False),
    Case("restricted public policy: another account named directly is refused too", user("bob", OTHER),
         PolicySet(identity=(identity(ALLOW_GET),),
                   resource=grants({"AWS": f"arn:aws:iam::{OTHER}:user/bob"}), restricted=True), False),
    Case("restricted public policy: the owner account's user it names is allowed", user(),
         PolicySet(resource=grants({"AWS": ALICE}), restricted=True), True),
    Case("restricted public policy: owner account identity allow unaffected", user(),
         PolicySet(identity=(identity(ALLOW_GET),), resource=grants("*"), restricted=True), True),
    Case("restricted public policy: its deny still applies to the owner's user", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   resource=bucket_policy(doc(stmt("Deny", "s3:GetObject", principal="*"))),
                   restricted=True), False),
    # Private (VPC) endpoint policies: they must allow too, for every caller, root included.
    Case("endpoint policy alone caps the owning account's root user", root(),
         PolicySet(endpoint=ENDPOINT_GET_ONLY), False, action="s3:PutObject"),
    Case("endpoint policy allowing the action lets root through", root(),
         PolicySet(endpoint=ENDPOINT_GET_ONLY), True),
    Case("endpoint policy does not grant by itself", user(), PolicySet(endpoint=ENDPOINT_GET_ONLY), False),
    Case("endpoint allow and identity allow", user(),
         PolicySet(identity=(identity(ALLOW_GET),), endpoint=ENDPOINT_GET_ONLY), True),
    Case("identity allows but the endpoint policy does not", user(),
         PolicySet(identity=(identity(ALLOW_PUT),), endpoint=ENDPOINT_GET_ONLY), False,
         action="s3:PutObject"),
    Case("explicit deny in the endpoint policy beats identity allow", user(),
         PolicySet(identity=(identity(ALLOW_GET),), endpoint=ENDPOINT_DENY_GET), False),
    Case("endpoint deny even beats the owner's bucket-policy lockout exemption", root(),
         PolicySet(endpoint=endpoint(doc(stmt("Deny", "s3:*", "*", principal="*")))), False,
         action="s3:DeleteBucketPolicy", resource=BUCKET),
    Case("endpoint policy naming another principal does not allow this one", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   endpoint=endpoint(doc(stmt("Allow", "s3:GetObject", "*",
                                              principal={"AWS": f"arn:aws:iam::{OTHER}:root"})))), False),
    Case("anonymous through an endpoint: bucket policy and endpoint policy allow", ANONYMOUS,
         PolicySet(resource=grants("*"), endpoint=ENDPOINT_GET_ONLY), True),
    Case("anonymous through an endpoint whose policy does not allow", ANONYMOUS,
         PolicySet(resource=grants("*"), endpoint=endpoint(doc(stmt("Allow", "s3:PutObject", "*",
                                                                    principal="*")))), False),
    Case("endpoint policy conditioned on the endpoint's keys", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   endpoint=endpoint(doc(stmt("Allow", "*", "*", principal="*", condition={
                       "StringEquals": {"aws:SourceVpc": "vpc-0a1b2c3d"}})))), True,
         keys=(("aws:sourcevpc", ("vpc-0a1b2c3d",)),)),
    Case("endpoint policy may name services this server does not know", user(),
         PolicySet(identity=(identity(ALLOW_GET),),
                   endpoint=endpoint(doc(stmt("Allow", ["s3:GetObject", "dynamodb:GetItem"], "*",
                                              principal="*")))), True),
    # --- KMS key policies: they must allow, even in the key's own account ---
    Case("key policy delegating to IAM: user with an identity allow", user(),
         PolicySet(identity=(identity(KMS_ALLOW),), resource=key_policy(KEY_ROOT)), True, *KMS),
    Case("key policy delegating to IAM: user without an identity allow", user(),
         PolicySet(resource=key_policy(KEY_ROOT)), False, *KMS),
    Case("key policy without delegation: user with an identity allow is denied", user(),
         PolicySet(identity=(identity(KMS_ALLOW),), resource=key_policy(KEY_ALICE_ONLY("bob"))),
         False, *KMS),
    Case("key policy without delegation: the root user too is denied", root(),
         PolicySet(resource=key_policy(KEY_ALICE_ONLY("bob"))), False, *KMS),
    Case("key policy naming the user: allowed without an identity policy", user(),
         PolicySet(resource=key_policy(KEY_ALICE_ONLY("alice"))), True, *KMS),
    Case("key policy delegating to IAM: root allowed", root(),
         PolicySet(resource=key_policy(KEY_ROOT)), True, *KMS),
    Case("key policy allows, identity policy denies", user(),
         PolicySet(identity=(identity(doc(stmt("Deny", "kms:Decrypt", resource="*"))),),
                   resource=key_policy(KEY_ALICE_ONLY("alice"))), False, *KMS),
    Case("key policy: cross-account needs the caller's own allow", user("bob", OTHER),
         PolicySet(resource=key_policy(KEY_OTHER_ACCOUNT)), False, *KMS),
    Case("key policy: cross-account with both sides allowing", user("bob", OTHER),
         PolicySet(identity=(identity(KMS_ALLOW),), resource=key_policy(KEY_OTHER_ACCOUNT)), True, *KMS),
    Case("key policy: cross-account without the key policy", user("bob", OTHER),
         PolicySet(identity=(identity(KMS_ALLOW),), resource=key_policy(KEY_ROOT)), False, *KMS),
    Case("key policy condition on the encryption context: matching", user(),
         PolicySet(resource=key_policy(KEY_CONTEXT)), True, *KMS,
         keys=(("kms:encryptioncontext:dept", ("finance",)),)),
    Case("key policy condition on the encryption context: other value", user(),
         PolicySet(resource=key_policy(KEY_CONTEXT)), False, *KMS,
         keys=(("kms:encryptioncontext:dept", ("sales",)),)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_decide(case: Case) -> None:
    check = Check(case.action, case.resource, case.owner)
    outcome = decide(case.principal, check, case.policies, dict(case.keys))
    assert outcome.allowed is case.allowed, outcome.reason


def test_explicit_deny_is_reported_with_its_statement() -> None:
    outcome = decide(user(), Check("s3:GetObject", OBJECT, OWN),
                     PolicySet(identity=(identity(ALLOW_GET), identity(DENY_GET))), {})
    assert outcome.explicit_deny
    assert outcome.reason == "explicit deny"
    assert [m.effect for m in outcome.matched] == ["Allow", "Deny"]
    assert any("Deny matched" in line for line in outcome.trace)


def test_restricted_public_policy_names_the_setting_in_its_reason() -> None:
    outcome = decide(ANONYMOUS, Check("s3:GetObject", OBJECT, OWN),
                     PolicySet(resource=grants("*"), restricted=True), {})
    assert not outcome.allowed
    assert "RestrictPublicBuckets" in outcome.reason


def test_endpoint_policy_is_named_in_trace_and_reason() -> None:
    outcome = decide(root(), Check("s3:PutObject", OBJECT, OWN), PolicySet(endpoint=ENDPOINT_GET_ONLY), {})
    assert not outcome.allowed
    assert outcome.reason == "not allowed by the endpoint policy of vpce-0a1b2c3d"
    assert outcome.trace == ("endpoint policy of vpce-0a1b2c3d: no statement applies",)
    denied = decide(user(), Check("s3:GetObject", OBJECT, OWN),
                    PolicySet(identity=(identity(ALLOW_GET),), endpoint=ENDPOINT_DENY_GET), {})
    assert denied.explicit_deny
    assert any(line.startswith("endpoint policy of vpce-0a1b2c3d statement 1") for line in denied.trace)
