"""IAM pagination: ``MaxItems`` (1..1000, default 100) and ``Marker`` in; ``IsTruncated`` and the
next ``Marker`` out. A marker is opaque to clients: here, the sort key of the last item returned,
as base64url JSON, so the next page starts right after it whatever changed meanwhile."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ironbucket.http.xml import XmlWriter
from ironbucket.iam.errors import InvalidInput
from ironbucket.iam.params import MARKER, Params

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


@dataclass(frozen=True, slots=True)
class Paging:
    max_items: int
    after: list[Any] | None  # the decoded marker

    def after_pair(self) -> tuple[str, str] | None:
        if self.after is None:
            return None
        if len(self.after) != 2 or not all(isinstance(v, str) for v in self.after):
            raise InvalidInput("Invalid Marker.")
        return (self.after[0], self.after[1])

    def after_text(self) -> str | None:
        if self.after is None:
            return None
        if len(self.after) != 1 or not isinstance(self.after[0], str):
            raise InvalidInput("Invalid Marker.")
        return str(self.after[0])


def paging(params: Params) -> Paging:
    max_items = params.integer("MaxItems", 1, 1000) or DEFAULT_MAX_ITEMS
    marker = params.optional("Marker", MARKER)
    return Paging(max_items, None if marker is None else decode_marker(marker))


def encode_marker(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_marker(marker: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(marker + "=" * (-len(marker) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidInput("Invalid Marker.") from None
    if not isinstance(values, list):
        raise InvalidInput("Invalid Marker.")
    return values


def page(items: Sequence[T], max_items: int) -> tuple[Sequence[T], bool]:
    """Split a fetch of ``max_items + 1`` into the page and whether more follow."""
    return items[:max_items], len(items) > max_items


def write_truncation(writer: XmlWriter, truncated: bool, marker: str | None) -> None:
    writer.element("IsTruncated", truncated)
    if truncated and marker is not None:
        writer.element("Marker", marker)
