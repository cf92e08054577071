"""IAM wildcard matching: ``*`` (any run of characters, including none and ``/``) and ``?``.

Every other character is literal (never a regular-expression metacharacter). A pattern is
compiled once into a matcher that runs in linear-ish time: the pattern is cut at each ``*``
into fixed-length segments, the first anchored at the start, the last at the end, and the
middle ones found leftmost-first in order. Because every segment has a fixed length, the
greedy leftmost choice is always safe, so there is no backtracking at all. Segments that
contain ``?`` are searched with a quantifier-free regular expression (literal characters and
``.`` only), which cannot backtrack catastrophically either.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence

Matcher = Callable[[str], bool]


class Wild(enum.Enum):
    STAR = "*"
    QUEST = "?"


Token = str | Wild
"""A pattern token: a literal run of characters, or one wildcard."""


def text_tokens(pattern: str) -> list[Token]:
    """Tokens of a plain pattern in which every ``*`` and ``?`` is a wildcard."""
    tokens: list[Token] = []
    start = 0
    for index, char in enumerate(pattern):
        if char in "*?":
            if index > start:
                tokens.append(pattern[start:index])
            tokens.append(Wild.STAR if char == "*" else Wild.QUEST)
            start = index + 1
    if start < len(pattern):
        tokens.append(pattern[start:])
    return tokens


def has_wildcard(tokens: Iterable[object]) -> bool:
    return any(isinstance(token, Wild) for token in tokens)


def literal_text(tokens: Iterable[Token]) -> str:
    """The text a wildcard-free token list stands for (wildcards rendered as themselves)."""
    return "".join(token.value if isinstance(token, Wild) else token for token in tokens)


class _Segment:
    """A fixed-length piece of a pattern between two stars."""

    __slots__ = ("length", "plain", "regex")

    def __init__(self, items: Sequence[str | None]) -> None:
        # items: literal characters, or None for "?"
        self.length = len(items)
        if all(item is not None for item in items):
            self.plain: str | None = "".join(item for item in items if item is not None)
            self.regex: re.Pattern[str] | None = None
        else:
            self.plain = None
            source = "".join("." if item is None else re.escape(item) for item in items)
            self.regex = re.compile(source, re.DOTALL)

    def at(self, text: str, pos: int) -> bool:
        if self.plain is not None:
            return text.startswith(self.plain, pos)
        assert self.regex is not None
        return self.regex.match(text, pos) is not None

    def find(self, text: str, pos: int, end: int) -> int:
        if self.plain is not None:
            return text.find(self.plain, pos, end)
        assert self.regex is not None
        found = self.regex.search(text, pos, end)
        return -1 if found is None else found.start()


def _segments(tokens: Sequence[Token]) -> list[_Segment]:
    segments: list[_Segment] = []
    items: list[str | None] = []
    for token in tokens:
        if token is Wild.STAR:
            segments.append(_Segment(items))
            items = []
        elif token is Wild.QUEST:
            items.append(None)
        else:
            assert isinstance(token, str)
            items.extend(token)
    segments.append(_Segment(items))
    return segments


def _always(_text: str) -> bool:
    return True


def compile_glob(tokens: Sequence[Token]) -> Matcher:
    """A matcher for the whole-string pattern described by ``tokens``."""
    segments = _segments(tokens)
    if len(segments) == 1:
        only = segments[0]
        if only.plain is not None:
            return only.plain.__eq__
        length = only.length
        regex = only.regex
        assert regex is not None
        return lambda text: len(text) == length and regex.fullmatch(text) is not None
    first, middle, last = segments[0], segments[1:-1], segments[-1]
    middle = [segment for segment in middle if segment.length]
    if not middle and first.plain is not None and last.plain is not None:
        prefix, suffix = first.plain, last.plain
        if not prefix and not suffix:
            return _always
        if not suffix:
            return lambda text: text.startswith(prefix)
        if not prefix:
            return lambda text: text.endswith(suffix)
        minimum = len(prefix) + len(suffix)
        return lambda text: len(text) >= minimum and text.startswith(prefix) and text.endswith(suffix)
    if not first.length and not last.length and len(middle) == 1 and middle[0].plain is not None:
        needle = middle[0].plain
        return lambda text: needle in text
    minimum = first.length + last.length + sum(segment.length for segment in middle)

    def match(text: str) -> bool:
        size = len(text)
        if size < minimum:
            return False
        end = size - last.length
        if not first.at(text, 0) or not last.at(text, end):
            return False
        pos = first.length
        for segment in middle:
            found = segment.find(text, pos, end)
            if found < 0:
                return False
            pos = found + segment.length
        return True

    return match


def compile_text(pattern: str) -> Matcher:
    """Shorthand: compile a plain pattern string."""
    return compile_glob(text_tokens(pattern))
