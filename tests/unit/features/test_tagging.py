"""Tag sets: limits, alphabet, reserved prefix, and the x-amz-tagging header."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ironbucket.errors import BadRequest, InvalidArgument, InvalidTag, S3Error
from ironbucket.features.tagging import (
    Tag,
    TagTarget,
    encode_tagging_header,
    is_valid_tag_text,
    parse_tagging_header,
    tagging_count_header,
    validate_tag_set,
)

OBJECT, BUCKET = TagTarget.OBJECT, TagTarget.BUCKET


def tags(n: int) -> list[Tag]:
    return [(f"key{i}", f"value{i}") for i in range(n)]


VALID: list[tuple[str, list[Tag], TagTarget]] = [
    ("no tags", [], OBJECT),
    ("ten object tags", tags(10), OBJECT),
    ("fifty bucket tags", tags(50), BUCKET),
    ("empty value", [("k", "")], OBJECT),
    ("allowed punctuation", [("a+-=._:/@", "+-=._:/@ ")], OBJECT),
    ("spaces", [("a key", " value with spaces ")], OBJECT),
    ("unicode letters and digits", [("clé", "値段٣"), ("Ключ", "значение")], OBJECT),
    ("ideographic space", [("k", "a\u3000b")], OBJECT),
    ("128-char key, 256-char value", [("k" * 128, "v" * 256)], OBJECT),
    ("case-sensitive keys", [("Key", "1"), ("key", "2")], OBJECT),
    ("AWS: in other case", [("AWS:thing", "x")], OBJECT),
    ("aws without colon", [("awsome", "x")], OBJECT),
]


@pytest.mark.parametrize(("case", "tag_set", "target"), VALID, ids=[c[0] for c in VALID])
def test_valid_tag_sets(case: str, tag_set: list[Tag], target: TagTarget) -> None:
    assert validate_tag_set(tag_set, target) == tuple(tag_set)


INVALID: list[tuple[str, list[Tag], TagTarget, type[S3Error], str]] = [
    ("eleven object tags", tags(11), OBJECT, BadRequest, "Object tags cannot be greater than 10"),
    ("fifty-one bucket tags", tags(51), BUCKET, BadRequest, "Bucket tag count cannot be greater than 50"),
    (
        "duplicate key",
        [("k", "1"), ("k", "2")],
        OBJECT,
        InvalidTag,
        "Cannot provide multiple Tags with the same key",
    ),
    ("aws: on an object", [("aws:x", "1")], OBJECT, InvalidTag, "Your TagKey cannot be prefixed with aws:"),
    (
        "aws: on a bucket",
        [("aws:x", "1")],
        BUCKET,
        InvalidTag,
        "System tags cannot be added/updated by requester",
    ),
    ("empty key", [("", "v")], OBJECT, InvalidTag, "The TagKey you have provided is invalid"),
    (
        "129-char key",
        [("k" * 129, "v")],
        OBJECT,
        InvalidTag,
        "The TagKey you have provided is too long, max 128",
    ),
    (
        "257-char value",
        [("k", "v" * 257)],
        OBJECT,
        InvalidTag,
        "The TagValue you have provided is too long, max 256",
    ),
    ("key with a comma", [("a,b", "v")], OBJECT, InvalidTag, "The TagKey you have provided is invalid"),
    ("key with brackets", [("[{}]", "v")], OBJECT, InvalidTag, "The TagKey you have provided is invalid"),
    ("value with a tab", [("k", "a\tb")], OBJECT, InvalidTag, "The TagValue you have provided is invalid"),
    (
        "value with a newline",
        [("k", "a\nb")],
        OBJECT,
        InvalidTag,
        "The TagValue you have provided is invalid",
    ),
    ("value with an emoji", [("k", "😀")], OBJECT, InvalidTag, "The TagValue you have provided is invalid"),
    ("value with a quote", [("k", '"')], OBJECT, InvalidTag, "The TagValue you have provided is invalid"),
    ("value with a NUL", [("k", "\x00")], OBJECT, InvalidTag, "The TagValue you have provided is invalid"),
]


@pytest.mark.parametrize(
    ("case", "tag_set", "target", "error", "message"), INVALID, ids=[c[0] for c in INVALID]
)
def test_invalid_tag_sets(
    case: str, tag_set: list[Tag], target: TagTarget, error: type[S3Error], message: str
) -> None:
    with pytest.raises(error) as caught:
        validate_tag_set(tag_set, target)
    assert caught.value.message == message
    assert caught.value.status == 400


def test_invalid_tag_names_the_key() -> None:
    with pytest.raises(InvalidTag) as caught:
        validate_tag_set([("k", "a\tb")], OBJECT)
    assert caught.value.fields == {"TagKey": "k", "TagValue": "a\tb"}


@pytest.mark.parametrize(
    ("text", "valid"),
    [("", True), ("abc 123", True), ("ü", True), ("\u00a0", True), ("\t", False), ("#", False), ("*", False)],
)
def test_is_valid_tag_text(text: str, valid: bool) -> None:
    assert is_valid_tag_text(text) is valid


# --- the x-amz-tagging header ------------------------------------------------------------------------
HEADERS_OK: list[tuple[str, tuple[Tag, ...]]] = [
    ("", ()),
    ("a=b", (("a", "b"),)),
    ("a=b&c=d", (("a", "b"), ("c", "d"))),
    ("a=", (("a", ""),)),
    ("a", (("a", ""),)),
    ("a=b&&c=d&", (("a", "b"), ("c", "d"))),
    ("a%20key=a+value", (("a key", "a value"),)),
    ("k=%2B1", (("k", "+1"),)),
    ("k=a%3Db", (("k", "a=b"),)),
    ("k=a=b", (("k", "a=b"),)),
    ("cl%C3%A9=%E5%80%A4", (("clé", "値"),)),
    ("path=a%2Fb%3Ac%40d", (("path", "a/b:c@d"),)),
]


@pytest.mark.parametrize(("header", "expected"), HEADERS_OK)
def test_parse_tagging_header(header: str, expected: tuple[Tag, ...]) -> None:
    assert parse_tagging_header(header) == expected


BAD_HEADER = (
    "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters "
    "without tag name duplicates."
)
HEADERS_BAD: list[tuple[str, type[S3Error], str]] = [
    ("a=1&a=2", InvalidArgument, BAD_HEADER),
    ("TagSet=[{Key=string,Value=string}]", InvalidArgument, BAD_HEADER),
    ("k=%FF", InvalidArgument, BAD_HEADER),
    ("k=a%09b", InvalidArgument, BAD_HEADER),
    ("&".join(f"k{i}=v" for i in range(11)), BadRequest, "Object tags cannot be greater than 10"),
    ("aws%3Akey=v", InvalidTag, "Your TagKey cannot be prefixed with aws:"),
    ("=v", InvalidTag, "The TagKey you have provided is invalid"),
    ("k=" + "v" * 257, InvalidTag, "The TagValue you have provided is too long, max 256"),
]


@pytest.mark.parametrize(("header", "error", "message"), HEADERS_BAD)
def test_parse_tagging_header_refuses(header: str, error: type[S3Error], message: str) -> None:
    with pytest.raises(error) as caught:
        parse_tagging_header(header)
    assert caught.value.message == message
    if error is InvalidArgument:
        assert caught.value.fields == {"ArgumentName": "x-amz-tagging", "ArgumentValue": header}


def test_encode_tagging_header() -> None:
    assert encode_tagging_header([("a key", "a/b+c"), ("k", "")]) == "a%20key=a%2Fb%2Bc&k="
    assert encode_tagging_header([]) == ""


tag_text = st.text(
    alphabet=st.characters(categories=["L", "N", "Zs"], include_characters="+-=._:/@"), max_size=20
)


@given(
    st.dictionaries(
        keys=tag_text.filter(lambda k: len(k) > 0 and not k.startswith("aws:")), values=tag_text, max_size=10
    )
)
def test_tagging_header_round_trip(tag_map: dict[str, str]) -> None:
    tag_set = tuple(tag_map.items())
    assert parse_tagging_header(encode_tagging_header(tag_set)) == tag_set


@pytest.mark.parametrize(
    ("tag_set", "expected"),
    [([], {}), (tags(1), {"x-amz-tagging-count": "1"}), (tags(10), {"x-amz-tagging-count": "10"})],
)
def test_tagging_count_header(tag_set: list[Tag], expected: dict[str, str]) -> None:
    assert tagging_count_header(tag_set) == expected
