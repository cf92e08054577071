"""The S3 Control API (REST/XML, same port): account-level Block Public Access and access points.

botocore sends these requests to ``<account-id>.<endpoint host>`` with the account in the
``x-amz-account-id`` header, paths under ``/v20180820/``, signed for service ``s3``. Every
operation is declared in ``CATALOG`` with the IAM action AWS checks and its resource; nothing
runs before that check passes. Operations not listed answer 501 NotImplemented.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_AWS_S3_Control.html
"""

from __future__ import annotations

import re

from ironbucket.api.context import Services
from ironbucket.auth.authenticate import authenticate, open_body
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import request_keys
from ironbucket.authz.endpoints import endpoint_policy
from ironbucket.authz.grant import Check
from ironbucket.errors import AccessDenied
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.events.record import RequestRecord
from ironbucket.http.addressing import decode_path
from ironbucket.http.request import Request
from ironbucket.http.response import Response
from ironbucket.s3control import access_point_api as ap
from ironbucket.s3control import account_settings as bpa
from ironbucket.s3control.call import ControlCall, ControlOperation, On

PREFIX = "/v20180820/"
MAX_DOCUMENT = 64 * 1024
_ACCOUNT_ID = re.compile(r"\d{12}")
_ANY = "{name}"

# (method, path pattern after the version prefix) -> operation. AWS checks the Put actions
# for the deletes too. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
CATALOG: dict[tuple[str, str], ControlOperation] = {
    ("GET", "configuration/publicAccessBlock"): ControlOperation(
        "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock", On.ACCOUNT, bpa.get_public_access_block),
    ("PUT", "configuration/publicAccessBlock"): ControlOperation(
        "PutPublicAccessBlock", "s3:PutAccountPublicAccessBlock", On.ACCOUNT, bpa.put_public_access_block),
    ("DELETE", "configuration/publicAccessBlock"): ControlOperation(
        "DeletePublicAccessBlock", "s3:PutAccountPublicAccessBlock", On.ACCOUNT,
        bpa.delete_public_access_block),
    ("GET", "accesspoint"): ControlOperation(
        "ListAccessPoints", "s3:ListAccessPoints", On.ACCOUNT, ap.list_access_points),
    ("PUT", "accesspoint/{name}"): ControlOperation(
        "CreateAccessPoint", "s3:CreateAccessPoint", On.ACCESS_POINT, ap.create_access_point),
    ("GET", "accesspoint/{name}"): ControlOperation(
        "GetAccessPoint", "s3:GetAccessPoint", On.ACCOUNT, ap.get_access_point),
    ("DELETE", "accesspoint/{name}"): ControlOperation(
        "DeleteAccessPoint", "s3:DeleteAccessPoint", On.ACCESS_POINT, ap.delete_access_point),
    ("PUT", "accesspoint/{name}/policy"): ControlOperation(
        "PutAccessPointPolicy", "s3:PutAccessPointPolicy", On.ACCESS_POINT, ap.put_access_point_policy),
    ("GET", "accesspoint/{name}/policy"): ControlOperation(
        "GetAccessPointPolicy", "s3:GetAccessPointPolicy", On.ACCESS_POINT, ap.get_access_point_policy),
    ("DELETE", "accesspoint/{name}/policy"): ControlOperation(
        "DeleteAccessPointPolicy", "s3:DeleteAccessPointPolicy", On.ACCESS_POINT,
        ap.delete_access_point_policy),
    ("GET", "accesspoint/{name}/policyStatus"): ControlOperation(
        "GetAccessPointPolicyStatus", "s3:GetAccessPointPolicyStatus", On.ACCESS_POINT,
        ap.get_access_point_policy_status),
}


def is_control_request(request: Request) -> bool:
    return request.raw_path.startswith(PREFIX) and "x-amz-account-id" in request.headers


def route(method: str, path: str) -> tuple[ControlOperation, str | None] | None:
    """The operation for a path after the version prefix, and the access point name in it."""
    parts = path.split("/")
    name = None
    if len(parts) >= 2 and parts[0] == "accesspoint":
        name, parts[1] = parts[1], _ANY
    operation = CATALOG.get((method, "/".join(parts)))
    return None if operation is None else (operation, name)


async def handle(request: Request, services: Services, record: RequestRecord, now: float) -> Response:
    settings = services.settings
    auth = await authenticate(request, services.credentials, region=settings.region, now=now,
                              bucket_from_host=None)
    record.principal_arn = auth.principal.arn
    record.access_key_id = auth.access_key_id
    account_id = request.headers.get("x-amz-account-id", "")
    routed = route(request.method, decode_path(request.raw_path)[len(PREFIX):])
    if routed is None:
        raise S3NotImplemented("This S3 Control operation is not implemented by this server.")
    operation, name = routed
    record.operation = f"s3control:{operation.name}"
    principal = auth.principal
    # Everything here belongs to the caller's own account.
    if principal.is_anonymous or not _ACCOUNT_ID.fullmatch(account_id) or account_id != principal.account_id:
        raise AccessDenied()
    call = ControlCall(request, services, principal, account_id, name, b"", now)
    resource = call.access_point_arn() if operation.on is On.ACCESS_POINT else "*"
    keys = request_keys(request, auth, now=now, trusted_proxies=settings.trusted_proxies,
                        resource_account=account_id)
    await Authorizer(services.meta, principal, keys, record.decisions,
                     endpoint=endpoint_policy(request.endpoint)).authorize(
        [Check(operation.action, resource, account_id)])
    if auth.access_key_id is not None:
        services.credentials.note_use(auth.access_key_id, auth.service, auth.region, now)
    call.body = await open_body(request.body, auth.payload).read_all(MAX_DOCUMENT)
    return await operation.handler(call)
