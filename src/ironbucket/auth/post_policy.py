"""Browser POST upload policies: parse the base64 JSON document, then hold a form to it.

https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
Field names match case-insensitively, values exactly. Every form field must be covered by a
condition, except the signature itself, ``file``, ``policy`` and ``x-ignore-*`` fields.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ironbucket.errors import AccessDenied, EntityTooLarge, EntityTooSmall, InvalidPolicyDocument

# Fields the policy need not mention (lower-case): the V4 and V2 signature fields, the policy,
# the file. ``x-ignore-*`` fields are exempt too.
EXEMPT_FIELDS = frozenset({"x-amz-signature", "file", "policy", "awsaccesskeyid", "signature"})
_FAILED = "Invalid according to Policy: Policy Condition failed: "


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # "eq" | "starts-with"
    field: str  # lower-case, without "$"
    value: str
    text: str  # as S3 quotes it in error messages: ["eq", "$acl", "public-read"]

    def holds(self, actual: str) -> bool:
        if self.operator == "eq":
            return actual == self.value
        if self.field == "content-type":
            # A Content-Type may list several values; each must carry the prefix.
            return all(part.strip().startswith(self.value) for part in actual.split(","))
        return actual.startswith(self.value)


@dataclass(frozen=True, slots=True)
class PostPolicy:
    expiration: float  # epoch seconds
    conditions: tuple[Condition, ...]
    content_length_range: tuple[int, int] | None


def _invalid(detail: str) -> InvalidPolicyDocument:
    return InvalidPolicyDocument(f"Invalid Policy: {detail}")


def parse_policy(policy_base64: str) -> PostPolicy:
    if not policy_base64.strip():
        raise _invalid("Expecting '{' but found End-of-Input")
    try:
        text = base64.b64decode(policy_base64, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("invalid Base64 encoding.") from None
    try:
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise _invalid("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid("Invalid JSON.")
    if "expiration" not in document:
        raise _invalid("Policy missing expiration.")
    expiration = _parse_expiration(document["expiration"])
    if "conditions" not in document:
        raise _invalid("Policy missing conditions.")
    raw_conditions = document["conditions"]
    if not isinstance(raw_conditions, list):
        raise _invalid("Invalid 'conditions' value: must be a List.")
    conditions: list[Condition] = []
    length_range: tuple[int, int] | None = None
    for raw in raw_conditions:
        if isinstance(raw, dict):
            conditions.append(_simple_condition(raw))
        elif isinstance(raw, list):
            if raw and isinstance(raw[0], str) and raw[0].lower() == "content-length-range":
                length_range = _length_range(raw)
            else:
                conditions.append(_operator_condition(raw))
        else:
            raise _invalid("Invalid condition test: must be a List or Object.")
    return PostPolicy(expiration, tuple(conditions), length_range)


def _parse_expiration(value: Any) -> float:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    raise _invalid(f"Invalid 'expiration' value: '{value}'")


def _quote(operator: str, field: str, value: str) -> str:
    return json.dumps([operator, f"${field}", value])


def _simple_condition(raw: Mapping[str, Any]) -> Condition:
    if len(raw) != 1:
        raise _invalid(
            "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
        )
    ((name, value),) = raw.items()
    if not isinstance(value, str):
        raise _invalid("Invalid Simple-Condition: value must be a string.")
    return Condition("eq", name.lower(), value, _quote("eq", name, value))


def _operator_condition(raw: list[Any]) -> Condition:
    if not raw or not isinstance(raw[0], str):
        raise _invalid("Invalid Condition: missing operation identifier.")
    operator = raw[0].lower()
    if operator not in ("eq", "starts-with"):
        raise _invalid(f"Invalid Condition: unknown operation '{raw[0]}'.")
    if len(raw) != 3:
        raise _invalid(f"Invalid {raw[0]}: wrong number of arguments.")
    name, value = raw[1], raw[2]
    if not isinstance(name, str) or not name.startswith("$") or not isinstance(value, str):
        raise _invalid(f"Invalid {raw[0]}: wrong number of arguments.")
    return Condition(operator, name[1:].lower(), value, _quote(operator, name[1:], value))


def _length_range(raw: list[Any]) -> tuple[int, int]:
    if len(raw) != 3:
        raise _invalid("Invalid content-length-range: wrong number of arguments.")
    bounds: list[int] = []
    for value in raw[1:]:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _invalid("Invalid content-length-range: bounds must be integers.")
        text = str(value).strip()
        if not text.isdigit():
            raise _invalid("Invalid content-length-range: bounds must be integers.")
        bounds.append(int(text))
    return bounds[0], bounds[1]


def check_expiration(policy: PostPolicy, now: float) -> None:
    if now > policy.expiration:
        raise AccessDenied("Invalid according to Policy: Policy expired.")


def check_fields(policy: PostPolicy, fields: Mapping[str, str], *, bucket: str, now: float) -> None:
    """Expiration, every condition, and no uncovered field. ``fields`` carries ``key`` with
    ``${filename}`` already substituted (:func:`substitute_filename`); ``bucket`` is the target."""
    check_expiration(policy, now)
    form = {name.lower(): value for name, value in fields.items()}
    for condition in policy.conditions:
        actual = bucket if condition.field == "bucket" else form.get(condition.field, "")
        if not condition.holds(actual):
            raise AccessDenied(_FAILED + condition.text)
    covered = {condition.field for condition in policy.conditions}
    extra = [
        name
        for name in fields
        if name.lower() not in covered
        and name.lower() not in EXEMPT_FIELDS
        and not name.lower().startswith("x-ignore-")
    ]
    if extra:
        raise AccessDenied("Invalid according to Policy: Extra input fields: " + ", ".join(extra))


def check_content_length(policy: PostPolicy, size: int) -> None:
    """The uploaded file's size against ``content-length-range`` (call once it is known)."""
    if policy.content_length_range is None:
        return
    low, high = policy.content_length_range
    if size < low:
        raise EntityTooSmall(ProposedSize=str(size), MinSizeAllowed=str(low))
    if size > high:
        raise EntityTooLarge(ProposedSize=str(size), MaxSizeAllowed=str(high))


def substitute_filename(key: str, filename: str | None) -> str:
    """``${filename}`` in the ``key`` field is the name of the uploaded file."""
    return key.replace("${filename}", filename or "")
