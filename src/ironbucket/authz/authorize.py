"""The authorize stage: may this caller make these checks? Only this module mints AccessGrants.

An ``Authorizer`` is made per request with the request's condition keys; the pipeline asks it
for the catalog's checks, and handlers that act per item (DeleteObjects, PostObject, the 404
vs 403 rule) ask it again. Any exception while deciding is a deny (fail closed). The decision
trace goes to the request's record (and from there to the decision log for
``ironbucket explain``), never to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ironbucket.auth.principal import Principal
from ironbucket.authz import acl as acls
from ironbucket.authz import context as condition_keys
from ironbucket.authz import memo
from ironbucket.authz.access_points import AccessPoint
from ironbucket.authz.engine import Labelled, Outcome, PolicySet, decide
from ironbucket.authz.grant import AccessGrant, Check, mint
from ironbucket.authz.policies import bucket_of, identity_side, resource_side
from ironbucket.authz.public_access import account_settings, in_force
from ironbucket.errors import AccessDenied
from ironbucket.features.public_access import effective
from ironbucket.storage.interfaces import MetadataStore

log = logging.getLogger(__name__)
Decided = tuple[Check, Outcome]  # one check and how it was decided, for the decision log
_NONE: frozenset[str] = frozenset()


class Authorizer:
    def __init__(self, meta: MetadataStore, principal: Principal,
                 keys: condition_keys.Keys | Callable[[], condition_keys.Keys],
                 decisions: list[Decided] | None = None, *,
                 access_point: AccessPoint | None = None, endpoint: Labelled | None = None) -> None:
        self._meta = meta
        self.principal = principal
        # The policy of the private endpoint the request came through (authz/endpoints.py).
        self.endpoint = endpoint
        # A request through an access point: every check on its bucket is made twice, on the
        # access point's ARN (identity + access point policy) and on the bucket's (identity +
        # bucket policy); both must allow.
        self.access_point = access_point
        # Condition keys are built on first need: a caller whose checks meet no policy at all
        # (the bucket owner's root user, a bucket without a policy) never pays for them.
        self._keys = keys if isinstance(keys, dict) else None
        self._build_keys = None if isinstance(keys, dict) else keys
        self._identity: PolicySet | None = None
        self.decisions: list[Decided] = decisions if decisions is not None else []
        # Resource policies that are not bucket policies (a role's trust policy, for AssumeRole).
        self.resource_policies: dict[str, Labelled] = {}
        # Objects this request creates: ACL headers on them concern the new object (see acl.py).
        self._creating: frozenset[str] = _NONE

    @property
    def keys(self) -> condition_keys.Keys:
        if self._keys is None:
            assert self._build_keys is not None
            self._keys = self._build_keys()
        return self._keys

    async def authorize(self, checks: Sequence[Check]) -> AccessGrant:
        creating = [c.resource for c in checks if c.action == "s3:PutObject"]
        self._creating = frozenset(creating) if creating else _NONE  # most requests create nothing
        for check in checks:
            if not await self.allowed(check):
                raise AccessDenied()
        return mint(self.principal, tuple(checks))

    async def allowed(self, check: Check) -> bool:
        point = self.access_point
        if point is not None and bucket_of(check.resource) == point.bucket:
            key = check.resource[len("arn:aws:s3:::"):].partition("/")[2]
            through = Check(check.action, point.resource_arn(key or None), point.account_id)
            return await self._allowed(through) and await self._allowed(check)
        return await self._allowed(check)

    async def _allowed(self, check: Check) -> bool:
        try:
            outcome = await self._decide(check)
        except Exception:  # fail closed: an error while deciding is a deny
            log.exception("authorization failed for %s on %s; denying", check.action, check.resource)
            outcome = Outcome(False, "error while deciding (denied)")
        self.decisions.append((check, outcome))
        return outcome.allowed

    async def _decide(self, check: Check) -> Outcome:
        if self._identity is None:
            self._identity = await identity_side(self._meta, self.principal)
        resource = self.resource_policies.get(check.resource) or await resource_side(
            self._meta, check.resource)
        identity = self._identity
        acl = await acls.verdict(self._meta, check, self.principal, self._version_id,
                                 creating=check.resource in self._creating)
        if resource is None and acl is None and self.endpoint is None and not (
                identity.identity or identity.boundary or identity.session):
            return decide(self.principal, check, identity, {})  # nothing to evaluate: no keys needed
        restricted = resource is not None and resource.public and await self._restricts_public(check)
        plain = acl is None and not restricted and self.endpoint is None  # see authz/memo.py
        if plain and (known := memo.recall(self.principal, check, identity, resource)) is not None:
            return known
        policies = PolicySet(identity.identity, identity.boundary, identity.session, resource,
                             restricted=restricted, acl=acl, endpoint=self.endpoint)
        keys = self.keys
        if _mentions_existing_tags(policies):
            keys = {**keys, **await self._existing_tags(check.resource)}
        outcome = decide(self.principal, check, policies, keys)
        if plain:
            memo.remember(self.principal, check, identity, resource, outcome)
        return outcome

    async def _restricts_public(self, check: Check) -> bool:
        """Block Public Access's RestrictPublicBuckets in force for a public resource policy: the
        strictest of the account's, the bucket's and the access point's settings."""
        point = self.access_point
        bucket = bucket_of(check.resource) or (point.bucket if point is not None else None)
        owner = point.bucket_account_id if point is not None else check.owner
        if bucket is None or owner is None:
            return False
        settings = await in_force(self._meta, bucket, owner)
        if point is not None:
            settings = effective(settings, point.public_access_block,
                                 await account_settings(self._meta, point.account_id))
        return settings.restrict_public_buckets

    def _version_id(self) -> str | None:
        """The version the request names (?versionId), for the object's ACL and owner."""
        return self.keys.get("s3:versionid", (None,))[0]

    async def _existing_tags(self, resource: str) -> condition_keys.Keys:
        """s3:ExistingObjectTag/<k> needs the object's tags: loaded only for policies using it."""
        bucket = bucket_of(resource)
        key = resource[len("arn:aws:s3:::"):].partition("/")[2] if bucket else ""
        keys: condition_keys.Keys = {}
        if bucket and key:
            version = await self._meta.get_version(bucket, key, self.keys.get("s3:versionid", (None,))[0],
                                                   with_data=False)
            if version is not None and not version.is_delete_marker:
                condition_keys.existing_object_tags(keys, version.tags)
        return keys


def _mentions_existing_tags(policies: PolicySet) -> bool:
    labelled = [*policies.identity, *policies.session, policies.boundary, policies.resource,
                policies.endpoint]
    return any(p is not None and p.uses_existing_tags for p in labelled)


async def authorize_alone(meta: MetadataStore, principal: Principal, checks: Sequence[Check],
                          keys: condition_keys.Keys | None = None) -> AccessGrant:
    """For callers outside the S3 pipeline that know only the principal (IAM, STS, admin)."""
    return await Authorizer(meta, principal, keys or condition_keys.principal_keys(principal, 0.0)
                            ).authorize(checks)
