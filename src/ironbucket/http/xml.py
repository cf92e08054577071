"""XML at the edge: hostile-input-safe parsing (defusedxml) and a small, fast writer.

Parsing forbids DTDs, entity declarations and external references outright, so entity
expansion ("billion laughs") and XXE are refused as MalformedXML before anything happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from ironbucket.errors import MalformedXML

__all__ = ["Element", "XmlWriter", "child", "child_text", "children", "escape", "expect_root", "iso8601",
           "local_name", "parse", "required_text"]

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def parse(body: bytes) -> Element:
    if not body.strip():
        raise MalformedXML()
    try:
        root: Element = SafeElementTree.fromstring(body, forbid_dtd=True, forbid_entities=True,
                                          forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedXML() from exc
    return root


def local_name(element: Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[1] if tag.startswith("{") else tag


def expect_root(element: Element, name: str) -> Element:
    if local_name(element) != name:
        raise MalformedXML()
    return element


def children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if local_name(child) == name)


def child(element: Element, name: str) -> Element | None:
    return next(children(element, name), None)


def child_text(element: Element, name: str, default: str | None = None) -> str | None:
    found = child(element, name)
    if found is None:
        return default
    return found.text or ""


def required_text(element: Element, name: str) -> str:
    text = child_text(element, name)
    if text is None:
        raise MalformedXML()
    return text


# --- writing ------------------------------------------------------------------------------------
_NEEDS_ESCAPE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL = re.compile(r"[\r\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape(text: str) -> str:
    """XML text escaping; control characters XML 1.0 cannot carry raw become character
    references (S3 keys may contain them; clients use encoding-type=url for those)."""
    if _NEEDS_ESCAPE.search(text) is None:
        return text  # the common case: nothing to do
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _CONTROL.sub(lambda m: f"&#x{ord(m.group()):X};", out)


def iso8601(epoch: float) -> str:
    """S3's timestamp format: 2009-10-12T17:50:30.000Z."""
    millis = int(epoch * 1000) % 1000
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis:03d}Z"


class XmlWriter:
    """Appends elements to a list of strings; ``render()`` joins once."""

    __slots__ = ("_parts", "_stack")

    def __init__(self, root: str, namespace: str | None = S3_NS, *, declaration: bool = True) -> None:
        ns = f' xmlns="{namespace}"' if namespace else ""
        self._parts: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n'] if declaration else []
        self._parts.append(f"<{root}{ns}>")
        self._stack = [root]

    def element(self, name: str, text: str | int | bool | None) -> XmlWriter:
        if text is None:
            return self
        value = ("true" if text else "false") if isinstance(text, bool) else escape(str(text))
        self._parts.append(f"<{name}>{value}</{name}>")
        return self

    def elements(self, pairs: Iterable[tuple[str, str | int | bool | None]]) -> XmlWriter:
        for name, text in pairs:
            self.element(name, text)
        return self

    def start(self, name: str) -> XmlWriter:
        self._parts.append(f"<{name}>")
        self._stack.append(name)
        return self

    def end(self) -> XmlWriter:
        self._parts.append(f"</{self._stack.pop()}>")
        return self

    def raw(self, fragment: str) -> XmlWriter:
        self._parts.append(fragment)
        return self

    def render(self) -> bytes:
        while self._stack:
            self.end()
        return "".join(self._parts).encode()
