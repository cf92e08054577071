"""Authorization as KMS does it, on top of the shared engine.

A check on a key evaluates the key policy (which must allow, even in the key's own account;
naming the account's root principal delegates to IAM policies), the caller's IAM policies, and
then the key's grants: a grant lets its grantee do the grant's operations when the request's
encryption context meets its constraints. An explicit deny in any policy wins over grants.
Account-level actions (CreateKey, ListKeys, ListAliases, an alias's own ARN) have no key
policy: IAM alone decides.

Handlers obtain keys only through ``authorized_key`` / ``authorize_key``, so nothing acts on a
key it was not allowed to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ironbucket.authz import memo
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import Keys
from ironbucket.authz.engine import principal_identity
from ironbucket.authz.grant import Check
from ironbucket.authz.policies import identity_side
from ironbucket.kms import grants, lookup, policies
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import AccessDeniedException, DryRunOperationException
from ironbucket.storage.kms_records import KmsGrant, KmsKey

_GRANT_PAGE = 10000


def condition_keys(call: KmsCall, context: Mapping[str, str] | None,
                   extra: Keys | None = None, key: KmsKey | None = None) -> Keys:
    keys = dict(call.base_keys())
    keys["kms:calleraccount"] = (call.account_id,)
    if context is not None:
        for name, value in context.items():
            keys[f"kms:encryptioncontext:{name.lower()}"] = (value,)
        keys["kms:encryptioncontextkeys"] = tuple(context)
    if call.via_service is not None:
        keys["kms:viaservice"] = (call.via_service,)
    if key is not None and key.tags:
        for name, value in key.tags.items():
            keys[f"aws:resourcetag/{name.lower()}"] = (value,)
    if extra:
        keys.update(extra)
    return keys


def _denied(call: KmsCall, action: str, resource: str) -> AccessDeniedException:
    return AccessDeniedException(f"User: {call.principal.arn} is not authorized to perform: {action} "
                                 f"on resource: {resource}")


async def authorize_account(call: KmsCall, action: str, resource: str = "*",
                            extra: Keys | None = None) -> None:
    """An action with no key policy in play (CreateKey, ListKeys, an alias ARN)."""
    authorizer = Authorizer(call.meta, call.principal, condition_keys(call, None, extra),
                            call.decisions, endpoint=call.endpoint)
    if not await authorizer.allowed(Check(action, resource, call.account_id)):
        raise _denied(call, action, resource)


async def authorize_key(call: KmsCall, action: str, key: KmsKey, *,
                        context: Mapping[str, str] | None = None, extra: Keys | None = None,
                        grant_filter: Callable[[KmsGrant], bool] | None = None) -> None:
    check = Check(action, key.arn, key.account_id)
    key_policy = policies.labelled(check.resource, key.policy)
    if call.endpoint is None and not extra:
        # The same caller allowed by the very same context-free policies a moment ago (the hot
        # path of S3 reads of SSE-KMS objects): no need to build the authorizer again.
        identity = await identity_side(call.meta, call.principal)
        known = memo.recall(call.principal, check, identity, key_policy)
        if known is not None and known.allowed:
            call.decisions.append((check, known))
            return
    # Built only if a policy in play needs them (authz/memo.py may decide without).
    authorizer = Authorizer(call.meta, call.principal, lambda: condition_keys(call, context, extra, key),
                            call.decisions, endpoint=call.endpoint)
    authorizer.resource_policies[key.arn] = key_policy
    if await authorizer.allowed(check):
        return
    outcome = authorizer.decisions[-1][1]
    operation = action.split(":", 1)[1]
    if not outcome.explicit_deny and await _granted(call, key, operation, context, grant_filter):
        return
    raise _denied(call, action, key.arn)


async def _granted(call: KmsCall, key: KmsKey, operation: str, context: Mapping[str, str] | None,
                   grant_filter: Callable[[KmsGrant], bool] | None) -> bool:
    if operation not in grants.OPERATIONS or call.principal.is_anonymous:
        return False
    arns = principal_identity(call.principal).arns
    for grant in await call.meta.kms_list_grants(key.key_id, "", _GRANT_PAGE):
        if grants.allows(grant, arns, operation, context) and (grant_filter is None or grant_filter(grant)):
            return True
    return False


async def authorized_key(call: KmsCall, text: str, action: str, *, aliases: bool = True,
                         context: Mapping[str, str] | None = None, extra: Keys | None = None) -> KmsKey:
    """The key ``text`` identifies, once the caller may do ``action`` on it."""
    key = await lookup.resolve(call, text, aliases=aliases)
    await authorize_key(call, action, key, context=context, extra=extra)
    return key


def dry_run(call: KmsCall) -> None:
    """After every check passed: a DryRun request stops here, as AWS's does."""
    if call.params.boolean("DryRun"):
        raise DryRunOperationException("The request would have succeeded, but the DryRun option is set.")
