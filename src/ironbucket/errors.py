"""S3 errors: one class per S3 error code, the code and HTTP status on the class.

The class name *is* the S3 error code (``class NoSuchKey`` answers ``<Code>NoSuchKey</Code>``),
so handlers raise what AWS documents and the renderer never maps names by hand.
Codes: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html

    S3Error
    ├── 400 family: InvalidArgument, InvalidRequest, MalformedXML, ...
    ├── 403 family: AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId, ...
    ├── 404 family: NoSuchBucket, NoSuchKey, NoSuchUpload, ...
    ├── 409 family: BucketAlreadyExists, BucketNotEmpty, ...
    └── 5xx family: InternalError, InsufficientStorage, ...
"""

from __future__ import annotations

from typing import ClassVar


class S3Error(Exception):
    """Base of every error answered to a client. ``code`` defaults to the class name."""

    code: ClassVar[str] = "InternalError"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "We encountered an internal error. Please try again."

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = cls.__name__

    def __init__(self, message: str | None = None, **fields: str) -> None:
        self.message = message or self.default_message
        # Extra XML elements AWS adds to some errors (BucketName, Key, StringToSign, ...).
        self.fields: dict[str, str] = fields
        self.headers: dict[str, str] = {}
        super().__init__(self.message)


# --- 400 -------------------------------------------------------------------------------------------
class InvalidArgument(S3Error):
    status = 400
    default_message = "Invalid Argument"


class InvalidRequest(S3Error):
    status = 400
    default_message = "Invalid Request"


class BadRequest(S3Error):
    """S3's code for over-limit tag counts ("Object tags cannot be greater than 10")."""

    status = 400
    default_message = "Bad Request"


class MalformedXML(S3Error):
    status = 400
    default_message = (
        "The XML you provided was not well-formed or did not validate against our published schema"
    )


class InvalidBucketName(S3Error):
    status = 400
    default_message = "The specified bucket is not valid."


class KeyTooLongError(S3Error):
    status = 400
    default_message = "Your key is too long"


class MetadataTooLarge(S3Error):
    status = 400
    default_message = "Your metadata headers exceed the maximum allowed metadata size."


class InvalidTag(S3Error):
    status = 400
    default_message = "The TagValue you have provided is invalid"


class EntityTooSmall(S3Error):
    status = 400
    default_message = "Your proposed upload is smaller than the minimum allowed object size."


class EntityTooLarge(S3Error):
    status = 400
    default_message = "Your proposed upload exceeds the maximum allowed size"


class BadDigest(S3Error):
    status = 400
    default_message = "The Content-MD5 you specified did not match what we received."


class InvalidDigest(S3Error):
    status = 400
    default_message = "The Content-MD5 you specified is not valid."


class XAmzContentSHA256Mismatch(S3Error):
    status = 400
    default_message = "The provided 'x-amz-content-sha256' header does not match what was computed."


class InvalidPart(S3Error):
    status = 400
    default_message = (
        "One or more of the specified parts could not be found. The part may not have been uploaded, "
        "or the specified entity tag may not match the part's entity tag."
    )


class InvalidPartOrder(S3Error):
    status = 400
    default_message = "The list of parts was not in ascending order. Parts must be ordered by part number."


class IncompleteBody(S3Error):
    status = 400
    default_message = "You did not provide the number of bytes specified by the Content-Length HTTP header."


class MissingContentLength(S3Error):
    status = 411
    default_message = "You must provide the Content-Length HTTP header."


class AuthorizationHeaderMalformed(S3Error):
    status = 400
    default_message = "The authorization header you provided is invalid."


class AuthorizationQueryParametersError(S3Error):
    status = 400
    default_message = "Error parsing the X-Amz-Credential parameter."


class InvalidLocationConstraint(S3Error):
    status = 400
    default_message = "The specified location-constraint is not valid."


class IllegalLocationConstraintException(S3Error):
    status = 400
    default_message = "The unspecified location constraint is incompatible for the region specific endpoint."


class InvalidPartNumber(S3Error):
    status = 416
    default_message = "The requested partnumber is not satisfiable"


class InvalidRange(S3Error):
    status = 416
    default_message = "The requested range is not satisfiable"


class InvalidChunkSizeError(S3Error):
    status = 403
    default_message = "Only the last chunk is allowed to have a size less than 8192 bytes"


class MalformedTrailerError(S3Error):
    status = 400
    default_message = (
        "The request contained trailing data that was not well-formed or did not conform to our "
        "published schema."
    )


class IncompleteSignature(S3Error):
    status = 400
    default_message = "The request signature does not conform to AWS standards."


class InvalidEncryptionAlgorithmError(S3Error):
    status = 400
    default_message = "The encryption request you specified is not valid. The valid value is AES256."


class InvalidStorageClass(S3Error):
    status = 400
    default_message = "The storage class you specified is not valid"


class InvalidObjectName(S3Error):
    status = 400
    default_message = "Object name contains unsupported characters."


class InvalidURI(S3Error):
    status = 400
    default_message = "Couldn't parse the specified URI."


class UnexpectedContent(S3Error):
    status = 400
    default_message = "This request does not support content"


class UserKeyMustBeSpecified(S3Error):
    status = 400
    default_message = "The bucket POST must contain the specified field name."


class TooManyParts(S3Error):
    status = 400
    default_message = "You have attempted to upload more than the maximum number of parts."


class MalformedPOSTRequest(S3Error):
    status = 400
    default_message = "The body of your POST request is not well-formed multipart/form-data."


class MaxPostPreDataLengthExceededError(S3Error):
    status = 400
    default_message = "Your POST request fields preceding the upload file were too large."


class InvalidPolicyDocument(S3Error):
    status = 400
    default_message = "The content of the form does not meet the conditions specified in the policy document."


class MalformedPolicy(S3Error):
    status = 400
    default_message = "Policies must be valid JSON and the first byte must be '{'"


class MissingSecurityHeader(S3Error):
    status = 400
    default_message = "Your request is missing a required header."


class AccessControlListNotSupported(S3Error):
    status = 400
    default_message = "The bucket does not allow ACLs"


class MalformedACLError(S3Error):
    status = 400
    default_message = ("The XML you provided was not well-formed or did not validate against our "
                       "published schema")


class UnresolvableGrantByEmailAddress(S3Error):
    status = 400
    default_message = "The e-mail address you provided does not match any account on record."


class InvalidBucketAclWithBlockPublicAccessError(S3Error):
    status = 400
    default_message = "Bucket cannot have public ACLs set with BlockPublicAccess enabled"


class InvalidBucketAclWithObjectOwnership(S3Error):
    status = 400
    default_message = "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"


class MalformedQueryString(S3Error):
    status = 400
    default_message = "The query string is malformed."


class MaxMessageLengthExceeded(S3Error):
    status = 400
    default_message = "Your request was too big."


class PreconditionFailed(S3Error):
    status = 412
    default_message = "At least one of the pre-conditions you specified did not hold"


class NotModified(S3Error):
    """Not an error to the client: a 304 with no body. Raised to unwind the handler."""

    status = 304
    default_message = "Not Modified"


class RequestTimeout(S3Error):
    status = 400
    default_message = (
        "Your socket connection to the server was not read from or written to within the timeout period."
    )


class InvalidBucketState(S3Error):
    status = 409
    default_message = "The request is not valid with the current state of the bucket."


class ObjectLockConfigurationNotFoundError(S3Error):
    status = 404
    default_message = "Object Lock configuration does not exist for this bucket"


class NoSuchObjectLockConfiguration(S3Error):
    status = 404
    default_message = "The specified object does not have a ObjectLock configuration"


# --- 403 -------------------------------------------------------------------------------------------
class AccessDenied(S3Error):
    status = 403
    default_message = "Access Denied"


class AccessForbidden(S3Error):
    """A CORS preflight that the bucket's CORS configuration does not allow."""

    status = 403
    default_message = "CORSResponse: This CORS request is not allowed."


class SignatureDoesNotMatch(S3Error):
    status = 403
    default_message = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."
    )


class InvalidAccessKeyId(S3Error):
    status = 403
    default_message = "The AWS Access Key Id you provided does not exist in our records."


class RequestTimeTooSkewed(S3Error):
    status = 403
    default_message = "The difference between the request time and the current time is too large."


class ExpiredToken(S3Error):
    status = 400
    default_message = "The provided token has expired."


class InvalidToken(S3Error):
    status = 400
    default_message = "The provided token is malformed or otherwise invalid."


class AllAccessDisabled(S3Error):
    status = 403
    default_message = "All access to this Amazon S3 resource has been disabled."


# --- 404 -------------------------------------------------------------------------------------------
class NoSuchBucket(S3Error):
    status = 404
    default_message = "The specified bucket does not exist"


class NoSuchKey(S3Error):
    status = 404
    default_message = "The specified key does not exist."


class NoSuchUpload(S3Error):
    status = 404
    default_message = (
        "The specified upload does not exist. The upload ID may be invalid, "
        "or the upload may have been aborted or completed."
    )


class NoSuchVersion(S3Error):
    status = 404
    default_message = "The specified version does not exist."


class NoSuchTagSet(S3Error):
    status = 404
    default_message = "The TagSet does not exist"


class NoSuchBucketPolicy(S3Error):
    status = 404
    default_message = "The bucket policy does not exist"


class NoSuchAccessPoint(S3Error):
    status = 404
    default_message = "The specified accesspoint does not exist"


class NoSuchAccessPointPolicy(S3Error):
    status = 404
    default_message = "The specified accesspoint policy does not exist"


class AccessPointAlreadyOwnedByYou(S3Error):
    status = 409
    default_message = ("Your previous request to create the named accesspoint succeeded and you "
                       "already own it.")


class NoSuchPublicAccessBlockConfiguration(S3Error):
    status = 404
    default_message = "The public access block configuration was not found"


class OwnershipControlsNotFoundError(S3Error):
    status = 404
    default_message = "The bucket ownership controls were not found"


class NoSuchCORSConfiguration(S3Error):
    status = 404
    default_message = "The CORS configuration does not exist"


class NoSuchLifecycleConfiguration(S3Error):
    status = 404
    default_message = "The lifecycle configuration does not exist"


class NoSuchWebsiteConfiguration(S3Error):
    status = 404
    default_message = "The specified bucket does not have a website configuration"


# --- 405 / 409 / 411 -------------------------------------------------------------------------------
class MethodNotAllowed(S3Error):
    status = 405
    default_message = "The specified method is not allowed against this resource."


class BucketAlreadyExists(S3Error):
    status = 409
    default_message = (
        "The requested bucket name is not available. The bucket namespace is shared by all users of the "
        "system. Please select a different name and try again."
    )


class BucketAlreadyOwnedByYou(S3Error):
    status = 409
    default_message = "Your previous request to create the named bucket succeeded and you already own it."


class BucketNotEmpty(S3Error):
    status = 409
    default_message = "The bucket you tried to delete is not empty"


class OperationAborted(S3Error):
    status = 409
    default_message = "A conflicting conditional operation is currently in progress against this resource."


class ConditionalRequestConflict(S3Error):
    status = 409
    default_message = "A conflicting operation occurred. If using PutObject you can retry the request."


class InvalidObjectState(S3Error):
    status = 403
    default_message = "The operation is not valid for the object's storage class"


# --- 5xx -------------------------------------------------------------------------------------------
class InternalError(S3Error):
    status = 500


class NotImplemented(S3Error):
    status = 501
    default_message = "A header you provided implies functionality that is not implemented."


class ServiceUnavailable(S3Error):
    status = 503
    default_message = "Please reduce your request rate."


class SlowDown(S3Error):
    status = 503
    default_message = "Please reduce your request rate."


class InsufficientStorage(S3Error):
    """Not an AWS code (AWS never runs out of disk); 507 tells clients not to retry blindly."""

    status = 507
    default_message = "The server has insufficient storage to complete the request. Nothing was stored."
