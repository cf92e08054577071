"""The AWS Query protocol (IAM, STS): form-encoded requests, XML responses and errors.

Request: ``POST /`` with ``Content-Type: application/x-www-form-urlencoded`` (or the same
parameters in the query string): ``Action=CreateUser&Version=2010-05-08&UserName=alice``.
Response: ``<CreateUserResponse xmlns="..."><CreateUserResult>...</CreateUserResult>
<ResponseMetadata><RequestId>..</RequestId></ResponseMetadata></CreateUserResponse>``.
Error: ``<ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>..</Code>
<Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from ironbucket.errors import MalformedQueryString, S3Error
from ironbucket.http.request import Request
from ironbucket.http.response import Response
from ironbucket.http.xml import XmlWriter

if TYPE_CHECKING:
    from ironbucket.api.context import Services
    from ironbucket.auth.authenticate import Authentication
    from ironbucket.events.record import RequestRecord

MAX_FORM = 1024 * 1024
NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}
_SCOPE_SERVICE = re.compile(r"Credential=[^/,\s]*/\d{8}/[^/,\s]*/([^/,\s]+)/aws4_request")


def detect_service(request: Request) -> str:
    """Which AWS service a request is for: the SigV4 credential scope names it (S3 otherwise)."""
    credential = request.query.get("X-Amz-Credential")
    if credential is not None:
        parts = credential.split("/")
        return parts[3] if len(parts) == 5 else "s3"
    authorization = request.headers.get("authorization")
    if authorization is not None and authorization.startswith("AWS4-HMAC-SHA256"):
        found = _SCOPE_SERVICE.search(authorization)
        if found is not None:
            return found.group(1)
    return "s3"


@dataclass(slots=True)
class QueryContext:
    """What a Query-protocol handler receives."""

    request: Request
    auth: Authentication
    services: Services
    record: RequestRecord
    now: float
    params: dict[str, str] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return self.params.get("Action", "")

    @property
    def account_id(self) -> str:
        return self.auth.principal.account_id


def parse_form(body: bytes, query: Mapping[str, str]) -> dict[str, str]:
    """Form parameters (the body's, then the query string's where the body lacks them)."""
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedQueryString() from exc
    params: dict[str, str] = dict(query)
    for name, value in pairs:
        params[name] = value
    return params


def member_list(params: Mapping[str, str], prefix: str) -> list[str]:
    """``Prefix.member.1``, ``Prefix.member.2``, ... as a list (the Query encoding of lists)."""
    values: list[str] = []
    index = 1
    while f"{prefix}.member.{index}" in params:
        values.append(params[f"{prefix}.member.{index}"])
        index += 1
    return values


def member_structs(params: Mapping[str, str], prefix: str) -> list[dict[str, str]]:
    """``Tags.member.1.Key`` / ``Tags.member.1.Value`` ... as a list of dicts."""
    items: list[dict[str, str]] = []
    index = 1
    while True:
        head = f"{prefix}.member.{index}."
        item = {name[len(head):]: value for name, value in params.items() if name.startswith(head)}
        if not item:
            return items
        items.append(item)
        index += 1


def result_writer(action: str) -> XmlWriter:
    return XmlWriter(f"{action}Result", namespace=None, declaration=False)


def result_response(service: str, action: str, result: XmlWriter | None, request_id: str) -> Response:
    """Wrap a result body (built with ``result_writer(action)``) in the action's response."""
    writer = XmlWriter(f"{action}Response", namespace=NAMESPACES.get(service))
    if result is not None:
        writer.raw(result.render().decode())
    writer.start("ResponseMetadata").element("RequestId", request_id).end()
    return Response(status=200, headers={"content-type": "text/xml"}, body=writer.render())


def error_response(service: str, error: S3Error, request_id: str) -> Response:
    writer = XmlWriter("ErrorResponse", namespace=NAMESPACES.get(service))
    writer.start("Error").element("Type", "Sender" if error.status < 500 else "Receiver")
    writer.element("Code", error.code).element("Message", error.message).end()
    writer.element("RequestId", request_id)
    return Response(status=error.status, headers={"content-type": "text/xml", **error.headers},
                    body=writer.render())


def iso8601(epoch: float) -> str:
    """The Query protocols' timestamp format: 2024-01-31T12:00:00Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
