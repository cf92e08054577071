"""KMS's error codes as the JSON 1.1 protocol carries them (``__type``); every one is HTTP 400
except the internal error. Codes: botocore's kms service model (2014-11-01)."""

from __future__ import annotations

from ironbucket.errors import S3Error


class KmsError(S3Error):
    status = 400
    default_message = "The request was rejected."


class NotFoundException(KmsError):
    default_message = "The request was rejected because the specified entity or resource could not be found."


class DisabledException(KmsError):
    default_message = "The request was rejected because the specified KMS key is not enabled."


class KMSInvalidStateException(KmsError):
    default_message = "The request was rejected because the state of the specified resource is not valid."


class InvalidCiphertextException(KmsError):
    default_message = "The request was rejected because the ciphertext is not valid."


class IncorrectKeyException(KmsError):
    default_message = ("The key ID in the request does not identify a KMS key that can perform "
                       "this operation.")


class AccessDeniedException(KmsError):
    default_message = "User is not authorized to perform this operation."


class AlreadyExistsException(KmsError):
    default_message = ("The request was rejected because it attempted to create a resource that already "
                       "exists.")


class ValidationException(KmsError):
    default_message = "1 validation error detected"


class MalformedPolicyDocumentException(KmsError):
    default_message = ("The request was rejected because the specified policy is not syntactically or "
                       "semantically correct.")


class InvalidKeyUsageException(KmsError):
    default_message = "The request was rejected because the key usage is not valid for this operation."


class UnsupportedOperationException(KmsError):
    default_message = "The request was rejected because a specified parameter is not supported."


class InvalidAliasNameException(KmsError):
    default_message = "The request was rejected because the specified alias name is not valid."


class InvalidArnException(KmsError):
    default_message = "The request was rejected because a specified ARN is not valid."


class InvalidMarkerException(KmsError):
    default_message = ("The request was rejected because the marker that specifies where pagination "
                       "should next begin is not valid.")


class InvalidGrantTokenException(KmsError):
    default_message = "The request was rejected because the specified grant token is not valid."


class InvalidGrantIdException(KmsError):
    default_message = "The request was rejected because the specified GrantId is not valid."


class LimitExceededException(KmsError):
    default_message = "The request was rejected because a quota was exceeded."


class TagException(KmsError):
    default_message = "The request was rejected because one or more tags are not valid."


class UnknownOperationException(KmsError):
    default_message = "The action or operation requested is invalid."


class SerializationException(KmsError):
    default_message = "The request body is not valid JSON."


class KMSInternalException(KmsError):
    status = 500
    default_message = "The request was rejected because an internal exception occurred."


# What the signature checks (shared with S3) answer, spelled as the JSON services spell them.
_AUTH_CODES = {
    "InvalidAccessKeyId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "AccessDenied": "AccessDeniedException",
    "InternalError": "KMSInternalException",
    "ExpiredToken": "ExpiredTokenException",
    "InvalidToken": "UnrecognizedClientException",
    "RequestTimeTooSkewed": "InvalidSignatureException",
}


def json_code(error: S3Error) -> str:
    return error.code if isinstance(error, KmsError) else _AUTH_CODES.get(error.code, error.code)


class DryRunOperationException(KmsError):
    default_message = "The request would have succeeded, but the DryRun option is set."
