"""authz/memo.py: outcomes of context-free policies are reused only for the same principal,
check and very same policy objects; anything reading the request is never remembered."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ironbucket.auth.principal import Principal
from ironbucket.authz import memo
from ironbucket.authz.engine import Labelled, PolicySet, decide
from ironbucket.authz.grant import Check
from tests.unit.authz.test_engine import ALICE, OBJECT, bucket_policy, doc, identity, root, stmt, user

CHECK = Check("s3:GetObject", OBJECT, "111122223333")
PLAIN = doc(stmt("Allow", "s3:GetObject"))
CONDITIONED = doc(stmt("Allow", "s3:GetObject", condition={"Bool": {"aws:SecureTransport": "true"}}))
VARIABLE = doc(stmt("Allow", "s3:GetObject", resource="arn:aws:s3:::data/${aws:username}/*"))


@pytest.fixture(autouse=True)
def empty() -> None:
    memo._memo.clear()


def remembered(principal: Principal, identity_set: PolicySet, resource: Labelled | None) -> None:
    policies = PolicySet(identity_set.identity, identity_set.boundary, identity_set.session, resource)
    memo.remember(principal, CHECK, identity_set, resource,
                  decide(principal, CHECK, policies, {}))


def test_context_free_outcome_is_reused_for_the_same_inputs() -> None:
    alice, identity_set = user(), PolicySet(identity=(identity(PLAIN),))
    remembered(alice, identity_set, None)
    outcome = memo.recall(alice, CHECK, identity_set, None)
    assert outcome is not None and outcome.allowed


@pytest.mark.parametrize("text", [CONDITIONED, VARIABLE], ids=["condition", "policy variable"])
@pytest.mark.parametrize("side", ["identity", "resource"])
def test_policies_reading_the_request_are_never_remembered(text: str, side: str) -> None:
    alice = user()
    if side == "identity":
        identity_set, resource = PolicySet(identity=(identity(text),)), None
    else:
        identity_set = PolicySet(identity=(identity(PLAIN),))
        resource = bucket_policy(text.replace('"Effect"', '"Principal": "*", "Effect"', 1))
    remembered(alice, identity_set, resource)
    assert memo.recall(alice, CHECK, identity_set, resource) is None


def test_other_principals_checks_or_policy_objects_miss() -> None:
    alice, identity_set = user(), PolicySet(identity=(identity(PLAIN),))
    policy = bucket_policy(doc(stmt("Allow", "s3:GetObject", principal={"AWS": ALICE})))
    remembered(alice, identity_set, policy)
    assert memo.recall(alice, CHECK, identity_set, policy) is not None
    misses = [
        (user("bob"), CHECK, identity_set, policy),
        (replace(alice, account_id="444455556666"), CHECK, identity_set, policy),
        (root(), CHECK, identity_set, policy),
        (alice, replace(CHECK, action="s3:PutObject"), identity_set, policy),
        (alice, replace(CHECK, resource=OBJECT + "2"), identity_set, policy),
        (alice, replace(CHECK, owner="444455556666"), identity_set, policy),
        # an equal but newly compiled policy is another object: the configuration changed
        (alice, CHECK, PolicySet(identity=(identity(PLAIN),)), policy),
        (alice, CHECK, identity_set, bucket_policy(policy.policy.text)),
        (alice, CHECK, identity_set, None),
    ]
    for principal, check, identity_arg, resource in misses:
        assert memo.recall(principal, check, identity_arg, resource) is None


def test_denials_are_remembered_too() -> None:
    alice, identity_set = user(), PolicySet(identity=(identity(doc(stmt("Deny", "s3:GetObject"))),))
    remembered(alice, identity_set, None)
    outcome = memo.recall(alice, CHECK, identity_set, None)
    assert outcome is not None and not outcome.allowed


def test_bounded() -> None:
    identity_set = PolicySet(identity=(identity(PLAIN),))
    for n in range(memo._LIMIT + 5):
        remembered(user(f"u{n}"), identity_set, None)
    assert len(memo._memo) <= memo._LIMIT
