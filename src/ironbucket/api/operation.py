"""What a catalog entry says about one S3 operation: how it is recognised on the wire,
which IAM actions on which resources it needs, and which handler runs it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ironbucket.api.context import Context
    from ironbucket.http.response import Response

Handler = Callable[["Context"], Awaitable["Response"]]


class Target(Enum):
    """What the request path addresses."""

    SERVICE = "service"  # GET /
    BUCKET = "bucket"  # /bucket
    OBJECT = "object"  # /bucket/key


class Resource(Enum):
    """Which ARN an action is checked against."""

    ALL = "all"  # "*" (ListAllMyBuckets)
    BUCKET = "bucket"  # arn:aws:s3:::bucket
    OBJECT = "object"  # arn:aws:s3:::bucket/key
    COPY_SOURCE = "copy-source"  # the object named by x-amz-copy-source
    EACH_KEY = "each-key"  # checked by the handler for every key it touches (DeleteObjects)


@dataclass(frozen=True, slots=True)
class Need:
    """One IAM action the operation needs.

    ``when_headers``: needed only if the request carries one of these headers.
    ``version_action``: checked instead of ``action`` when the request names a version.
    """

    action: str
    resource: Resource
    when_headers: tuple[str, ...] = ()
    version_action: str | None = None


@dataclass(frozen=True, slots=True)
class Operation:
    name: str  # AWS's operation name
    method: str
    target: Target
    query: tuple[str, ...] = ()  # query parameters that must all be present to select it
    query_value: tuple[str, str] | None = None  # a parameter that must have this value
    header: str | None = None  # a header whose presence selects it (x-amz-copy-source)
    needs: tuple[Need, ...] = ()
    handler: Handler | None = None  # None: recognised and authorized, then NotImplemented
    aliases: tuple[str, ...] = ()  # other AWS names for the very same wire request
    unsigned: bool = False  # never authenticated: the caller is anonymous (CORS preflight only)

    @property
    def specificity(self) -> int:
        return len(self.query) + (self.query_value is not None) + (self.header is not None)
