"""IAM request parameters, checked against the shapes of AWS's API model (botocore's
``iam/2010-05-08/service-2.json``) and answered with AWS's ValidationError wording:
``1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: ...``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.http.query_protocol import member_list, member_structs
from ironbucket.iam.errors import InvalidInput, ValidationError


@dataclass(frozen=True, slots=True)
class Shape:
    min_length: int = 0
    max_length: int | None = None
    pattern: str | None = None  # as the model spells it (AWS quotes it in messages)

    def regex(self) -> re.Pattern[str] | None:
        # Java's \w is ASCII-only, hence re.ASCII.
        return _compiled(self.pattern) if self.pattern else None


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    found = _CACHE.get(pattern)
    if found is None:
        found = _CACHE[pattern] = re.compile(pattern, re.ASCII)
    return found


_NAME = r"[\w+=,.@-]+"
USER_NAME = Shape(1, 64, _NAME)
EXISTING_USER_NAME = Shape(1, 128, _NAME)
ROLE_NAME = Shape(1, 64, _NAME)
GROUP_NAME = Shape(1, 128, _NAME)
POLICY_NAME = Shape(1, 128, _NAME)
PATH = Shape(1, 512, r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)")
PATH_PREFIX = Shape(1, 512, r"\u002F[\u0021-\u007F]*")
POLICY_PATH = Shape(1, 512, r"((/[A-Za-z0-9\.,\+@=_-]+)*)/")
ARN = Shape(20, 2048)
DOCUMENT = Shape(1, 131072, r"[\u0009\u000A\u000D\u0020-\u00FF]+")
ROLE_DESCRIPTION = Shape(0, 1000, r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*")
POLICY_DESCRIPTION = Shape(0, 1000)
ACCESS_KEY_ID = Shape(16, 128, r"[\w]+")
VERSION_ID = Shape(0, None, r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")
MARKER = Shape(1, 320, r"[\u0020-\u00FF]+")
TAG_KEY = Shape(1, 128)
TAG_VALUE = Shape(0, 256)
MAX_TAGS = 50
_TAG_PUNCTUATION = frozenset("_.:/=+-@")


def _member(name: str) -> str:
    """The model's member name as AWS quotes it: ``UserName`` → ``userName``."""
    return name[:1].lower() + name[1:]


def invalid(name: str, value: str | None, constraint: str) -> ValidationError:
    shown = "null" if value is None else f"'{value}'"
    return ValidationError(f"1 validation error detected: Value {shown} at '{_member(name)}' failed to "
                           f"satisfy constraint: {constraint}")


def check(name: str, value: str, shape: Shape) -> str:
    if len(value) < shape.min_length:
        raise invalid(name, value, f"Member must have length greater than or equal to {shape.min_length}")
    if shape.max_length is not None and len(value) > shape.max_length:
        raise invalid(name, value, f"Member must have length less than or equal to {shape.max_length}")
    regex = shape.regex()
    if regex is not None and regex.fullmatch(value) is None:
        raise invalid(name, value, f"Member must satisfy regular expression pattern: {shape.pattern}")
    return value


def _tag_text(name: str, value: str, shape: Shape) -> str:
    """Tag keys and values: letters, separators and numbers of any script (\\p{L}\\p{Z}\\p{N}),
    and ``_.:/=+-@``."""
    check(name, value, shape)
    for char in value:
        if char not in _TAG_PUNCTUATION and unicodedata.category(char)[0] not in "LZN":
            raise invalid(name, value, "Member must satisfy regular expression pattern: "
                                       r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")
    return value


class Params:
    """Typed access to one request's form parameters."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw

    def optional(self, name: str, shape: Shape) -> str | None:
        value = self.raw.get(name)
        return None if value is None else check(name, value, shape)

    def required(self, name: str, shape: Shape) -> str:
        value = self.raw.get(name)
        if value is None:
            raise invalid(name, None, "Member must not be null")
        return check(name, value, shape)

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            raise invalid(name, value, "Member must be an integer") from None
        if number < low:
            raise invalid(name, value, f"Member must have value greater than or equal to {low}")
        if number > high:
            raise invalid(name, value, f"Member must have value less than or equal to {high}")
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise invalid(name, value, "Member must be a boolean")
        return value.lower() == "true"

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        value = self.raw.get(name)
        if value is not None and value not in allowed:
            raise invalid(name, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]")
        return value

    def strings(self, name: str) -> list[str]:
        return member_list(self.raw, name)

    def tags(self, name: str = "Tags") -> dict[str, str]:
        """``Tags.member.N.Key/Value``: at most 50, keys unique without regard to case (as IAM has it)."""
        items = member_structs(self.raw, name)
        if len(items) > MAX_TAGS:
            raise invalid(name, None, f"Member must have length less than or equal to {MAX_TAGS}")
        tags: dict[str, str] = {}
        seen: set[str] = set()
        for item in items:
            key = item.get("Key")
            if key is None:
                raise invalid("Key", None, "Member must not be null")
            _tag_text("Key", key, TAG_KEY)
            value = _tag_text("Value", item.get("Value", ""), TAG_VALUE)
            if key.lower() in seen:
                raise InvalidInput("Duplicate tag keys found. "
                                   "Please note that Tag keys are case insensitive.")
            seen.add(key.lower())
            tags[key] = value
        return tags

    def tag_keys(self, name: str = "TagKeys") -> list[str]:
        keys = self.strings(name)
        if len(keys) > MAX_TAGS:
            raise invalid(name, None, f"Member must have length less than or equal to {MAX_TAGS}")
        return [_tag_text(name, key, TAG_KEY) for key in keys]
