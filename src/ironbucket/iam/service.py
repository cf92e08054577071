"""The IAM service (Query protocol): route the action through the catalog, authorize its
``iam:<Action>`` on its resource, run it, answer in IAM's XML.

Every IAM entity belongs to the caller's account. Errors are S3Error subclasses named after
IAM's codes (``iam/errors.py``); the pipeline renders them in the Query protocol's format.
"""

from __future__ import annotations

from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import add_tags, request_keys
from ironbucket.authz.endpoints import endpoint_policy
from ironbucket.authz.grant import Check
from ironbucket.http.query_protocol import QueryContext, member_structs, result_response
from ironbucket.http.response import Response
from ironbucket.iam.call import IamCall
from ironbucket.iam.catalog import CATALOG
from ironbucket.iam.errors import InvalidAction, from_store
from ironbucket.iam.resources import resource_arns
from ironbucket.storage.interfaces import IamStoreError


async def handle(ctx: QueryContext) -> Response:
    _note_key_use(ctx)
    operation = CATALOG.get(ctx.action)
    if operation is None:
        raise InvalidAction(f"Could not find operation {ctx.action} for version 2010-05-08")
    call = IamCall.of(ctx)
    principal = ctx.auth.principal
    # Anonymous callers are refused before their parameters are even looked at.
    resources = ["*"] if principal.is_anonymous else await resource_arns(operation, call)
    keys = request_keys(ctx.request, ctx.auth, now=ctx.now,
                        trusted_proxies=ctx.services.settings.trusted_proxies,
                        resource_account=ctx.account_id or None)
    tags = [(t.get("Key", ""), t.get("Value", "")) for t in member_structs(ctx.params, "Tags")]
    if tags:
        add_tags(keys, "aws:requesttag", "aws:tagkeys", tags)
    authorizer = Authorizer(ctx.services.meta, principal, keys, ctx.record.decisions,
                            endpoint=endpoint_policy(ctx.request.endpoint))
    await authorizer.authorize([Check(operation.action, arn, ctx.account_id or None) for arn in resources])
    try:
        result = await operation.handler(call)
    except IamStoreError as exc:
        raise from_store(exc) from None
    return result_response("iam", ctx.action, result, ctx.request.request_id)


def _note_key_use(ctx: QueryContext) -> None:
    """The request authenticated with a key: remember that for GetAccessKeyLastUsed."""
    key_id = ctx.auth.access_key_id
    if key_id is not None:
        ctx.services.credentials.note_use(key_id, ctx.auth.service, ctx.auth.region, ctx.now)
