"""IAM's error codes, as the Query protocol answers them (``<Code>`` is the class name).

    S3Error
    ├── 400: ValidationError, InvalidInput, MalformedPolicyDocument, PolicyNotAttachable, InvalidAction
    ├── 404: NoSuchEntity
    └── 409: EntityAlreadyExists, DeleteConflict, LimitExceeded

Codes and statuses: botocore's IAM model, https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from ironbucket.errors import S3Error
from ironbucket.storage.interfaces import (
    IamEntityExists,
    IamEntityInUse,
    IamNoSuchEntity,
    IamQuotaExceeded,
    IamStoreError,
)


class ValidationError(S3Error):
    """A parameter breaks its shape in the API model (pattern, length, range, required)."""

    status = 400
    default_message = "1 validation error detected"


class InvalidInput(S3Error):
    status = 400
    default_message = "Invalid input."


class MalformedPolicyDocument(S3Error):
    status = 400
    default_message = "Syntax errors in policy."


class PolicyNotAttachable(S3Error):
    status = 400
    default_message = "The policy cannot be attached."


class InvalidAction(S3Error):
    status = 400
    default_message = "The action or operation requested is invalid."


class NoSuchEntity(S3Error):
    status = 404
    default_message = "The request was rejected because it referenced an entity that does not exist."


class EntityAlreadyExists(S3Error):
    status = 409
    default_message = "The entity already exists."


class DeleteConflict(S3Error):
    status = 409
    default_message = "Cannot delete entity."


class LimitExceeded(S3Error):
    status = 409
    default_message = "A quota was exceeded."


_FROM_STORE: dict[type[IamStoreError], type[S3Error]] = {
    IamNoSuchEntity: NoSuchEntity,
    IamEntityExists: EntityAlreadyExists,
    IamEntityInUse: DeleteConflict,
    IamQuotaExceeded: LimitExceeded,
}


def from_store(exc: IamStoreError) -> S3Error:
    """The client-facing error for a mutation the store refused."""
    return _FROM_STORE.get(type(exc), InvalidInput)(str(exc))
