"""Which policies apply to a check, compiled once per distinct document.

Documents were validated when they were stored; compiling them again on the way in would be
wasted work on every request, so compiled policies are kept by (kind, text). A document that
does not compile any more (a stored format from an older version, say) fails the check closed.
"""

from __future__ import annotations

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.authz import access_points
from ironbucket.authz.engine import Labelled, PolicySet
from ironbucket.policy import Policy, PolicyKind, is_public, parse_policy
from ironbucket.storage.interfaces import MetadataStore

_COMPILED: dict[tuple[PolicyKind, str], Policy] = {}
_MAX_COMPILED = 4096
BUCKET_POLICY = "policy"  # the bucket configuration document holding the bucket policy


class UnknownPrincipal(LookupError):
    pass


def compiled(text: str, kind: PolicyKind) -> Policy:
    key = (kind, text)
    policy = _COMPILED.get(key)
    if policy is None:
        policy = parse_policy(text, kind)
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        _COMPILED[key] = policy
    return policy


def bucket_of(resource: str) -> str | None:
    """The bucket an S3 ARN names ("arn:aws:s3:::bucket" / "arn:aws:s3:::bucket/key")."""
    if not resource.startswith("arn:aws:s3:::"):
        return None
    return resource[len("arn:aws:s3:::"):].partition("/")[0] or None


async def identity_side(meta: MetadataStore, principal: Principal) -> PolicySet:
    """The caller's identity-based policies, permissions boundary and session policies."""
    if principal.type is PrincipalType.USER and principal.username is not None:
        found = await meta.iam_principal_policies(principal.account_id, "user", principal.username)
    elif principal.type is PrincipalType.ASSUMED_ROLE and principal.session and principal.session.role_arn:
        role_name = principal.session.role_arn.rsplit("/", 1)[-1]
        found = await meta.iam_principal_policies(principal.account_id, "role", role_name)
    else:
        return _NOTHING
    if not found.found:
        raise UnknownPrincipal(principal.arn)  # deleted since it authenticated: deny
    # The store hands back the very same record while it is unchanged, so the labelled set
    # built from it can be reused until the record is replaced.
    known = _IDENTITY_SETS.get(id(found))
    if known is not None and known[0] is found:
        policies = known[1]
    else:
        policies = PolicySet(
            identity=tuple(Labelled.of(label, compiled(text, PolicyKind.IDENTITY))
                           for label, text in found.identity),
            boundary=None if found.boundary is None else Labelled.of(
                found.boundary[0], compiled(found.boundary[1], PolicyKind.IDENTITY)))
        if len(_IDENTITY_SETS) >= _MAX_COMPILED:
            _IDENTITY_SETS.clear()
        _IDENTITY_SETS[id(found)] = (found, policies)
    if principal.session is None or not principal.session.policies:
        return policies
    session = tuple(Labelled.of(label, compiled(text, PolicyKind.IDENTITY))
                    for label, text in principal.session.policies)
    return PolicySet(identity=policies.identity, boundary=policies.boundary, session=session)


_NOTHING = PolicySet()  # principals without identity policies (root, anonymous, services)
# id(record) -> (record, its policies); the record is kept so its id cannot be reused meanwhile.
_IDENTITY_SETS: dict[int, tuple[object, PolicySet]] = {}


async def resource_side(meta: MetadataStore, resource: str) -> Labelled | None:
    bucket = bucket_of(resource)
    if bucket is None:
        point = access_points.parse_arn(resource) if resource.startswith("arn:aws:s3:") else None
        if point is None:
            return None
        text = await access_points.policy_text(meta, point[0], point[1])
        return None if text is None else _labelled(f"access point policy of {point[1]}", text)
    text = await meta.get_bucket_config(bucket, BUCKET_POLICY)
    if text is None:
        return None
    return _labelled_bucket_policy(bucket, text)


_BUCKET_LABELS: dict[tuple[str, str], Labelled] = {}


def _labelled_bucket_policy(bucket: str, text: str) -> Labelled:
    return _labelled(f"bucket policy of {bucket}", text)


def _labelled(label: str, text: str) -> Labelled:
    found = _BUCKET_LABELS.get((label, text))
    if found is None:
        policy = compiled(text, PolicyKind.RESOURCE)
        found = Labelled.of(label, policy, public=is_public(policy))
        if len(_BUCKET_LABELS) >= _MAX_COMPILED:
            _BUCKET_LABELS.clear()
        _BUCKET_LABELS[(label, text)] = found
    return found
