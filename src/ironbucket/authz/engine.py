"""AWS's policy evaluation logic for one (action, resource) check — pure, no I/O.

https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

1. An explicit Deny in any applicable policy (identity, resource, boundary, session) wins.
2. The root user of the account that owns the resource is allowed.
3. Same account: a resource policy that names the caller itself (a user ARN, a role *session*
   ARN) allows on its own; one that names the role ARN or "*" allows within the caller's
   permissions boundary and session policies; one that names only the account delegates to
   the identity side. Otherwise identity policies must allow, capped by the boundary and the
   session policies.
4. Another account: both the resource policy (naming the caller, its account, or "*") and the
   caller's own identity side must allow.
5. Anonymous callers, service principals and identities from outside (CloudFront origin access
   identities) have no identity side here: the resource policy decides.
6. The policy of the private (VPC) endpoint a request came through must allow it too, whoever
   the caller is (root users included); an explicit Deny in it is an explicit deny.
7. A role's trust policy is a resource policy that must allow in every case: in the role's own
   account as well, where a bucket policy need not. So must a KMS key policy, which binds the
   key account's root user too; naming the account ("…:root") delegates to identity policies.
8. ACLs (when the bucket's Object Ownership enables them) are one more resource-based grant,
   decided in authz/acl.py; in the context of an object another account owns, that account is
   the resource owner and the bucket policy can only deny.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.authz.acl import AclVerdict
from ironbucket.authz.grant import Check
from ironbucket.policy import (
    Decision,
    Evaluation,
    Policy,
    PolicyKind,
    PrincipalIdentity,
    PrincipalMatch,
    RequestContext,
    evaluate,
)

# The bucket owner's root user can always manage the bucket policy, even one that denies it:
# AWS's protection against locking the owner out.
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
ROOT_LOCKOUT_EXEMPT = frozenset({"s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy"})


@dataclass(frozen=True, slots=True)
class Labelled:
    """A compiled policy and where it came from (for the decision trace)."""

    label: str
    policy: Policy
    # s3:ExistingObjectTag needs the object's tags loaded before evaluating; decided once.
    uses_existing_tags: bool = False
    public: bool = False  # a resource policy granting public access (GetBucketPolicyStatus's sense)
    # A KMS key policy: it must allow in the key's own account too, the root user included.
    key_policy: bool = False

    @classmethod
    def of(cls, label: str, policy: Policy, *, public: bool = False, key_policy: bool = False
           ) -> Labelled:
        return cls(label, policy, "existingobjecttag" in policy.text.lower(), public, key_policy)


@dataclass(frozen=True, slots=True)
class PolicySet:
    identity: tuple[Labelled, ...] = ()
    boundary: Labelled | None = None
    session: tuple[Labelled, ...] = ()
    resource: Labelled | None = None
    # Block Public Access's RestrictPublicBuckets: the resource policy is public, so its Allows
    # count only for the owner account's principals and service principals (Denies still do).
    restricted: bool = False
    acl: AclVerdict | None = None  # None: ACLs disabled (BucketOwnerEnforced) or not an S3 resource
    # The policy of the private endpoint the request came through: it must allow as well, for
    # every principal (the root user included); None means no restriction.
    endpoint: Labelled | None = None


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    label: str  # which policy (see Labelled)
    index: int  # statement position in it
    sid: str | None
    effect: str


@dataclass(frozen=True)  # no slots: ``trace`` is computed once (remembered outcomes are reused)
class Outcome:
    allowed: bool
    reason: str
    # Each evaluated policy's label and result; the trace and the deciding statements are
    # derived from them only when someone reads them (the decision log, explain, Simulate).
    results: tuple[tuple[str, Evaluation], ...] = field(default=())

    @cached_property
    def trace(self) -> tuple[str, ...]:
        return tuple(line for label, result in self.results for line in _trace(label, result))

    @property
    def matched(self) -> tuple[MatchedStatement, ...]:
        return tuple(MatchedStatement(label, item.index, item.sid, item.effect)
                     for label, result in self.results for item in result.trace if item.matched)

    @property
    def explicit_deny(self) -> bool:
        return not self.allowed and any(m.effect == "Deny" for m in self.matched)


def principal_identity(principal: Principal) -> PrincipalIdentity:
    arns = {principal.arn}
    if principal.type is PrincipalType.ASSUMED_ROLE and principal.session and principal.session.role_arn:
        arns.add(principal.session.role_arn)
    if principal.type is PrincipalType.ACCOUNT:
        arns = {f"arn:aws:iam::{principal.account_id}:root"}
    return PrincipalIdentity(
        arns=frozenset(arns) if not principal.is_anonymous else frozenset(),
        account=principal.account_id or None,
        canonical_id=None if principal.is_anonymous else principal.canonical_id,
        service=principal.username if principal.type is PrincipalType.SERVICE else None,
        federated=None,
        anonymous=principal.is_anonymous,
    )


def _trace(label: str, result: Evaluation) -> list[str]:
    if result.decision is Decision.NOT_APPLICABLE:  # nothing matched: no need to build its trace
        return [f"{label}: no statement applies"]
    lines = []
    for item in result.trace:
        if item.matched:
            sid = f" ({item.sid})" if item.sid else ""
            lines.append(f"{label} statement {item.index}{sid}: {item.effect} matched")
    if not lines:
        lines.append(f"{label}: no statement applies")
    return lines


def decide(principal: Principal, check: Check, policies: PolicySet,
           keys: Mapping[str, tuple[str, ...]]) -> Outcome:
    if not (policies.identity or policies.boundary or policies.session or policies.resource
            or policies.acl or policies.endpoint):
        # No policy applies at all: only the owning account's root user may act.
        if principal.is_root and (check.owner is None or check.owner == principal.account_id):
            return _ROOT
        return _NO_POLICY
    identity = principal_identity(principal)
    request = RequestContext(action=check.action, resource=check.resource, principal=identity, keys=keys)
    results: list[tuple[str, Evaluation]] = []

    def done(allowed: bool, reason: str) -> Outcome:
        return Outcome(allowed, reason, tuple(results))

    def run(labelled: Labelled) -> Evaluation:
        result = evaluate(labelled.policy, request)
        results.append((labelled.label, result))
        return result

    identity_results = [run(p) for p in policies.identity]
    boundary = run(policies.boundary) if policies.boundary else None
    sessions = [run(p) for p in policies.session]
    resource = run(policies.resource) if policies.resource else None
    if policies.endpoint is not None:
        endpoint = run(policies.endpoint)
        # An endpoint policy caps everyone; not even the bucket owner's lockout exemption
        # reaches past it (the owner can still act through another network path).
        if endpoint.decision is Decision.DENY:
            return done(False, "explicit deny")
        if endpoint.decision is not Decision.ALLOW:
            return done(False, f"not allowed by the {policies.endpoint.label}")
    everything: Sequence[Evaluation | None] = [*identity_results, boundary, *sessions, resource]
    # --- ACLs (authz/acl.py): the deciding context's owner, and the ACL as a resource grant ---
    acl = policies.acl
    owner = acl.owner if acl is not None else check.owner
    acl_match = acl.match if acl is not None else PrincipalMatch.NONE
    policy_grants = acl is None or acl.bucket_policy_grants
    acl_label = acl.label if acl is not None else "ACL"
    # --- end ACLs ---
    same_account = owner is None or owner == principal.account_id

    lockout_exempt = principal.is_root and same_account and check.action.lower() in ROOT_LOCKOUT_EXEMPT
    if any(r is not None and r.decision is Decision.DENY for r in everything) and not lockout_exempt:
        return done(False, "explicit deny")
    key_policy = policies.resource is not None and policies.resource.key_policy
    if principal.is_root and same_account and not key_policy:
        return done(True, "root user of the owning account")

    has_identity = principal.type not in (PrincipalType.ANONYMOUS, PrincipalType.SERVICE) \
        and not principal.external
    identity_allows = principal.is_root or any(r.decision is Decision.ALLOW for r in identity_results)
    within_boundary = boundary is None or boundary.decision is Decision.ALLOW
    within_session = not sessions or any(r.decision is Decision.ALLOW for r in sessions)
    capped_identity = has_identity and identity_allows and within_boundary and within_session
    resource_allows = resource is not None and resource.decision is Decision.ALLOW and policy_grants
    restricted_away = resource_allows and policies.restricted and not _inside_restriction(principal, check)
    if restricted_away:
        resource_allows = False
    match = resource.principal_match if resource is not None and resource_allows else PrincipalMatch.NONE

    if not has_identity:
        if resource_allows and match is not PrincipalMatch.NONE:
            return done(True, "allowed by the resource policy")
        if acl_match is PrincipalMatch.ANYONE:  # ACL: AllUsers
            return done(True, f"allowed by the {acl_label}")
        return done(False, _RESTRICTED if restricted_away else "no policy allows this caller")

    if resource is not None and policies.resource is not None \
            and policies.resource.policy.kind is PolicyKind.TRUST and not resource_allows:
        # A role's trust policy must always allow, even for callers in the role's own account.
        return done(False, "the role's trust policy does not allow this caller")
    if key_policy and not resource_allows:
        # Nothing reaches a KMS key that its key policy does not let in, not even its own
        # account's root user; a statement naming the account delegates to IAM policies.
        return done(False, "the key policy does not allow this caller")
    if same_account:
        if resource_allows and match is PrincipalMatch.SPECIFIC and _named_directly(
                principal, identity, request, policies):
            return done(True, "resource policy names this principal")
        if resource_allows and match in (PrincipalMatch.SPECIFIC, PrincipalMatch.ANYONE) \
                and within_boundary and within_session:
            return done(True, "allowed by the resource policy")
        if acl_match is PrincipalMatch.ANYONE and within_boundary and within_session:  # ACL
            return done(True, f"allowed by the {acl_label}")
        if capped_identity:
            return done(True, "allowed by identity policies")
        if identity_allows and not within_boundary:
            return done(False, "outside the permissions boundary")
        if identity_allows and not within_session:
            return done(False, "outside the session policies")
        return done(False, "no policy allows this action")

    if not resource_allows and acl_match is PrincipalMatch.NONE:  # ACL: also a resource-side grant
        return done(False, _RESTRICTED if restricted_away
                    else "cross-account: the resource policy does not allow")
    if not capped_identity:
        return done(False, "cross-account: the caller's own policies do not allow")
    return done(True, "cross-account: both sides allow" if resource_allows
                else f"cross-account: the {acl_label} and the caller's own policies allow")


def _inside_restriction(principal: Principal, check: Check) -> bool:
    if principal.type is PrincipalType.SERVICE:
        return True
    return not principal.is_anonymous and (check.owner is None or principal.account_id == check.owner)


_RESTRICTED = ("block public access (RestrictPublicBuckets): the bucket policy is public, so it grants "
               "nothing outside the bucket owner's account")
_ROOT = Outcome(True, "root user of the owning account")
_NO_POLICY = Outcome(False, "no policy allows this caller")


def _named_directly(principal: Principal, identity: PrincipalIdentity, request: RequestContext,
                    policies: PolicySet) -> bool:
    """Did the resource policy name the caller itself rather than its role? Only a role session
    can match through either; its boundary and session policies apply when the role was named."""
    if principal.type is not PrincipalType.ASSUMED_ROLE or policies.resource is None:
        return True
    own = PrincipalIdentity(arns=frozenset({principal.arn}), account=identity.account,
                            canonical_id=identity.canonical_id, service=None, federated=None,
                            anonymous=False)
    alone = RequestContext(action=request.action, resource=request.resource, principal=own,
                           keys=request.keys)
    result = evaluate(policies.resource.policy, alone)
    return result.decision is Decision.ALLOW and result.principal_match is PrincipalMatch.SPECIFIC
