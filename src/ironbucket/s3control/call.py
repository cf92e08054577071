"""What an S3 Control handler receives, and the table entry that routes to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum

from ironbucket.api.context import Services
from ironbucket.auth.principal import Principal
from ironbucket.http.request import Request
from ironbucket.http.response import Response


@dataclass(slots=True)
class ControlCall:
    request: Request
    services: Services
    principal: Principal
    account_id: str  # x-amz-account-id: always the caller's own account
    name: str | None  # the access point named in the path
    body: bytes
    now: float

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    @property
    def region(self) -> str:
        return self.services.settings.region

    def access_point_arn(self) -> str:
        return f"arn:aws:s3:{self.region}:{self.account_id}:accesspoint/{self.name}"


Handler = Callable[[ControlCall], Awaitable[Response]]


class On(Enum):
    ACCOUNT = "account"  # "*": these actions have no resource type
    ACCESS_POINT = "access-point"  # the access point named in the path


@dataclass(frozen=True, slots=True)
class ControlOperation:
    name: str
    action: str
    on: On
    handler: Handler
