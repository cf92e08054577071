"""evaluate(): Deny wins, Allow, NotApplicable; NotAction/NotResource/NotPrincipal; the trace."""

from __future__ import annotations

import pytest

from ironbucket.policy import Decision, PolicyKind, PrincipalIdentity, PrincipalMatch, StatementResult
from tests.unit.policy.helpers import ACCOUNT, ALICE, ANONYMOUS, decide, policy, run, stmt

BUCKET = "arn:aws:s3:::bucket"


def test_explicit_deny_wins_regardless_of_order() -> None:
    for statements in (
        (stmt("Allow", "s3:*"), stmt("Deny", "s3:GetObject")),
        (stmt("Deny", "s3:GetObject"), stmt("Allow", "s3:*")),
    ):
        result = run(policy(*statements))
        assert result.decision is Decision.DENY
        assert result.principal_match is PrincipalMatch.NONE
        assert {entry.effect for entry in result.trace} == {"Allow", "Deny"}
        assert all(entry.matched and entry.reason == "matched" for entry in result.trace)


def test_allow_and_not_applicable() -> None:
    compiled = policy(stmt("Allow", "s3:GetObject", f"{BUCKET}/*"))
    assert decide(compiled, resource=f"{BUCKET}/k") is Decision.ALLOW
    assert decide(compiled, resource="arn:aws:s3:::other/k") is Decision.NOT_APPLICABLE
    assert decide(compiled, action="s3:PutObject", resource=f"{BUCKET}/k") is Decision.NOT_APPLICABLE


def test_not_action_documented_example() -> None:
    # "Allow everything except IAM"
    compiled = policy(stmt("Allow", resource="*", NotAction="iam:*"))
    assert decide(compiled, action="s3:GetObject") is Decision.ALLOW
    assert decide(compiled, action="kms:Decrypt") is Decision.ALLOW
    assert decide(compiled, action="iam:CreateUser") is Decision.NOT_APPLICABLE
    # NotAction with Deny: deny everything except the listed actions
    compiled = policy(
        stmt("Allow", "*"), stmt("Deny", resource="*", NotAction=["iam:Get*", "sts:GetCallerIdentity"])
    )
    assert decide(compiled, action="iam:GetUser") is Decision.ALLOW
    assert decide(compiled, action="STS:getcalleridentity") is Decision.ALLOW
    assert decide(compiled, action="s3:GetObject") is Decision.DENY


def test_not_resource() -> None:
    compiled = policy(
        stmt("Allow", "s3:*", "*"), stmt("Deny", "s3:*", None, NotResource=[BUCKET, f"{BUCKET}/*"])
    )
    assert decide(compiled, action="s3:GetObject", resource=f"{BUCKET}/k") is Decision.ALLOW
    assert decide(compiled, action="s3:GetObject", resource="arn:aws:s3:::elsewhere/k") is Decision.DENY
    allow_rest = policy(stmt("Allow", "s3:GetObject", None, NotResource=f"{BUCKET}/secret/*"))
    assert decide(allow_rest, resource=f"{BUCKET}/public/k") is Decision.ALLOW
    assert decide(allow_rest, resource=f"{BUCKET}/secret/k") is Decision.NOT_APPLICABLE


BOB = PrincipalIdentity(frozenset({"arn:aws:iam::444455556666:user/Bob"}), "444455556666")
BOB_ARNS = ["arn:aws:iam::444455556666:user/Bob", "arn:aws:iam::444455556666:root"]
AUDIT_ROLE = "arn:aws:iam::444455556666:role/cross-account-read-only-role"
AUDIT_SESSION = "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app"
AUDITOR = PrincipalIdentity(frozenset({AUDIT_ROLE, AUDIT_SESSION}), "444455556666")


@pytest.mark.parametrize(
    ("not_principal", "caller", "denied"),
    [
        ({"AWS": BOB_ARNS}, BOB, False),  # user and account named: exempt
        ({"AWS": BOB_ARNS}, ALICE, True),
        ({"AWS": BOB_ARNS}, ANONYMOUS, True),
        ({"AWS": "arn:aws:iam::444455556666:user/Bob"}, BOB, True),  # account not named: fails closed
        ({"AWS": [AUDIT_SESSION, AUDIT_ROLE, "arn:aws:iam::444455556666:root"]}, AUDITOR, False),
        ({"AWS": [AUDIT_SESSION, "arn:aws:iam::444455556666:root"]}, AUDITOR, True),  # role not named
        ({"AWS": "*"}, ALICE, False),
    ],
)
def test_not_principal_with_deny(not_principal: object, caller: PrincipalIdentity, denied: bool) -> None:
    compiled = policy(
        stmt("Allow", "s3:*", "*", Principal="*"),
        stmt("Deny", "s3:*", [BUCKET, f"{BUCKET}/*"], NotPrincipal=not_principal),
        kind=PolicyKind.RESOURCE,
    )
    expected = Decision.DENY if denied else Decision.ALLOW
    assert decide(compiled, resource=f"{BUCKET}/k", principal=caller) is expected


def test_not_principal_with_allow_grants_everyone_else() -> None:
    compiled = policy(stmt("Allow", NotPrincipal={"AWS": ACCOUNT}), kind=PolicyKind.RESOURCE)
    assert run(compiled, principal=BOB).principal_match is PrincipalMatch.ANYONE
    assert decide(compiled, principal=ANONYMOUS) is Decision.ALLOW
    assert decide(compiled, principal=ALICE) is Decision.NOT_APPLICABLE  # named at the account level


def test_trace_explains_not_applicable() -> None:
    compiled = policy(
        stmt("Allow", "s3:PutObject", Sid="Put"),
        stmt("Allow", "s3:GetObject", f"{BUCKET}/*", Sid="Res"),
        stmt("Allow", "s3:GetObject", "*", {"StringEquals": {"aws:SourceVpce": "vpce-1"}}, Sid="Vpce"),
        stmt("Deny", "s3:GetObject", "*", {"Bool": {"aws:SecureTransport": "false"}}, Sid="Tls"),
    )
    result = run(compiled, resource="arn:aws:s3:::other/k", keys={"aws:securetransport": "true"})
    assert result.decision is Decision.NOT_APPLICABLE
    assert result.trace == (
        StatementResult(0, "Put", "Allow", False, "action not matched"),
        StatementResult(1, "Res", "Allow", False, "resource not matched"),
        StatementResult(2, "Vpce", "Allow", False, "condition StringEquals aws:SourceVpce failed"),
        StatementResult(3, "Tls", "Deny", False, "condition Bool aws:SecureTransport failed"),
    )


def test_trace_lists_matching_statements() -> None:
    compiled = policy(stmt(Sid="A"), stmt("Allow", "s3:PutObject", Sid="B"), stmt(Sid="C"))
    result = run(compiled)
    assert result.decision is Decision.ALLOW
    assert [entry.sid for entry in result.trace] == ["A", "C"]


def test_statement_may_be_a_single_object() -> None:
    from ironbucket.policy import parse_policy

    compiled = parse_policy(
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}',
        PolicyKind.IDENTITY,
    )
    assert decide(compiled) is Decision.ALLOW


def test_trust_policy() -> None:
    compiled = policy(
        stmt("Allow", "sts:AssumeRole", None, Principal={"Service": "ec2.amazonaws.com"}),
        stmt(
            "Allow",
            "sts:AssumeRole",
            None,
            Principal={"AWS": ACCOUNT},
            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        ),
        kind=PolicyKind.TRUST,
    )
    ec2 = PrincipalIdentity(service="ec2.amazonaws.com")
    result = run(compiled, action="sts:AssumeRole", resource=f"arn:aws:iam::{ACCOUNT}:role/r", principal=ec2)
    assert result.decision is Decision.ALLOW and result.principal_match is PrincipalMatch.SPECIFIC
    assert decide(compiled, action="sts:AssumeRole", principal=ALICE) is Decision.NOT_APPLICABLE
    with_mfa = run(
        compiled, action="sts:AssumeRole", principal=ALICE, keys={"aws:MultiFactorAuthPresent": "true"}
    )
    assert with_mfa.principal_match is PrincipalMatch.ACCOUNT


def test_action_index_is_case_insensitive_and_memoised() -> None:
    compiled = policy(stmt("Allow", "s3:getobject"))
    for action in ("s3:GetObject", "S3:GETOBJECT", "s3:GetObject"):
        assert decide(compiled, action=action) is Decision.ALLOW
    assert compiled.for_action("s3:GetObject") is compiled.for_action("s3:GetObject")


def test_unknown_request_action_is_not_applicable() -> None:
    assert decide(policy(stmt("Allow", "s3:*")), action="nonsense") is Decision.NOT_APPLICABLE
    assert decide(policy(stmt("Allow", "*")), action="nonsense") is Decision.ALLOW
