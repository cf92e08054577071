"""Requester Pays buckets: Put/GetBucketRequestPayment, and the pipeline's payment check.

The payer is a bucket configuration document (``requestPayment``), read through the metadata
store's configuration cache, which every worker invalidates on a change: enabling or disabling
Requester Pays is seen by the next request on any worker. The rules themselves are in
``features/requester_pays.py``.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketRequestPayment.html
"""

from __future__ import annotations

from ironbucket.api.common import read_document
from ironbucket.api.context import Context
from ironbucket.api.copy_source import parse_copy_source
from ironbucket.errors import InternalError, MalformedXML
from ironbucket.features.requester_pays import (
    BUCKET_OWNER,
    CHARGED_HEADER,
    CONFIG_NAME,
    EXEMPT_OPERATIONS,
    REQUESTER,
    Charge,
    acknowledged,
    assess,
    enforce,
    stored_payer,
)
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter

_MAX_DOCUMENT = 16 * 1024  # one <Payer> element; anything near this is not a configuration


async def get_bucket_request_payment(ctx: Context) -> Response:
    value = await ctx.services.meta.get_bucket_config(ctx.bucket.name, CONFIG_NAME)
    return xml_response(render_configuration(stored_payer(value)))


async def put_bucket_request_payment(ctx: Context) -> Response:
    bucket = ctx.bucket
    payer = parse_configuration(await read_document(ctx, _MAX_DOCUMENT, checksum_required=True))
    # BucketOwner is the default: store nothing, so the document exists only while it matters.
    await ctx.services.meta.put_bucket_config(bucket.name, CONFIG_NAME,
                                              REQUESTER if payer == REQUESTER else None)
    return empty(200)


def parse_configuration(body: bytes) -> str:
    """The Payer of a RequestPaymentConfiguration; anything else is MalformedXML, as S3 answers
    for a document that does not validate against its schema (Payer is required, one of two)."""
    root = xml.expect_root(xml.parse(body), "RequestPaymentConfiguration")
    payers = list(xml.children(root, "Payer"))
    if len(payers) != 1 or len(root) != 1:
        raise MalformedXML()
    payer = (payers[0].text or "").strip()
    if payer not in (REQUESTER, BUCKET_OWNER):
        raise MalformedXML()
    return payer


def render_configuration(payer: str) -> bytes:
    return XmlWriter("RequestPaymentConfiguration").element("Payer", payer).render()


# --- the pipeline's check ---------------------------------------------------------------------
async def charge_for(ctx: Context) -> Charge | None:
    """Before authorization: who pays for this request, if it addresses a Requester Pays bucket
    (None otherwise). Known before authorization so that refused requests are metered too."""
    bucket = ctx.bucket_record
    if bucket is None or ctx.operation.name in EXEMPT_OPERATIONS:
        return None
    if await ctx.services.meta.get_bucket_config(bucket.name, CONFIG_NAME) != REQUESTER:
        return None
    return _assess(ctx, bucket.name, bucket.owner_account_id)


async def admit(ctx: Context, charge: Charge | None) -> bool:
    """After authorization allowed the request: refuse it if it did not meet Requester Pays'
    terms, on its bucket or on the bucket it copies from. True when the requester is charged."""
    charged = False
    if charge is not None:
        enforce(charge)
        charged = charge.requester_pays
    source_header = ctx.headers.get("x-amz-copy-source")
    if source_header is not None and ctx.operation.name not in EXEMPT_OPERATIONS:
        # A copy reads another bucket: its Requester Pays terms apply to the requester too.
        source = parse_copy_source(source_header)
        source_bucket = await ctx.services.meta.get_bucket(source.bucket)
        if source_bucket is not None and await ctx.services.meta.get_bucket_config(
                source.bucket, CONFIG_NAME) == REQUESTER:
            source_charge = _assess(ctx, source.bucket, source_bucket.owner_account_id)
            enforce(source_charge)
            charged = charged or source_charge.requester_pays
    return charged


def mark_charged(response: Response) -> None:
    response.headers[CHARGED_HEADER] = "requester"


def _assess(ctx: Context, bucket: str, owner_account_id: str) -> Charge:
    if ctx.auth is None:
        raise InternalError()
    principal = ctx.auth.principal
    caller = None if principal.is_anonymous else principal.account_id
    return assess(bucket, owner_account_id, caller, acknowledged(ctx.headers, ctx.query))
