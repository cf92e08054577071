"""Access points through the S3 Control API: Create/Get/List/DeleteAccessPoint,
Put/Get/DeleteAccessPointPolicy and GetAccessPointPolicyStatus.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_CreateAccessPoint.html
"""

from __future__ import annotations

import base64
import fnmatch
import re
from xml.etree.ElementTree import Element

from ironbucket.api.bucket_policy import MAX_POLICY_BYTES, check_principals, policy_resources
from ironbucket.api.public_access import parse as parse_public_access_block
from ironbucket.authz import access_points
from ironbucket.authz.access_points import AccessPoint
from ironbucket.authz.public_access import account_settings
from ironbucket.errors import (
    AccessDenied,
    AccessPointAlreadyOwnedByYou,
    InvalidArgument,
    InvalidRequest,
    MalformedPolicy,
    MalformedXML,
    NoSuchAccessPoint,
    NoSuchAccessPointPolicy,
    NoSuchBucket,
)
from ironbucket.features.public_access import ALL_BLOCKED, FLAGS, effective
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.http.xml import XmlWriter
from ironbucket.policy import Policy, PolicyError, PolicyKind, is_public, parse_policy
from ironbucket.s3control.account_settings import NAMESPACE
from ironbucket.s3control.call import ControlCall

MAX_RESULTS = 1000
_VPC_ID = re.compile(r"vpc-[0-9a-f]{8,17}")


async def _existing(call: ControlCall) -> AccessPoint:
    assert call.name is not None
    point = await access_points.get(call.services.meta, call.account_id, call.name)
    if point is None:
        raise NoSuchAccessPoint(AccessPointName=call.name)
    return point


async def create_access_point(call: ControlCall) -> Response:
    name = call.name or ""
    if not access_points.valid_name(name):
        raise InvalidRequest("Access point names are 3-50 lowercase letters, digits and hyphens, "
                             "beginning and ending with a letter or digit.")
    root = xml.expect_root(xml.parse(call.body), "CreateAccessPointRequest")
    bucket_name = xml.required_text(root, "Bucket")
    vpc_id = _vpc_id(root)
    given = xml.child(root, "PublicAccessBlockConfiguration")
    blocked = ALL_BLOCKED if given is None else parse_public_access_block(given)
    meta = call.services.meta
    bucket = await meta.get_bucket(bucket_name)
    if bucket is None:
        raise NoSuchBucket(BucketName=bucket_name)
    bucket_account = xml.child_text(root, "BucketAccountId")
    if bucket_account is not None and bucket_account != bucket.owner_account_id:
        raise InvalidRequest("BucketAccountId does not own the bucket.")
    if bucket.owner_account_id != call.account_id and bucket_account is None:
        raise AccessDenied("An access point for another account's bucket needs its BucketAccountId.")
    if await access_points.get(meta, call.account_id, name) is not None:
        raise AccessPointAlreadyOwnedByYou(AccessPointName=name)
    point = AccessPoint(name=name, account_id=call.account_id, bucket=bucket.name,
                        bucket_account_id=bucket.owner_account_id, alias=access_points.new_alias(name),
                        region=call.region, created_at=call.now, public_access_block=blocked,
                        network_origin="Internet" if vpc_id is None else "VPC", vpc_id=vpc_id)
    await access_points.create(meta, point)
    writer = XmlWriter("CreateAccessPointResult", NAMESPACE)
    writer.element("AccessPointArn", point.arn).element("Alias", point.alias)
    return xml_response(writer.render())


def _vpc_id(root: Element) -> str | None:
    """VpcConfiguration/VpcId: the access point then takes requests only through a private
    endpoint of that VPC (see authz/endpoints.py)."""
    given = xml.child(root, "VpcConfiguration")
    if given is None:
        return None
    vpc_id = xml.child_text(given, "VpcId")
    if vpc_id is None or not _VPC_ID.fullmatch(vpc_id):
        raise InvalidRequest("VpcConfiguration needs a VpcId of the form vpc-0a1b2c3d.")
    return vpc_id


def _describe(writer: XmlWriter, point: AccessPoint) -> None:
    writer.element("Name", point.name).element("NetworkOrigin", point.network_origin)
    if point.vpc_id is not None:
        writer.start("VpcConfiguration").element("VpcId", point.vpc_id).end()
    writer.element("Bucket", point.bucket).element("AccessPointArn", point.arn).element("Alias", point.alias)
    writer.element("BucketAccountId", point.bucket_account_id)


async def get_access_point(call: ControlCall) -> Response:
    point = await _existing(call)
    writer = XmlWriter("GetAccessPointResult", NAMESPACE)
    _describe(writer, point)
    writer.start("PublicAccessBlockConfiguration")
    for flag, value in zip(FLAGS, point.public_access_block.flags(), strict=True):
        writer.element(flag, value)
    writer.end().element("CreationDate", xml.iso8601(point.created_at))
    return xml_response(writer.render())


async def delete_access_point(call: ControlCall) -> Response:
    await access_points.delete(call.services.meta, await _existing(call))
    return empty(204)


async def list_access_points(call: ControlCall) -> Response:
    try:
        limit = int(call.query.get("maxResults", MAX_RESULTS))
        after = base64.urlsafe_b64decode(call.query.get("nextToken", "").encode()).decode()
    except ValueError as exc:
        raise InvalidArgument("Invalid maxResults or nextToken") from exc
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidArgument("maxResults must be between 1 and 1000")
    bucket = call.query.get("bucket")
    found: list[AccessPoint] = []
    more = False
    while len(found) <= limit:  # filtering by bucket may need several pages
        page = await access_points.list_for(call.services.meta, call.account_id, after, MAX_RESULTS)
        found.extend(p for p in page if bucket is None or p.bucket == bucket)
        if len(page) < MAX_RESULTS:
            break
        after = page[-1].name
    if len(found) > limit:
        found, more = found[:limit], True
    writer = XmlWriter("ListAccessPointsResult", NAMESPACE).start("AccessPointList")
    for point in found:
        writer.start("AccessPoint")
        _describe(writer, point)
        writer.end()
    writer.end()
    if more:
        writer.element("NextToken", base64.urlsafe_b64encode(found[-1].name.encode()).decode())
    return xml_response(writer.render())


async def put_access_point_policy(call: ControlCall) -> Response:
    point = await _existing(call)
    root = xml.expect_root(xml.parse(call.body), "PutAccessPointPolicyRequest")
    text = xml.child_text(root, "Policy")
    if text is None:
        raise MalformedXML()
    if len(text.encode()) > MAX_POLICY_BYTES:
        raise MalformedPolicy("Policies must not exceed 20 KB in size")
    try:
        policy = parse_policy(text, PolicyKind.RESOURCE, max_size=MAX_POLICY_BYTES)
    except PolicyError as exc:
        raise MalformedPolicy(str(exc)) from exc
    _check_resources(policy, point)
    await check_principals(call.services.meta, policy)
    account = await account_settings(call.services.meta, point.account_id)
    settings = effective(account, point.public_access_block)
    if settings.block_public_policy and is_public(policy):
        raise AccessDenied("Block Public Access (BlockPublicPolicy) forbids a public access point policy.")
    await access_points.put_policy(call.services.meta, point, text)
    return empty(200)


def _check_resources(policy: Policy, point: AccessPoint) -> None:
    """An access point policy names only its access point and objects through it."""
    for resource in policy_resources(policy.text):
        exact = resource == point.arn or resource.startswith(point.arn + "/object/")
        pattern = "*" in resource or "?" in resource
        if not exact and not (pattern and (fnmatch.fnmatchcase(point.arn, resource)
                                           or fnmatch.fnmatchcase(point.arn + "/object/k", resource))):
            raise MalformedPolicy("Policy has invalid resource", Resource=resource)


async def get_access_point_policy(call: ControlCall) -> Response:
    point = await _existing(call)
    text = await access_points.policy_text(call.services.meta, point.account_id, point.name)
    if text is None:
        raise NoSuchAccessPointPolicy(AccessPointName=point.name)
    return xml_response(XmlWriter("GetAccessPointPolicyResult", NAMESPACE).element("Policy", text).render())


async def delete_access_point_policy(call: ControlCall) -> Response:
    await access_points.put_policy(call.services.meta, await _existing(call), None)
    return empty(204)


async def get_access_point_policy_status(call: ControlCall) -> Response:
    point = await _existing(call)
    text = await access_points.policy_text(call.services.meta, point.account_id, point.name)
    if text is None:
        raise NoSuchAccessPointPolicy(AccessPointName=point.name)
    public = is_public(parse_policy(text, PolicyKind.RESOURCE))
    writer = XmlWriter("GetAccessPointPolicyStatusResult", NAMESPACE)
    writer.start("PolicyStatus").element("IsPublic", public).end()
    return xml_response(writer.render())
