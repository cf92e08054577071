"""S3 Object Ownership: who owns a newly written object, and whether ACLs count at all.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html

* BucketOwnerEnforced (the default for new buckets since April 2023): ACLs are disabled; the
  bucket owner owns every object, whoever wrote it, and only policies decide access.
* BucketOwnerPreferred: ACLs work; an object written with ``bucket-owner-full-control`` belongs
  to the bucket owner, any other to its writer.
* ObjectWriter: ACLs work; the writing account owns the object. Also what a bucket whose
  ownership controls were deleted does (S3's behaviour before ownership controls existed).
"""

from __future__ import annotations

from ironbucket.errors import InvalidArgument, MalformedXML

ENFORCED, PREFERRED, WRITER = "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"
MODES = (ENFORCED, PREFERRED, WRITER)
# Stored when the controls were deleted: behaves as ObjectWriter, Get answers "not found".
DELETED = ""


def effective(stored: str | None) -> str:
    """The mode in force. Buckets without a stored value were created with ACLs disabled."""
    if stored is None:
        return ENFORCED
    return stored if stored in MODES else WRITER


def acls_enabled(mode: str) -> bool:
    return mode != ENFORCED


def validate(mode: str) -> str:
    if mode not in MODES:
        raise MalformedXML()
    return mode


def validate_header(mode: str) -> str:
    """``x-amz-object-ownership`` on CreateBucket."""
    if mode not in MODES:
        raise InvalidArgument("Invalid x-amz-object-ownership header", ArgumentName="x-amz-object-ownership",
                              ArgumentValue=mode)
    return mode


def new_object_owner(mode: str, bucket_owner: str, writer: str, canned_acl: str | None) -> str:
    """The account that owns an object ``writer`` is creating in a bucket of ``bucket_owner``."""
    if mode == ENFORCED:
        return bucket_owner
    if mode == PREFERRED and canned_acl == "bucket-owner-full-control":
        return bucket_owner
    return writer
