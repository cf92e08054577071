"""The KMS service on the server's port: authenticate (SigV4, service ``kms``), read the JSON
body, route ``X-Amz-Target`` through the catalog, run the operation (which authorizes before
acting), answer in JSON. Errors come back as ``{"__type", "message"}``.
"""

from __future__ import annotations

import logging
from typing import Any

from ironbucket.api.context import Services
from ironbucket.auth.authenticate import authenticate, open_body
from ironbucket.authz.context import Keys, request_keys
from ironbucket.authz.endpoints import endpoint_policy
from ironbucket.errors import S3Error
from ironbucket.events.record import RequestRecord
from ironbucket.http.request import Request
from ironbucket.http.response import Response
from ironbucket.kms.call import KmsCall
from ironbucket.kms.catalog import CATALOG, NOT_IMPLEMENTED
from ironbucket.kms.errors import (
    AccessDeniedException,
    KMSInternalException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from ironbucket.kms.protocol import MAX_BODY, Params, error_response, parse_body, response, target_action

log = logging.getLogger(__name__)


def is_kms_request(service: str, request: Request) -> bool:
    return service == "kms" or request.headers.get("x-amz-target", "").startswith("TrentService.")


async def handle(request: Request, services: Services, record: RequestRecord, now: float) -> Response:
    record.operation = "kms"
    try:
        return response(await _run(request, services, record, now))
    except S3Error as error:
        record.error_code = error.code
        return error_response(error)
    except Exception:
        log.exception("unhandled error in KMS %s", record.operation)
        record.error_code = "KMSInternalException"
        return error_response(KMSInternalException())


async def _run(request: Request, services: Services, record: RequestRecord,
               now: float) -> dict[str, Any] | None:
    settings = services.settings
    auth = await authenticate(request, services.credentials, region=settings.region, now=now,
                              bucket_from_host=None)
    record.principal_arn = auth.principal.arn
    record.access_key_id = auth.access_key_id
    action = target_action(request.headers.get("x-amz-target"))
    operation = CATALOG.get(action or "")
    if operation is None:
        if action in NOT_IMPLEMENTED:
            raise UnsupportedOperationException(f"{action} is not implemented by this server.")
        raise UnknownOperationException()
    record.operation = f"kms:{operation.name}"
    if auth.principal.is_anonymous:  # KMS has no anonymous access, whatever a policy says
        raise AccessDeniedException("KMS requests must be signed.")
    if auth.access_key_id is not None:
        services.credentials.note_use(auth.access_key_id, auth.service, auth.region, now)
    params = Params(parse_body(await open_body(request.body, auth.payload).read_all(MAX_BODY)))
    if services.keyring is None:
        raise KMSInternalException("The key ring is not available.")

    def keys() -> Keys:
        return request_keys(request, auth, now=now, trusted_proxies=settings.trusted_proxies,
                            resource_account=None)

    call = KmsCall(meta=services.meta, keyring=services.keyring, principal=auth.principal,
                   region=settings.region, now=now, base_keys=keys, action=operation.name,
                   params=params, decisions=record.decisions,
                   clock_offset=settings.kms_test_clock_offset,
                   endpoint=endpoint_policy(request.endpoint))
    return await operation.handler(call)
