"""Requests that reach a bucket through an access point: by its alias (usable wherever a
bucket name is) or by the virtual host ``<name>-<account>.<domain>``.

The request then acts on the access point's bucket, may only be one of the operations AWS
supports through access points, and is authorized on both the access point and the bucket
(see ``Authorizer``), with the ``s3:DataAccessPoint*`` condition keys set.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-service-api-support.html
"""

from __future__ import annotations

from ironbucket.api.operation import Operation
from ironbucket.authz import access_points
from ironbucket.authz.access_points import AccessPoint
from ironbucket.authz.context import Keys
from ironbucket.errors import InvalidRequest
from ironbucket.http.addressing import Address
from ironbucket.storage.interfaces import MetadataStore

THROUGH_ACCESS_POINTS = frozenset({
    "AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload",
    "DeleteObject", "DeleteObjects", "DeleteObjectTagging", "GetBucketLocation", "GetObject",
    "GetObjectAcl", "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention",
    "GetObjectTagging", "HeadBucket", "HeadObject", "ListMultipartUploads", "ListObjects",
    "ListObjectsV2", "ListObjectVersions", "ListParts", "PutObject", "PutObjectAcl",
    "PutObjectLegalHold", "PutObjectRetention", "PutObjectTagging", "UploadPart", "UploadPartCopy",
    # Browsers' CORS preflights are answered from the bucket's rules as for the bucket itself.
    "PreflightBucket", "PreflightObject",
})


async def access_point_for(meta: MetadataStore, address: Address) -> AccessPoint | None:
    """The access point a request names instead of a bucket, if any. Only names of an access
    point's shapes are looked up, so plain bucket requests pay a string test."""
    name = address.bucket
    if name is None:
        return None
    if name.endswith(access_points.ALIAS_SUFFIX):
        # No bucket can have such a name, so an unknown alias goes on as a missing bucket
        # (or, to CreateBucket, an invalid name).
        return await access_points.by_alias(meta, name)
    if address.virtual_host:
        parts = access_points.host_label(name)
        if parts is not None:
            # A bucket may have this very name too: the access point wins, as its host does on AWS.
            return await access_points.get(meta, parts[1], parts[0])
    return None


def require_supported(operation: Operation) -> None:
    if operation.name not in THROUGH_ACCESS_POINTS:
        raise InvalidRequest(f"{operation.name} is not supported through an access point.")


def condition_keys(point: AccessPoint) -> Keys:
    return {"s3:dataaccesspointarn": (point.arn,), "s3:dataaccesspointaccount": (point.account_id,),
            "s3:accesspointnetworkorigin": (point.network_origin,)}
