"""Tag sets of objects and buckets: the ``x-amz-tagging`` header, and the limits S3 enforces.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html (10 tags an
object; key 1-128, value 0-256 Unicode characters; case-sensitive keys)
     https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging.html (50 tags a bucket)
     https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html (allowed characters:
letters, numbers and spaces, and ``+ - = . _ : / @``; ``aws:`` reserved)

The XML body (PutObjectTagging, PutBucketTagging) is parsed elsewhere into (key, value) pairs;
this module validates pairs from either source. Error codes and messages are the ones S3 answers.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote, unquote_plus

from ironbucket.errors import BadRequest, InvalidArgument, InvalidTag

Tag = tuple[str, str]

MAX_KEY_CHARS = 128
MAX_VALUE_CHARS = 256
_EXTRA_CHARACTERS = frozenset("+-=._:/@")


class TagTarget(enum.Enum):
    OBJECT = "object"
    BUCKET = "bucket"

    @property
    def max_tags(self) -> int:
        return 10 if self is TagTarget.OBJECT else 50


def is_valid_tag_text(text: str) -> bool:
    """S3's ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``: letters, numbers, space separators and ``+-=._:/@``.

    ``\\p{Z}`` is spaces (U+0020, U+00A0, U+3000, ...), not tab or newline, which are controls.
    """
    return all(ch in _EXTRA_CHARACTERS or unicodedata.category(ch)[0] in "LNZ" for ch in text)


def validate_tag_set(tags: Iterable[Tag], target: TagTarget) -> tuple[Tag, ...]:
    """The tags, in order, if S3 would accept them for ``target``; otherwise BadRequest/InvalidTag."""
    result = tuple(tags)
    if len(result) > target.max_tags:
        if target is TagTarget.OBJECT:
            raise BadRequest("Object tags cannot be greater than 10")
        raise BadRequest("Bucket tag count cannot be greater than 50")
    seen: set[str] = set()
    for key, value in result:
        if key in seen:
            raise InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key)
        seen.add(key)
        if key.startswith("aws:"):
            # Case-sensitive, as S3 checks it: "AWS:x" is an ordinary key.
            if target is TagTarget.OBJECT:
                raise InvalidTag("Your TagKey cannot be prefixed with aws:")
            raise InvalidTag("System tags cannot be added/updated by requester")
        if len(key) > MAX_KEY_CHARS:
            raise InvalidTag(f"The TagKey you have provided is too long, max {MAX_KEY_CHARS}", TagKey=key)
        if not key or not is_valid_tag_text(key):
            raise InvalidTag("The TagKey you have provided is invalid", TagKey=key)
        if len(value) > MAX_VALUE_CHARS:
            raise InvalidTag(
                f"The TagValue you have provided is too long, max {MAX_VALUE_CHARS}",
                TagKey=key,
                TagValue=value,
            )
        if not is_valid_tag_text(value):
            raise InvalidTag("The TagValue you have provided is invalid", TagKey=key, TagValue=value)
    return result


_BAD_HEADER = (
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
    "without tag name duplicates."
)


def parse_tagging_header(value: str) -> tuple[Tag, ...]:
    """The object tags of a PutObject/CreateMultipartUpload/CopyObject ``x-amz-tagging`` header.

    The header is a URL query string (``k1=v1&k2=``; ``+`` is a space, as in HTML forms). A key
    given twice, bad UTF-8 or characters outside the tag alphabet are InvalidArgument about the
    header; the limits then apply as for PutObjectTagging.
    """
    tags: list[Tag] = []
    seen: set[str] = set()
    for pair in value.split("&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        try:
            key = unquote_plus(raw_key, errors="strict")
            tag_value = unquote_plus(raw_value, errors="strict")
        except UnicodeDecodeError:
            raise _bad_header(value) from None
        if key in seen or not is_valid_tag_text(key) or not is_valid_tag_text(tag_value):
            raise _bad_header(value)
        seen.add(key)
        tags.append((key, tag_value))
    return validate_tag_set(tags, TagTarget.OBJECT)


def _bad_header(value: str) -> InvalidArgument:
    return InvalidArgument(_BAD_HEADER, ArgumentName="x-amz-tagging", ArgumentValue=value)


def encode_tagging_header(tags: Iterable[Tag]) -> str:
    """The ``x-amz-tagging`` form of a tag set (for replication and copies); inverse of the parser."""
    return "&".join(f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in tags)


def tagging_count_header(tags: Iterable[Tag]) -> dict[str, str]:
    """``x-amz-tagging-count`` for GetObject/HeadObject: present only when the object has tags."""
    count = sum(1 for _ in tags)
    return {"x-amz-tagging-count": str(count)} if count else {}
