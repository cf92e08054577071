"""An IAM service harness: calls ``iam.service.handle`` as the pipeline would, on a real store."""

from __future__ import annotations

import os
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast
from xml.etree import ElementTree

import uvloop

from ironbucket.api.context import Services
from ironbucket.auth.authenticate import Authentication
from ironbucket.auth.payload import UNSIGNED
from ironbucket.auth.principal import Principal
from ironbucket.auth.stored_credentials import StoredCredentials, root_principal, user_principal
from ironbucket.config import Settings
from ironbucket.crypto.master_key import MasterKey
from ironbucket.events.record import RequestRecord
from ironbucket.http.query_protocol import QueryContext
from ironbucket.http.request import Request
from ironbucket.iam.service import handle
from ironbucket.storage.interfaces import Account, BlobStore, IamUser
from ironbucket.storage.sqlite import SqliteMetadataStore

T = TypeVar("T")
OWNER = "111122223333"
OTHER = "444455556666"
NOW = 1_700_000_000.0
ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
TRUST_EC2 = ('{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
             '"Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}')


def run(coro: Coroutine[Any, Any, T]) -> T:
    return uvloop.run(coro)


def account(account_id: str = OWNER, name: str = "acme") -> Account:
    return Account(account_id=account_id, name=name, canonical_id=account_id.ljust(64, "c"),
                   created_at=NOW - 100)


@dataclass
class _Request:
    request_id: str = "REQ1"
    client_ip: str = "127.0.0.1"
    scheme: str = "http"
    tls_version: str | None = None
    endpoint: None = None  # not through a private endpoint
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


def strip_namespaces(root: ElementTree.Element) -> ElementTree.Element:
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    return root


@dataclass
class Iam:
    """Calls IAM actions as one principal; returns the parsed response (namespaces removed)."""

    meta: SqliteMetadataStore
    credentials: StoredCredentials
    principal: Principal
    now: float = NOW
    access_key_id: str | None = None

    async def __call__(self, action: str, **params: str) -> ElementTree.Element:
        services = Services(settings=Settings(), meta=self.meta, blobs=cast(BlobStore, None),
                            credentials=self.credentials, default_account_id=OWNER, clock=lambda: self.now)
        auth = Authentication(principal=self.principal, service="iam", region="us-east-1",
                              auth_type="REST-HEADER", signature_version="AWS4-HMAC-SHA256",
                              signature_age_ms=0, access_key_id=self.access_key_id, payload=UNSIGNED)
        ctx = QueryContext(request=cast(Request, _Request()), auth=auth, services=services,
                           record=RequestRecord("REQ1", self.now, "POST", "/", "127.0.0.1"),
                           now=self.now, params={"Action": action, "Version": "2010-05-08", **params})
        response = await handle(ctx)
        assert response.status == 200
        assert isinstance(response.body, bytes)
        return strip_namespaces(ElementTree.fromstring(response.body))

    def as_user(self, user: IamUser, account_record: Account | None = None) -> Iam:
        return Iam(self.meta, self.credentials,
                   user_principal(account_record or account(user.account_id), user), self.now)


def root_iam(meta: SqliteMetadataStore, account_id: str = OWNER) -> Iam:
    credentials = StoredCredentials(meta, MasterKey(os.urandom(32)))
    return Iam(meta, credentials, root_principal(account(account_id)))


def texts(root: ElementTree.Element, path: str) -> list[str]:
    return [e.text or "" for e in root.iterfind(path)]


def text(root: ElementTree.Element, path: str) -> str | None:
    found = root.find(path)
    return None if found is None else found.text or ""


def tags(**items: str) -> dict[str, str]:
    """``Tags.member.N.Key/Value`` form parameters."""
    params: dict[str, str] = {}
    for index, (key, value) in enumerate(items.items(), 1):
        params[f"Tags.member.{index}.Key"] = key
        params[f"Tags.member.{index}.Value"] = value
    return params


def members(name: str, *values: str) -> dict[str, str]:
    return {f"{name}.member.{i}": v for i, v in enumerate(values, 1)}
