"""AWS's JSON 1.1 protocol as KMS speaks it: ``POST /`` with ``X-Amz-Target: TrentService.<Op>``
and a JSON object body; responses are JSON objects, errors ``{"__type": code, "message": ..}``.
Blobs travel as base64 strings, timestamps as epoch seconds.

``Params`` reads members with the model's constraints; a breach is a ValidationException
worded as AWS words it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from ironbucket.errors import S3Error
from ironbucket.http.response import Response
from ironbucket.kms.errors import SerializationException, ValidationException, json_code

TARGET_PREFIX = "TrentService."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_BODY = 1024 * 1024


def target_action(target: str | None) -> str | None:
    if target is None or not target.startswith(TARGET_PREFIX):
        return None
    return target[len(TARGET_PREFIX):]


def parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SerializationException("Start of structure or map found where not expected.") from None
    if not isinstance(value, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    return value


def response(body: Mapping[str, Any] | None) -> Response:
    return Response(status=200, headers={"content-type": CONTENT_TYPE},
                    body=json.dumps(body or {}).encode())


def error_response(error: S3Error) -> Response:
    payload = {"__type": json_code(error), "message": error.message}
    status = error.status if error.status >= 500 else 400
    return Response(status=status, headers={"content-type": CONTENT_TYPE, **error.headers},
                    body=json.dumps(payload).encode())


def _invalid(field: str, constraint: str, value: object = None) -> ValidationException:
    shown = "" if value is None else f"'{value}' "
    return ValidationException(f"1 validation error detected: Value {shown}at '{field}' failed to "
                               f"satisfy constraint: {constraint}")


class Params:
    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def string(self, name: str, *, required: bool = False, max_len: int = 2048,
               min_len: int = 1) -> str | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise _invalid(_field(name), "Member must not be null")
            return None
        if not isinstance(value, str):
            raise SerializationException(f"{name} must be a string")
        if not min_len <= len(value) <= max_len:
            raise _invalid(_field(name), f"Member must have length between {min_len} and {max_len}",
                           value if len(value) < 256 else None)
        return value

    def required(self, name: str, *, max_len: int = 2048, min_len: int = 1) -> str:
        value = self.string(name, required=True, max_len=max_len, min_len=min_len)
        assert value is not None
        return value

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise SerializationException(f"{name} must be an integer")
        if value < low:
            raise _invalid(_field(name), f"Member must have value greater than or equal to {low}", value)
        if value > high:
            raise _invalid(_field(name), f"Member must have value less than or equal to {high}", value)
        return value

    def boolean(self, name: str) -> bool:
        value = self.raw.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise SerializationException(f"{name} must be a boolean")
        return value

    def blob(self, name: str, *, max_len: int, required: bool = True) -> bytes | None:
        value = self.raw.get(name)
        if value is None:
            if required:
                raise _invalid(_field(name), "Member must not be null")
            return None
        if not isinstance(value, str):
            raise SerializationException(f"{name} must be base64 text")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise SerializationException(f"{name} is not valid base64") from None
        if not 1 <= len(data) <= max_len:
            raise _invalid(_field(name), f"Member must have length between 1 and {max_len}")
        return data

    def string_map(self, name: str) -> dict[str, str]:
        value = self.raw.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise SerializationException(f"{name} must be a map of strings")
        return dict(value)

    def string_list(self, name: str) -> list[str]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SerializationException(f"{name} must be a list of strings")
        return list(value)

    def structs(self, name: str) -> list[dict[str, Any]]:
        value = self.raw.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise SerializationException(f"{name} must be a list of structures")
        return list(value)

    def struct(self, name: str) -> dict[str, Any] | None:
        value = self.raw.get(name)
        if value is not None and not isinstance(value, dict):
            raise SerializationException(f"{name} must be a structure")
        return value


def _field(name: str) -> str:
    return name[:1].lower() + name[1:]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
