"""PostObject: browser uploads with a signed POST policy.
https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html

The request itself carries no Authorization header; the form does (policy + signature), so
this handler authenticates the form, checks the policy's conditions, and authorizes
``s3:PutObject`` on the key the form names before storing a byte.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from ironbucket.api import encryption, integrity, lock_writes
from ironbucket.api.acl import new_object_acl
from ironbucket.api.common import quote_etag, require_allowed, verified_body
from ironbucket.api.context import Context
from ironbucket.api.ingest import discard, ingest
from ironbucket.api.needs import object_arn
from ironbucket.api.object_headers import version_headers
from ironbucket.api.objects_write import commit, new_version
from ironbucket.api.ssec_transport import refuse_ssec_over_http
from ironbucket.api.write_options import parse_write_options
from ironbucket.auth.post_auth import authenticate_post_policy
from ironbucket.auth.post_policy import check_content_length, check_fields, parse_policy, substitute_filename
from ironbucket.authz.authorize import Authorizer
from ironbucket.authz.context import request_keys
from ironbucket.authz.endpoints import endpoint_policy
from ironbucket.errors import InvalidArgument, MalformedXML
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.features import sse, versioning
from ironbucket.features.metadata import require_sendable
from ironbucket.features.naming import validate_object_key
from ironbucket.features.tagging import TagTarget, validate_tag_set
from ironbucket.http import xml
from ironbucket.http.form import boundary_from_content_type, parse_form
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter


async def post_object(ctx: Context) -> Response:
    bucket = ctx.bucket
    boundary = boundary_from_content_type(ctx.headers.get("content-type"))
    form = await parse_form(verified_body(ctx).chunks(), boundary)
    fields = {name.lower(): value for name, value in form.fields.items()}
    # SSE-C form fields: only over TLS, as the headers (which the pipeline checked already).
    refuse_ssec_over_http(ctx.request, ctx.services.settings, fields)
    ctx.auth = await authenticate_post_policy(form.fields, ctx.services.credentials,
                                              region=ctx.services.settings.region, now=ctx.now)
    # The form, not the bare request, says who uploads: authorize that principal from now on.
    keys = request_keys(ctx.request, ctx.auth, now=ctx.now,
                        trusted_proxies=ctx.services.settings.trusted_proxies,
                        resource_account=bucket.owner_account_id)
    previous = ctx.authorizer.decisions if ctx.authorizer else None
    ctx.authorizer = Authorizer(ctx.services.meta, ctx.auth.principal, keys, previous,
                                 endpoint=endpoint_policy(ctx.request.endpoint))
    if "key" not in fields:
        raise InvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, "
                              "please check the order of the fields.", ArgumentName="key")
    key = substitute_filename(fields["key"], form.filename)
    validate_object_key(key)
    policy = parse_policy(fields["policy"]) if fields.get("policy") else None
    if policy is not None:
        checked = {**form.fields, **{n: key for n in form.fields if n.lower() == "key"}}
        check_fields(policy, checked, bucket=bucket.name, now=ctx.now)
    await require_allowed(ctx, "s3:PutObject", object_arn(bucket.name, key), bucket.owner_account_id)
    owner = await new_object_acl(ctx, {"x-amz-acl": fields["acl"]} if "acl" in fields else {})
    if any(n.startswith("x-amz-object-lock-") for n in fields):
        raise S3NotImplemented("Object Lock form fields are not implemented for POST uploads.")
    options = parse_write_options({n: v for n, v in fields.items() if n != "tagging"})
    for name in ("success_action_redirect", "redirect"):
        if name in fields:  # sent back as the Location header
            require_sendable(name, fields[name])
    # The bucket's default retention applies to browser uploads too.
    owner = (owner[0], {**owner[1], **await lock_writes.lock_extra(ctx, ctx.services.clock())})
    if "tagging" in fields:
        options = dataclasses.replace(options, tags=_form_tags(fields["tagging"]))
    checksum = integrity.from_headers(fields)
    wanted = sse.requested(fields)
    default = await encryption.bucket_default(ctx, bucket.name, wanted)
    cipher = await encryption.for_write(ctx, wanted, default, bucket=bucket.name, key=key)
    owner = (owner[0], {**owner[1], "sse": cipher.record.to_extra()})
    stored = await ingest(ctx.services, form.content, checksums=checksum.algorithms, inline=True,
                          aead=cipher.aead)
    try:
        integrity.verify(checksum, stored, {})
        if policy is not None:
            check_content_length(policy, stored.size)
    except BaseException:
        await discard(ctx.services, stored)
        raise
    ctx.address = dataclasses.replace(ctx.address, key=key)
    version = new_version(ctx, options, stored, checksum.algorithms[0], owner)
    await commit(ctx, version, stored, None)
    return _success(fields, bucket.name, key, version.etag,
                    {**version_headers(version, versioning.is_versioned(bucket.versioning)),
                     **cipher.write_headers()})


def _form_tags(document: str) -> dict[str, str]:
    root = xml.expect_root(xml.parse(document.encode()), "Tagging")
    tag_set = xml.child(root, "TagSet")
    if tag_set is None:
        raise MalformedXML()
    pairs = [(xml.required_text(tag, "Key"), xml.required_text(tag, "Value"))
             for tag in xml.children(tag_set, "Tag")]
    return dict(validate_tag_set(pairs, TagTarget.OBJECT))


def _success(fields: dict[str, str], bucket: str, key: str, etag: str,
             extra: dict[str, str]) -> Response:
    location = f"/{bucket}/{quote(key, safe='/~')}"  # URL-encoded, as S3's: keys may hold CR or LF
    headers = {"etag": quote_etag(etag), "location": location, **extra}
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urlencode({"bucket": bucket, "key": key, "etag": quote_etag(etag)})
        separator = "&" if "?" in redirect else "?"
        return empty(303, {**headers, "location": f"{redirect}{separator}{query}"})
    status = fields.get("success_action_status", "204")
    if status == "201":
        writer = XmlWriter("PostResponse", namespace=None).element("Location", location)
        writer.element("Bucket", bucket).element("Key", key).element("ETag", quote_etag(etag))
        return xml_response(writer.render(), status=201, headers=headers)
    return empty(200 if status == "200" else 204, headers)



