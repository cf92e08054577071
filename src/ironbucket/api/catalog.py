"""The operation catalog: the only place that knows, for every S3 operation, how it is recognised
on the wire, which IAM actions on which resources AWS checks, and which handler runs it.

Routing and authorization are both driven from this table; ``tests/unit/api/test_catalog.py``
walks it against botocore's S3 model so that no operation is missing or mis-mapped.
Actions: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
Permissions per operation: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
"""

from __future__ import annotations

from ironbucket.api import (
    acl,
    bucket_encryption,
    bucket_policy,
    buckets,
    cors,
    listing,
    multipart,
    object_lock,
    objects_copy,
    objects_delete,
    objects_read,
    objects_write,
    ownership,
    post_object,
    public_access,
    request_payment,
    tagging,
    versioning,
)
from ironbucket.api.operation import Handler, Need, Operation, Resource, Target
from ironbucket.api.routing import Router

SVC, BKT, OBJ = Target.SERVICE, Target.BUCKET, Target.OBJECT

_ACL_HEADERS = ("x-amz-acl", "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
                "x-amz-grant-write", "x-amz-grant-write-acp")
_LOCK_HEADERS = ("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date")


def on_bucket(action: str, **kw: tuple[str, ...]) -> Need:
    return Need(action, Resource.BUCKET, **kw)  # type: ignore[arg-type]


def on_object(action: str, version_action: str | None = None,
              when_headers: tuple[str, ...] = ()) -> Need:
    return Need(action, Resource.OBJECT, when_headers=when_headers, version_action=version_action)


def op(name: str, method: str, target: Target, *query: str, value: tuple[str, str] | None = None,
       header: str | None = None, needs: tuple[Need, ...] = (), handler: Handler | None = None,
       aliases: tuple[str, ...] = (), unsigned: bool = False) -> Operation:
    return Operation(name=name, method=method, target=target, query=query, query_value=value,
                     header=header, needs=needs, handler=handler, aliases=aliases, unsigned=unsigned)


def bucket_config(sub: str, get: str, put: str, delete: str | None, get_action: str, put_action: str,
                  delete_action: str | None = None, *, list_name: str | None = None,
                  id_param: str | None = None, handlers: tuple[Handler | None, ...] = (None, None, None),
                  get_aliases: tuple[str, ...] = (), put_aliases: tuple[str, ...] = ()
                  ) -> list[Operation]:
    """The Get/Put/Delete(/List) family of a bucket sub-resource such as ``?cors``."""
    sel = (sub, id_param) if id_param else (sub,)
    ops = [
        op(get, "GET", BKT, *sel, needs=(on_bucket(get_action),), handler=handlers[0], aliases=get_aliases),
        op(put, "PUT", BKT, sub, needs=(on_bucket(put_action),), handler=handlers[1], aliases=put_aliases),
    ]
    if delete:
        ops.append(op(delete, "DELETE", BKT, *sel, needs=(on_bucket(delete_action or put_action),),
                      handler=handlers[2]))
    if list_name:
        ops.append(op(list_name, "GET", BKT, sub, needs=(on_bucket(get_action),)))
    return ops


_PUT_OBJECT_NEEDS = (
    on_object("s3:PutObject"),
    on_object("s3:PutObjectAcl", when_headers=_ACL_HEADERS),
    on_object("s3:PutObjectTagging", when_headers=("x-amz-tagging",)),
    on_object("s3:PutObjectRetention", when_headers=_LOCK_HEADERS),
    on_object("s3:PutObjectLegalHold", when_headers=("x-amz-object-lock-legal-hold",)),
)
_READ_SOURCE = Need("s3:GetObject", Resource.COPY_SOURCE, version_action="s3:GetObjectVersion")

CATALOG: tuple[Operation, ...] = (
    # --- service --------------------------------------------------------------------------------
    op("ListBuckets", "GET", SVC, needs=(Need("s3:ListAllMyBuckets", Resource.ALL),),
       handler=buckets.list_buckets, aliases=("ListDirectoryBuckets",)),
    # --- buckets --------------------------------------------------------------------------------
    op("CreateBucket", "PUT", BKT, handler=buckets.create_bucket, needs=(
        on_bucket("s3:CreateBucket"),
        on_bucket("s3:PutBucketAcl", when_headers=_ACL_HEADERS),
        on_bucket("s3:PutBucketObjectLockConfiguration",
                  when_headers=("x-amz-bucket-object-lock-enabled",)),
        on_bucket("s3:PutBucketOwnershipControls", when_headers=("x-amz-object-ownership",)),
    )),
    op("HeadBucket", "HEAD", BKT, needs=(on_bucket("s3:ListBucket"),), handler=buckets.head_bucket),
    op("DeleteBucket", "DELETE", BKT, needs=(on_bucket("s3:DeleteBucket"),), handler=buckets.delete_bucket),
    op("GetBucketLocation", "GET", BKT, "location", needs=(on_bucket("s3:GetBucketLocation"),),
       handler=buckets.get_bucket_location),
    op("ListObjects", "GET", BKT, needs=(on_bucket("s3:ListBucket"),), handler=listing.list_objects),
    op("ListObjectsV2", "GET", BKT, value=("list-type", "2"), needs=(on_bucket("s3:ListBucket"),),
       handler=listing.list_objects_v2),
    op("ListObjectVersions", "GET", BKT, "versions", needs=(on_bucket("s3:ListBucketVersions"),),
       handler=listing.list_object_versions),
    op("ListMultipartUploads", "GET", BKT, "uploads", needs=(on_bucket("s3:ListBucketMultipartUploads"),),
       handler=multipart.list_multipart_uploads),
    op("DeleteObjects", "POST", BKT, "delete", needs=(Need("s3:DeleteObject", Resource.EACH_KEY),),
       handler=objects_delete.delete_objects),
    # Browser uploads: authorized as PutObject on the key named in the form (checked by the handler).
    op("PostObject", "POST", BKT, needs=(Need("s3:PutObject", Resource.EACH_KEY),),
       handler=post_object.post_object),
    *bucket_config("tagging", "GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging",
                   "s3:GetBucketTagging", "s3:PutBucketTagging",
                   handlers=(tagging.get_bucket_tagging, tagging.put_bucket_tagging,
                             tagging.delete_bucket_tagging)),
    *bucket_config("versioning", "GetBucketVersioning", "PutBucketVersioning", None,
                   "s3:GetBucketVersioning", "s3:PutBucketVersioning",
                   handlers=(versioning.get_bucket_versioning, versioning.put_bucket_versioning, None)),
    *bucket_config("acl", "GetBucketAcl", "PutBucketAcl", None, "s3:GetBucketAcl", "s3:PutBucketAcl",
                   handlers=(acl.get_bucket_acl, acl.put_bucket_acl, None)),
    *bucket_config("policy", "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy",
                   "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                   handlers=(bucket_policy.get_bucket_policy, bucket_policy.put_bucket_policy,
                             bucket_policy.delete_bucket_policy)),
    op("GetBucketPolicyStatus", "GET", BKT, "policyStatus", needs=(on_bucket("s3:GetBucketPolicyStatus"),),
       handler=bucket_policy.get_bucket_policy_status),
    *bucket_config("cors", "GetBucketCors", "PutBucketCors", "DeleteBucketCors",
                   "s3:GetBucketCORS", "s3:PutBucketCORS",
                   handlers=(cors.get_bucket_cors, cors.put_bucket_cors, cors.delete_bucket_cors)),
    # CORS preflight (AWS: "OPTIONS object"). Browsers never sign it and AWS checks no IAM action
    # for it, so it is declared ``unsigned`` with no needs: the pipeline skips authentication
    # (a presigned URL's query belongs to the actual request, not to this OPTIONS), the caller
    # is anonymous, and authorize grants the empty set of checks. The handler only evaluates the
    # bucket's CORS rules and answers headers; it reads and changes nothing else. The actual
    # request is then authorized as usual: CORS never grants access.
    *(op(name, "OPTIONS", target, handler=cors.preflight, unsigned=True)
      for name, target in (("PreflightBucket", BKT), ("PreflightObject", OBJ))),
    # DeleteBucketEncryption is authorized by s3:PutEncryptionConfiguration, as on AWS.
    *bucket_config("encryption", "GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption",
                   "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration",
                   handlers=(bucket_encryption.get_bucket_encryption, bucket_encryption.put_bucket_encryption,
                             bucket_encryption.delete_bucket_encryption)),
    *bucket_config("lifecycle", "GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration",
                   "DeleteBucketLifecycle", "s3:GetLifecycleConfiguration",
                   "s3:PutLifecycleConfiguration", get_aliases=("GetBucketLifecycle",),
                   put_aliases=("PutBucketLifecycle",)),
    *bucket_config("logging", "GetBucketLogging", "PutBucketLogging", None,
                   "s3:GetBucketLogging", "s3:PutBucketLogging"),
    *bucket_config("notification", "GetBucketNotificationConfiguration",
                   "PutBucketNotificationConfiguration", None, "s3:GetBucketNotification",
                   "s3:PutBucketNotification", get_aliases=("GetBucketNotification",),
                   put_aliases=("PutBucketNotification",)),
    *bucket_config("website", "GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite",
                   "s3:GetBucketWebsite", "s3:PutBucketWebsite", "s3:DeleteBucketWebsite"),
    *bucket_config("replication", "GetBucketReplication", "PutBucketReplication",
                   "DeleteBucketReplication", "s3:GetReplicationConfiguration",
                   "s3:PutReplicationConfiguration"),
    *bucket_config("requestPayment", "GetBucketRequestPayment", "PutBucketRequestPayment", None,
                   "s3:GetBucketRequestPayment", "s3:PutBucketRequestPayment",
                   handlers=(request_payment.get_bucket_request_payment,
                             request_payment.put_bucket_request_payment, None)),
    *bucket_config("object-lock", "GetObjectLockConfiguration", "PutObjectLockConfiguration", None,
                   "s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration",
                   handlers=(object_lock.get_object_lock_configuration,
                             object_lock.put_object_lock_configuration, None)),
    *bucket_config("publicAccessBlock", "GetPublicAccessBlock", "PutPublicAccessBlock",
                   "DeletePublicAccessBlock", "s3:GetBucketPublicAccessBlock",
                   "s3:PutBucketPublicAccessBlock",
                   handlers=(public_access.get_public_access_block, public_access.put_public_access_block,
                             public_access.delete_public_access_block)),
    *bucket_config("ownershipControls", "GetBucketOwnershipControls", "PutBucketOwnershipControls",
                   "DeleteBucketOwnershipControls", "s3:GetBucketOwnershipControls",
                   "s3:PutBucketOwnershipControls",
                   handlers=(ownership.get_bucket_ownership_controls, ownership.put_bucket_ownership_controls,
                             ownership.delete_bucket_ownership_controls)),
    *bucket_config("accelerate", "GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration",
                   None, "s3:GetAccelerateConfiguration", "s3:PutAccelerateConfiguration"),
    *bucket_config("analytics", "GetBucketAnalyticsConfiguration", "PutBucketAnalyticsConfiguration",
                   "DeleteBucketAnalyticsConfiguration", "s3:GetAnalyticsConfiguration",
                   "s3:PutAnalyticsConfiguration", list_name="ListBucketAnalyticsConfigurations",
                   id_param="id"),
    *bucket_config("inventory", "GetBucketInventoryConfiguration", "PutBucketInventoryConfiguration",
                   "DeleteBucketInventoryConfiguration", "s3:GetInventoryConfiguration",
                   "s3:PutInventoryConfiguration", list_name="ListBucketInventoryConfigurations",
                   id_param="id"),
    *bucket_config("metrics", "GetBucketMetricsConfiguration", "PutBucketMetricsConfiguration",
                   "DeleteBucketMetricsConfiguration", "s3:GetMetricsConfiguration",
                   "s3:PutMetricsConfiguration", list_name="ListBucketMetricsConfigurations",
                   id_param="id"),
    *bucket_config("intelligent-tiering", "GetBucketIntelligentTieringConfiguration",
                   "PutBucketIntelligentTieringConfiguration",
                   "DeleteBucketIntelligentTieringConfiguration", "s3:GetIntelligentTieringConfiguration",
                   "s3:PutIntelligentTieringConfiguration",
                   list_name="ListBucketIntelligentTieringConfigurations", id_param="id"),
    *bucket_config("abac", "GetBucketAbac", "PutBucketAbac", None, "s3:GetBucketAbac", "s3:PutBucketAbac"),
    # S3 Metadata: created with POST, not PUT.
    *(op(f"{verb}BucketMetadata{kind}Configuration", method, BKT, sub,
         needs=(on_bucket(f"s3:{verb}BucketMetadataTableConfiguration"),))
      for sub, kind in (("metadataTable", "Table"), ("metadataConfiguration", ""))
      for verb, method in (("Get", "GET"), ("Create", "POST"), ("Delete", "DELETE"))),
    op("UpdateBucketMetadataInventoryTableConfiguration", "PUT", BKT, "metadataInventoryTable",
       needs=(on_bucket("s3:UpdateBucketMetadataInventoryTableConfiguration"),)),
    op("UpdateBucketMetadataJournalTableConfiguration", "PUT", BKT, "metadataJournalTable",
       needs=(on_bucket("s3:UpdateBucketMetadataJournalTableConfiguration"),)),
    op("UpdateBucketMetadataAnnotationTableConfiguration", "PUT", BKT, "metadataAnnotationTable",
       needs=(on_bucket("s3:UpdateBucketMetadataAnnotationTableConfiguration"),)),
    op("CreateSession", "GET", BKT, "session", needs=(on_bucket("s3express:CreateSession"),)),
    # --- objects --------------------------------------------------------------------------------
    op("PutObject", "PUT", OBJ, needs=_PUT_OBJECT_NEEDS, handler=objects_write.put_object),
    op("CopyObject", "PUT", OBJ, header="x-amz-copy-source", handler=objects_copy.copy_object,
       needs=(*_PUT_OBJECT_NEEDS, _READ_SOURCE)),
    op("GetObject", "GET", OBJ, needs=(on_object("s3:GetObject", "s3:GetObjectVersion"),),
       handler=objects_read.get_object),
    op("HeadObject", "HEAD", OBJ, needs=(on_object("s3:GetObject", "s3:GetObjectVersion"),),
       handler=objects_read.head_object),
    op("DeleteObject", "DELETE", OBJ, handler=objects_delete.delete_object, needs=(
        on_object("s3:DeleteObject", "s3:DeleteObjectVersion"),
        on_object("s3:BypassGovernanceRetention", when_headers=("x-amz-bypass-governance-retention",)),
    )),
    op("GetObjectAttributes", "GET", OBJ, "attributes", handler=objects_read.get_object_attributes, needs=(
        on_object("s3:GetObject", "s3:GetObjectVersion"),
        on_object("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    )),
    op("GetObjectTagging", "GET", OBJ, "tagging", handler=tagging.get_object_tagging,
       needs=(on_object("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),)),
    op("PutObjectTagging", "PUT", OBJ, "tagging", handler=tagging.put_object_tagging,
       needs=(on_object("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),)),
    op("DeleteObjectTagging", "DELETE", OBJ, "tagging", handler=tagging.delete_object_tagging,
       needs=(on_object("s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging"),)),
    op("GetObjectAcl", "GET", OBJ, "acl", handler=acl.get_object_acl,
       needs=(on_object("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),)),
    op("PutObjectAcl", "PUT", OBJ, "acl", handler=acl.put_object_acl,
       needs=(on_object("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),)),
    op("GetObjectRetention", "GET", OBJ, "retention", needs=(on_object("s3:GetObjectRetention"),),
       handler=object_lock.get_object_retention),
    # Retention and legal hold: authorized by the handler once the body is read, because
    # policies may test the body's values (s3:object-lock-* condition keys).
    op("PutObjectRetention", "PUT", OBJ, "retention", handler=object_lock.put_object_retention, needs=(
        Need("s3:PutObjectRetention", Resource.EACH_KEY),
        on_object("s3:BypassGovernanceRetention", when_headers=("x-amz-bypass-governance-retention",)),
    )),
    op("GetObjectLegalHold", "GET", OBJ, "legal-hold", needs=(on_object("s3:GetObjectLegalHold"),),
       handler=object_lock.get_object_legal_hold),
    op("PutObjectLegalHold", "PUT", OBJ, "legal-hold",
       needs=(Need("s3:PutObjectLegalHold", Resource.EACH_KEY),),
       handler=object_lock.put_object_legal_hold),
    op("RestoreObject", "POST", OBJ, "restore", needs=(on_object("s3:RestoreObject"),)),
    op("SelectObjectContent", "POST", OBJ, "select", value=("select-type", "2"),
       needs=(on_object("s3:GetObject"),)),
    op("GetObjectTorrent", "GET", OBJ, "torrent",
       needs=(on_object("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),)),
    op("RenameObject", "PUT", OBJ, "renameObject", needs=(on_object("s3express:CreateSession"),)),
    op("UpdateObjectEncryption", "PUT", OBJ, "encryption", needs=(on_object("s3:PutObject"),)),
    op("GetObjectAnnotation", "GET", OBJ, "annotation", "annotationName",
       needs=(on_object("s3:GetObjectAnnotation"),)),
    op("ListObjectAnnotations", "GET", OBJ, "annotation", needs=(on_object("s3:ListObjectAnnotations"),)),
    op("PutObjectAnnotation", "PUT", OBJ, "annotation", needs=(on_object("s3:PutObjectAnnotation"),)),
    op("DeleteObjectAnnotation", "DELETE", OBJ, "annotation",
       needs=(on_object("s3:DeleteObjectAnnotation"),)),
    # Object Lambda's callback: POST /WriteGetObjectResponse on a host prefix; the token header marks it.
    op("WriteGetObjectResponse", "POST", BKT, header="x-amz-request-token",
       needs=(Need("s3-object-lambda:WriteGetObjectResponse", Resource.ALL),)),
    # --- multipart ------------------------------------------------------------------------------
    op("CreateMultipartUpload", "POST", OBJ, "uploads", handler=multipart.create_multipart_upload,
       needs=_PUT_OBJECT_NEEDS),
    op("UploadPart", "PUT", OBJ, "uploadId", "partNumber", handler=multipart.upload_part,
       needs=(on_object("s3:PutObject"),)),
    op("UploadPartCopy", "PUT", OBJ, "uploadId", "partNumber", header="x-amz-copy-source",
       handler=multipart.upload_part_copy, needs=(on_object("s3:PutObject"), _READ_SOURCE)),
    op("CompleteMultipartUpload", "POST", OBJ, "uploadId", handler=multipart.complete_multipart_upload,
       needs=(on_object("s3:PutObject"),)),
    op("AbortMultipartUpload", "DELETE", OBJ, "uploadId", handler=multipart.abort_multipart_upload,
       needs=(on_object("s3:AbortMultipartUpload"),)),
    op("ListParts", "GET", OBJ, "uploadId", handler=multipart.list_parts,
       needs=(on_object("s3:ListMultipartUploadParts"),)),
)

S3_ROUTER = Router(CATALOG)
BY_NAME: dict[str, Operation] = {o.name: o for o in CATALOG}
