"""Requester Pays: who pays for a request on a bucket, and whether the request may go ahead.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/ObjectsinRequesterPaysBuckets.html

Pure: the pipeline hands in the facts (caller's account, bucket owner, the acknowledgement) and
gets back a ``Charge``. The rules, as AWS states them:
* Principals of the bucket owner's account (its root, IAM users, assumed roles) are the owner:
  they pay as the owner and need no acknowledgement. A role is charged to the account it belongs
  to, so another account's role pays as that account.
* Anyone else must acknowledge with ``x-amz-request-payer: requester`` (a header, or a query
  parameter of a presigned URL) or gets 403 AccessDenied; the owner is charged for that refusal.
* Anonymous requests are refused outright (the owner is charged).
* The acknowledgement never grants access: authorization runs first, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.errors import AccessDenied

CONFIG_NAME = "requestPayment"  # the bucket configuration document; absent means BucketOwner
REQUESTER = "Requester"
BUCKET_OWNER = "BucketOwner"
PAYER_HEADER = "x-amz-request-payer"
CHARGED_HEADER = "x-amz-request-charged"
# Operations that do not act on an existing bucket's contents: CreateBucket on a taken name
# must answer BucketAlreadyExists, not a payment refusal.
EXEMPT_OPERATIONS = frozenset({"CreateBucket"})


@dataclass(frozen=True, slots=True)
class Charge:
    """Who pays for one request on a Requester Pays bucket."""

    bucket: str
    account_id: str  # the account charged
    requester_pays: bool  # True: charged to the requester, who acknowledged it
    refusal: str | None = None  # why the request must be refused (after authorization), if so


def stored_payer(value: str | None) -> str:
    return REQUESTER if value == REQUESTER else BUCKET_OWNER


def acknowledged(headers: Mapping[str, str], query: Mapping[str, str]) -> bool:
    """``x-amz-request-payer: requester`` in the headers, or in the query of a presigned URL."""
    value = headers.get(PAYER_HEADER)
    if value is None:
        value = query.get(PAYER_HEADER)
    return value is not None and value.strip().lower() == "requester"


def assess(bucket: str, owner_account_id: str, caller_account_id: str | None,
           acknowledged_payment: bool) -> Charge:
    """The charge for a request on a Requester Pays bucket. ``caller_account_id`` is None for an
    anonymous request."""
    if caller_account_id is None:
        return Charge(bucket, owner_account_id, False,
                      "Requester Pays buckets do not allow anonymous access.")
    if caller_account_id == owner_account_id:
        return Charge(bucket, owner_account_id, False)
    if not acknowledged_payment:
        return Charge(bucket, owner_account_id, False,
                      "This bucket is a Requester Pays bucket: requests from other accounts must "
                      "include x-amz-request-payer: requester.")
    return Charge(bucket, caller_account_id, True)


def enforce(charge: Charge) -> None:
    """Refuse the request (after authorization allowed it) when it may not go ahead."""
    if charge.refusal is not None:
        raise AccessDenied(charge.refusal)
