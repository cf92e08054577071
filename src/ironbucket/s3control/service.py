"""The S3 Control API (REST/XML, same port): account-level Block Public Access.

botocore sends these requests to ``<account-id>.<endpoint host>`` with the account in the
``x-amz-account-id`` header, paths under ``/v20180820/``, signed for service ``s3``. Every
operation is declared in ``CATALOG`` with the IAM action AWS checks; nothing runs before that
check passes. Operations not listed answer 501 NotImplemented.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_AWS_S3_Control.html
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ironbucket.api.context import Services
from ironbucket.api.public_access import ROOT, parse, render
from ironbucket.auth.authenticate import authenticate, open_body
from ironbucket.auth.authentication import Authentication
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import request_keys
from ironbucket.authz.grant import Check
from ironbucket.authz.public_access import ACCOUNT_SETTING, account_settings
from ironbucket.errors import AccessDenied, MaxMessageLengthExceeded, NoSuchPublicAccessBlockConfiguration
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.events.record import RequestRecord
from ironbucket.http import xml
from ironbucket.http.request import Request
from ironbucket.http.response import Response, empty, xml_response

PREFIX = "/v20180820/"
NAMESPACE = "http://awss3control.amazonaws.com/doc/2018-08-20/"
MAX_DOCUMENT = 64 * 1024
_ACCOUNT_ID = re.compile(r"\d{12}")


@dataclass(slots=True)
class ControlCall:
    request: Request
    services: Services
    account_id: str
    body: bytes


Handler = Callable[[ControlCall], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class ControlOperation:
    name: str
    action: str  # checked on "*": these actions have no resource type
    handler: Handler


async def _get_public_access_block(call: ControlCall) -> Response:
    settings = await account_settings(call.services.meta, call.account_id)
    if settings is None:
        raise NoSuchPublicAccessBlockConfiguration(AccountId=call.account_id)
    return xml_response(render(settings, NAMESPACE))


async def _put_public_access_block(call: ControlCall) -> Response:
    settings = parse(xml.expect_root(xml.parse(call.body), ROOT))
    await call.services.meta.put_setting(ACCOUNT_SETTING + call.account_id, settings.dumps())
    return empty(200)


async def _delete_public_access_block(call: ControlCall) -> Response:
    await call.services.meta.put_setting(ACCOUNT_SETTING + call.account_id, None)
    return empty(204)


# (method, path after the version prefix) -> operation
CATALOG: dict[tuple[str, str], ControlOperation] = {
    ("GET", "configuration/publicAccessBlock"): ControlOperation(
        "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock", _get_public_access_block),
    ("PUT", "configuration/publicAccessBlock"): ControlOperation(
        "PutPublicAccessBlock", "s3:PutAccountPublicAccessBlock", _put_public_access_block),
    # AWS checks the Put action for the delete too.
    ("DELETE", "configuration/publicAccessBlock"): ControlOperation(
        "DeletePublicAccessBlock", "s3:PutAccountPublicAccessBlock", _delete_public_access_block),
}


def is_control_request(request: Request) -> bool:
    return request.raw_path.startswith(PREFIX) and "x-amz-account-id" in request.headers


async def handle(request: Request, services: Services, record: RequestRecord, now: float) -> Response:
    settings = services.settings
    auth = await authenticate(request, services.credentials, region=settings.region, now=now,
                              bucket_from_host=None)
    record.principal_arn = auth.principal.arn
    record.access_key_id = auth.access_key_id
    account_id = request.headers.get("x-amz-account-id", "")
    operation = CATALOG.get((request.method, request.raw_path[len(PREFIX):]))
    if operation is None:
        raise S3NotImplemented("This S3 Control operation is not implemented by this server.")
    record.operation = f"s3control:{operation.name}"
    principal = auth.principal
    # Account-level settings belong to the caller's own account only.
    if principal.is_anonymous or not _ACCOUNT_ID.fullmatch(account_id) or account_id != principal.account_id:
        raise AccessDenied()
    keys = request_keys(request, auth, now=now, trusted_proxies=settings.trusted_proxies,
                        resource_account=account_id)
    await Authorizer(services.meta, principal, keys, record.decisions).authorize(
        [Check(operation.action, "*", account_id)])
    if auth.access_key_id is not None:
        services.credentials.note_use(auth.access_key_id, auth.service, auth.region, now)
    return await operation.handler(ControlCall(request, services, account_id, await _read(request, auth)))


async def _read(request: Request, auth: Authentication) -> bytes:
    parts: list[bytes] = []
    size = 0
    async for chunk in open_body(request.body, auth.payload).chunks():
        size += len(chunk)
        if size > MAX_DOCUMENT:
            raise MaxMessageLengthExceeded()
        parts.append(chunk)
    return b"".join(parts)
