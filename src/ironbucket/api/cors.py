"""Bucket CORS: Put/Get/DeleteBucketCors, the preflight ``OPTIONS``, and the CORS headers of
actual requests. The rules themselves live in :mod:`ironbucket.features.cors`.

https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
"""

from __future__ import annotations

import logging
from xml.etree.ElementTree import Element

from ironbucket.api.common import read_xml
from ironbucket.api.context import Context
from ironbucket.errors import AccessForbidden, BadRequest, MalformedXML, NoSuchCORSConfiguration
from ironbucket.features import cors
from ironbucket.http import xml
from ironbucket.http.request import Request
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.storage.interfaces import MetadataStore

log = logging.getLogger(__name__)
CONFIG = "cors"  # the bucket configuration document holding the rules (JSON, features.cors)
_LISTS = {"AllowedOrigin": 0, "AllowedMethod": 1, "AllowedHeader": 2, "ExposeHeader": 3}
_NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution "
                "of Origin, request method / Access-Control-Request-Method or "
                "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")


# --- configuration ------------------------------------------------------------------------------
async def put_bucket_cors(ctx: Context) -> Response:
    root = await read_xml(ctx, "CORSConfiguration", cors.MAX_CONFIG_BYTES, checksum_required=True)
    rules: list[cors.Rule] = []
    for element in root:
        if xml.local_name(element) != "CORSRule":
            raise MalformedXML()
        rules.append(_parse_rule(element))
    config = cors.validate(rules)
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG, cors.dumps(config))
    return empty(200)


def _parse_rule(element: Element) -> cors.Rule:
    lists: tuple[list[str], ...] = ([], [], [], [])
    rule_id: str | None = None
    max_age: int | None = None
    for field in element:
        name, text = xml.local_name(field), field.text or ""
        if name in _LISTS:
            lists[_LISTS[name]].append(text)
        elif name == "ID" and rule_id is None:
            rule_id = text
        elif name == "MaxAgeSeconds" and max_age is None:
            try:
                max_age = int(text)
            except ValueError as exc:
                raise MalformedXML() from exc
        else:
            raise MalformedXML()  # not in the schema, or given twice
    return cors.Rule(rule_id, tuple(lists[0]), tuple(lists[1]), tuple(lists[2]), tuple(lists[3]), max_age)


async def get_bucket_cors(ctx: Context) -> Response:
    text = await ctx.services.meta.get_bucket_config(ctx.bucket.name, CONFIG)
    if text is None:
        raise NoSuchCORSConfiguration(BucketName=ctx.bucket.name)
    writer = XmlWriter("CORSConfiguration")
    for rule in cors.loads(text).rules:
        writer.start("CORSRule").element("ID", rule.id)
        writer.elements(("AllowedHeader", h) for h in rule.allowed_headers)
        writer.elements(("AllowedMethod", m) for m in rule.allowed_methods)
        writer.elements(("AllowedOrigin", o) for o in rule.allowed_origins)
        writer.elements(("ExposeHeader", h) for h in rule.expose_headers)
        writer.element("MaxAgeSeconds", rule.max_age).end()
    return xml_response(writer.render())


async def delete_bucket_cors(ctx: Context) -> Response:
    await ctx.services.meta.put_bucket_config(ctx.bucket.name, CONFIG, None)
    return empty(204)


# --- preflight ----------------------------------------------------------------------------------
async def preflight(ctx: Context) -> Response:
    """``OPTIONS`` on a bucket or object: evaluated against the bucket's rules, never signed
    (see the catalog). The answers and their order follow what S3 sends."""
    headers = ctx.headers
    origin = headers.get("origin")
    if origin is None:
        raise BadRequest("Insufficient information. Origin request header needed.")
    method = headers.get("access-control-request-method")
    where = {"Method": method or "OPTIONS", "ResourceType": "OBJECT" if ctx.address.key else "BUCKET"}
    if ctx.bucket_record is None:
        raise AccessForbidden("CORSResponse: Bucket not found", **where)
    text = await ctx.services.meta.get_bucket_config(ctx.bucket_record.name, CONFIG)
    if text is None:
        raise AccessForbidden("CORSResponse: CORS is not enabled for this bucket.", **where)
    if method is None:
        raise BadRequest("Invalid Access-Control-Request-Method: null")
    allowed = cors.loads(text).preflight(origin, method, headers.get("access-control-request-headers", ""))
    if allowed is None:
        raise AccessForbidden(_NOT_ALLOWED, **where)
    return empty(200, allowed)


# --- actual requests ----------------------------------------------------------------------------
async def add_response_headers(response: Response, request: Request, bucket: str,
                               meta: MetadataStore) -> None:
    """A request carrying ``Origin`` whose method a rule allows gets the CORS headers, on success
    and on error alike (so the page can read the error). Only called when ``Origin`` is present.
    CORS never grants anything: authorization already happened, unchanged."""
    try:
        text = await meta.get_bucket_config(bucket, CONFIG)
        if text is None:
            return
        allowed = cors.loads(text).actual(request.headers["origin"], request.method)
    except Exception:  # a response is ready; a broken stored config must not turn it into a 500
        log.exception("CORS evaluation failed for bucket %s", bucket)
        return
    if allowed is not None:
        response.headers.update(allowed)
