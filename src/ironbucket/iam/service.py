"""The IAM service (Query protocol): placeholder until the IAM actions land."""

from __future__ import annotations

from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.http.query_protocol import QueryContext
from ironbucket.http.response import Response


async def handle(ctx: QueryContext) -> Response:
    raise S3NotImplemented(f"IAM action {ctx.action} is not implemented yet.")
