"""Turning the document as sent into JSON values, safely.

Bounded for hostile input: the text is decoded strictly (invalid UTF-8 is rejected), its size
is checked before anything else (``max_size`` counts the characters of the document as sent,
whitespace included — stricter than IAM, which does not count whitespace), its nesting depth
is measured with a linear scan *before* the recursive JSON parser sees it (so deep nesting can
never raise RecursionError), and duplicate keys are rejected ("Individual elements must not
contain multiple instances of the same key"). JSON numbers keep their exact text.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ironbucket.policy.errors import PolicyError
from ironbucket.policy.model import PolicyKind

MAX_DOCUMENT_CHARS = 1_048_576
"""Hard ceiling whatever max_size says (AWS's largest policy quota is a few tens of KB)."""
MAX_DEPTH = 32
"""A valid policy nests at most 6 levels deep; anything past this is rejected unparsed."""

_SCAN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_JSON_SPACE = " \t\r\n"


class JsonNumber(str):
    """A JSON number, kept as the exact text it was written with."""

    __slots__ = ()


def is_text(value: object) -> bool:
    """A JSON string (not a number kept as text)."""
    return isinstance(value, str) and not isinstance(value, JsonNumber)


def _no_constant(name: str) -> Any:
    raise PolicyError(f"Syntax errors in policy: {name} is not valid JSON")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise PolicyError(f"Syntax errors in policy: duplicate field {key}")
        out[key] = value
    return out


def _check_depth(text: str) -> None:
    depth = 0
    for found in _SCAN.finditer(text):
        char = text[found.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise PolicyError(f"Syntax errors in policy: nesting deeper than {MAX_DEPTH} levels")
        elif char in "]}":
            depth -= 1


def decode(document: str | bytes, max_size: int | None) -> str:
    """The document as text, after the size and encoding checks."""
    limit = MAX_DOCUMENT_CHARS if max_size is None else min(max_size, MAX_DOCUMENT_CHARS)
    if isinstance(document, bytes | bytearray | memoryview):
        raw = bytes(document)
        if len(raw) > 4 * limit:
            raise PolicyError(f"Cannot exceed quota for PolicySize: {limit}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PolicyError(f"Policy document is not valid UTF-8 (byte {exc.start})") from None
    elif isinstance(document, str):
        text = document
    else:
        raise PolicyError("Policy document must be text")
    if len(text) > limit:
        raise PolicyError(f"Cannot exceed quota for PolicySize: {limit}")
    return text


def load(text: str, kind: PolicyKind) -> dict[str, Any]:
    """Parse the JSON object of a policy document."""
    body = text if kind is PolicyKind.RESOURCE else text.lstrip(_JSON_SPACE)
    if not body.startswith("{"):
        raise PolicyError("Policies must be valid JSON and the first byte must be '{'")
    _check_depth(body)
    try:
        value = json.loads(
            body,
            object_pairs_hook=_object,
            parse_int=JsonNumber,
            parse_float=JsonNumber,
            parse_constant=_no_constant,
        )
    except PolicyError:
        raise
    except (ValueError, RecursionError) as exc:
        if kind is PolicyKind.RESOURCE:
            raise PolicyError(f"This policy contains invalid Json: {exc}") from None
        raise PolicyError(f"Syntax errors in policy: {exc}") from None
    if not isinstance(value, dict):
        raise PolicyError("Policies must be valid JSON and the first byte must be '{'")
    return value
