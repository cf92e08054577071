"""KMS clients and key policies for the KMS integration tests."""

from __future__ import annotations

import json
from typing import Any

from tests.integration.iam_helpers import Creds, client
from tests.integration.server import RunningServer


def root_creds(server: RunningServer) -> Creds:
    return Creds(server.access_key, server.secret_key)


def kms(server: RunningServer, creds: Creds | None = None) -> Any:
    return client(server, "kms", creds or root_creds(server))


def account_of(server: RunningServer, creds: Creds | None = None) -> str:
    return str(client(server, "sts", creds or root_creds(server)).get_caller_identity()["Account"])


def key_policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow_principal(principal: str, actions: str | list[str] = "kms:*",
                    condition: dict[str, Any] | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions,
                            "Resource": "*"}
    if condition is not None:
        made["Condition"] = condition
    return made
