"""The request pipeline, in one place and in order:

    receive → address → route → authenticate → authorize → execute → respond → record

Every request walks every stage; no handler runs without an AccessGrant from ``authorize``.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable

from ironbucket.api import cors
from ironbucket.api.access_point_route import access_point_for, require_supported
from ironbucket.api.access_point_route import condition_keys as access_point_keys
from ironbucket.api.catalog import CATALOG, S3_ROUTER
from ironbucket.api.context import Context, Services
from ironbucket.api.needs import resolve_checks
from ironbucket.api.operation import Target
from ironbucket.api.request_payment import admit, charge_for, mark_charged
from ironbucket.api.ssec_transport import refuse_ssec_over_http
from ironbucket.auth.authenticate import authenticate, open_body
from ironbucket.auth.authentication import anonymous
from ironbucket.auth.payload import payload_check
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import Keys, request_keys
from ironbucket.authz.endpoints import arrived_through, endpoint_policy, require_network_origin
from ironbucket.errors import InternalError, InvalidRequest, S3Error
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.events.record import RequestRecord, emit
from ironbucket.events.usage import set_charge
from ironbucket.http import addressing, query_protocol
from ironbucket.http.asgi import HEAD_BLOCK, Scope, Send, build_request, host_id, send_response
from ironbucket.http.request import Receive, Request
from ironbucket.http.response import Response, error_response
from ironbucket.iam import service as iam_service
from ironbucket.kms import service as kms_service
from ironbucket.s3control import service as s3control
from ironbucket.sts import service as sts_service

log = logging.getLogger(__name__)
_DRAIN_LIMIT = 64 * 1024
_QUERY_SERVICES: dict[str, Callable[[query_protocol.QueryContext], Awaitable[Response]]] = {
    "iam": iam_service.handle,
    "sts": sts_service.handle,
}

ServicesFactory = Callable[[], Awaitable[Services]]
Closer = Callable[[Services], Awaitable[None]]


class IronBucketApp:
    """The ASGI application. Services are opened per worker process at lifespan startup."""

    def __init__(self, open_services: ServicesFactory, close_services: Closer) -> None:
        self._open = open_services
        self._close = close_services
        self.services: Services | None = None
        assert CATALOG  # import-time check that the catalog loaded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.services = await self._open()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.services is not None:
                    await self._close(self.services)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        services = self.services
        if services is None:
            raise RuntimeError("lifespan startup did not run")
        started = time.perf_counter()
        now = services.clock()
        request = build_request(scope, receive, now, services.settings.body_idle_timeout)
        request.endpoint = arrived_through(request, services.settings.private_endpoints,
                                           services.settings.trusted_proxies)
        record = RequestRecord(request.request_id, now, request.method, request.raw_path,
                               request.client_ip)  # positional: see build_request
        record.user_agent = request.headers.get("user-agent", "")
        common = {"x-amz-request-id": request.request_id, "x-amz-id-2": host_id(), "server": "IronBucket"}
        head = request.method == "HEAD"
        try:
            try:
                response = await self._pipeline(request, services, record, now)
            except S3Error as error:
                response = self._error(error, request, record, head)
            except Exception:
                log.exception("unhandled error in %s %s", request.method, request.raw_path)
                response = self._error(InternalError(), request, record, head)
            if "origin" in request.headers and record.bucket and request.method != "OPTIONS":
                # Browsers' cross-origin requests; requests without Origin pay this test only.
                await cors.add_response_headers(response, request, record.bucket, services.meta)
            record.status = response.status
            if not request.body.complete and not await self._settle_body(request):
                response.headers["connection"] = "close"
            record.bytes_out = await send_response(send, response, common, head=head,
                                                   block=HEAD_BLOCK in (scope.get("extensions") or ()))
        finally:
            record.bytes_in = request.body.received
            record.duration_ms = (time.perf_counter() - started) * 1000
            emit(record)
            if record.decisions and services.decisions is not None:
                services.decisions.append(record)  # serialized in the background flush
            if services.usage is not None:
                services.usage.add(record)  # counted only if it was on a Requester Pays bucket

    async def _pipeline(self, request: Request, services: Services, record: RequestRecord,
                        now: float) -> Response:
        service = query_protocol.detect_service(request)
        if service == "s3" and s3control.is_control_request(request):
            record.operation = "s3control"
            return await s3control.handle(request, services, record, now)
        if kms_service.is_kms_request(service, request):
            return await kms_service.handle(request, services, record, now)
        if service != "s3":
            return await self._query_service(service, request, services, record, now)
        settings = services.settings
        refuse_ssec_over_http(request, settings)
        # address
        host = request.headers.get("host", "")
        address = addressing.resolve(request.raw_path, host, settings.domains)
        host_bucket = address.bucket if address.virtual_host else None  # as signed (SigV2)
        point = await access_point_for(services.meta, address)
        if point is not None:  # the request acts on the access point's bucket
            address = dataclasses.replace(address, bucket=point.bucket)
        record.bucket, record.key = address.bucket, address.key
        # route
        target = Target.OBJECT if address.key else Target.BUCKET if address.bucket else Target.SERVICE
        operation = S3_ROUTER.route(request.method, target, request.query, request.headers)
        record.operation = operation.name
        if point is not None:
            require_supported(operation)
            require_network_origin(point, request.endpoint)
        ctx = Context(request, address, operation, services)  # positional: see build_request
        ctx.now = now
        # authenticate (an ``unsigned`` operation — the CORS preflight — is anonymous by design)
        if operation.unsigned:
            auth = anonymous(settings.region, payload_check(None, request.headers, signing=None))
        else:
            auth = await authenticate(
                request, services.credentials, region=settings.region, now=now,
                bucket_from_host=host_bucket,
            )
        ctx.auth = auth
        record.principal_arn = auth.principal.arn
        record.access_key_id = auth.access_key_id
        if auth.access_key_id is not None:
            services.credentials.note_use(auth.access_key_id, auth.service, auth.region, now)
        # authorize
        if address.bucket is not None:
            ctx.bucket_record = await services.meta.get_bucket(address.bucket)
        owner = ctx.bucket_record.owner_account_id if ctx.bucket_record else None
        def keys() -> Keys:
            found = request_keys(request, auth, now=now, trusted_proxies=settings.trusted_proxies,
                                 resource_account=owner)
            if point is not None:
                found.update(access_point_keys(point))
            return found

        ctx.authorizer = Authorizer(services.meta, auth.principal, keys, record.decisions,
                                    access_point=point, endpoint=endpoint_policy(request.endpoint))
        charge = await charge_for(ctx)  # Requester Pays: known first, so refusals are metered
        if charge is not None:
            set_charge(record, charge)
        checks = await resolve_checks(ctx)
        ctx.grant = await ctx.authorizer.authorize(checks)
        charged = await admit(ctx, charge)  # after authorization: the header grants nothing
        # execute
        if operation.handler is None:
            raise S3NotImplemented(f"{operation.name} is not implemented by this server.")
        response = await operation.handler(ctx)
        if charged:
            mark_charged(response)
        return response

    async def _query_service(self, service: str, request: Request, services: Services,
                             record: RequestRecord, now: float) -> Response:
        """IAM, STS: authenticate, read the form, hand over to the service. Errors come back in
        the Query protocol's own format."""
        record.operation = service
        try:
            handler = _QUERY_SERVICES.get(service)
            if handler is None:
                raise InvalidRequest(f"This server does not implement the {service!r} service.")
            auth = await authenticate(request, services.credentials, region=services.settings.region,
                                      now=now, bucket_from_host=None)
            record.principal_arn = auth.principal.arn
            record.access_key_id = auth.access_key_id
            form = await open_body(request.body, auth.payload).read_all(query_protocol.MAX_FORM)
            ctx = query_protocol.QueryContext(request=request, auth=auth, services=services,
                                              record=record, now=now,
                                              params=query_protocol.parse_form(form, request.query))
            record.operation = f"{service}:{ctx.action}"
            return await handler(ctx)
        except S3Error as error:
            record.error_code = error.code
            return query_protocol.error_response(service, error, request.request_id)

    async def _settle_body(self, request: Request) -> bool:
        """A response is going out before the body was read (an early error). A client that
        sent ``Expect: 100-continue`` will never send it, and a large body is not worth reading:
        the connection must close, or its next bytes would be taken for this body. A small body
        already on its way is cheaper to drain, keeping the connection alive."""
        body = request.body
        if body.consumed or "100-continue" in request.headers.get("expect", "").lower():
            return False
        if body.content_length is None or body.content_length > _DRAIN_LIMIT:
            return False
        try:
            return await body.drain(_DRAIN_LIMIT)
        except S3Error:
            return False

    def _error(self, error: S3Error, request: Request, record: RequestRecord, head: bool) -> Response:
        record.error_code = error.code
        return error_response(error, request.path, request.request_id, head=head)
