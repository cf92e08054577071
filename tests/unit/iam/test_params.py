"""Parameter shapes and AWS's ValidationError wording; markers."""

from __future__ import annotations

import pytest

from ironbucket.iam.errors import InvalidInput, ValidationError
from ironbucket.iam.paging import decode_marker, encode_marker, paging
from ironbucket.iam.params import PATH, POLICY_PATH, USER_NAME, Params, check


@pytest.mark.parametrize(("shape_name", "value", "ok"), [
    ("user", "alice+ops=1,x.y@z_w-v", True),
    ("user", "a b", False),
    ("user", "a" * 64, True),
    ("user", "a" * 65, False),
    ("user", "ålice", False),  # Java's \w is ASCII
    ("path", "/", True),
    ("path", "/a/b/", True),
    ("path", "/a", False),
    ("path", "a/", False),
    ("policy_path", "/a.b/c-d/", True),
    ("policy_path", "/a b/", False),
])
def test_shapes(shape_name: str, value: str, ok: bool) -> None:
    shape = {"user": USER_NAME, "path": PATH, "policy_path": POLICY_PATH}[shape_name]
    if ok:
        assert check("UserName", value, shape) == value
    else:
        with pytest.raises(ValidationError):
            check("UserName", value, shape)


def test_validation_message_names_the_member_like_aws() -> None:
    with pytest.raises(ValidationError) as caught:
        Params({"UserName": "a b"}).required("UserName", USER_NAME)
    assert caught.value.message == (
        "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w+=,.@-]+")
    with pytest.raises(ValidationError, match=r"Value null at 'userName'.*must not be null"):
        Params({}).required("UserName", USER_NAME)


def test_numbers_booleans_choices() -> None:
    p = Params({"MaxSessionDuration": "100", "OnlyAttached": "TRUE", "Scope": "Mine", "N": "x"})
    with pytest.raises(ValidationError, match="greater than or equal to 3600"):
        p.integer("MaxSessionDuration", 3600, 43200)
    with pytest.raises(ValidationError, match="must be an integer"):
        p.integer("N", 1, 2)
    assert p.boolean("OnlyAttached") is True and p.boolean("Missing") is None
    with pytest.raises(ValidationError, match="enum value set"):
        p.choice("Scope", ("All", "AWS", "Local"))


def test_tags() -> None:
    p = Params({"Tags.member.1.Key": "Team", "Tags.member.1.Value": "Été 2024",
                "Tags.member.2.Key": "cost:center", "Tags.member.2.Value": ""})
    assert p.tags() == {"Team": "Été 2024", "cost:center": ""}
    with pytest.raises(InvalidInput, match="Duplicate tag keys"):
        Params({"Tags.member.1.Key": "a", "Tags.member.2.Key": "A"}).tags()
    with pytest.raises(ValidationError):
        Params({"Tags.member.1.Key": "a*b"}).tags()
    many = {f"Tags.member.{i}.Key": f"k{i}" for i in range(1, 52)}
    with pytest.raises(ValidationError, match="less than or equal to 50"):
        Params(many).tags()


def test_markers_round_trip_and_refuse_garbage() -> None:
    marker = encode_marker("/a/", "bob")
    assert decode_marker(marker) == ["/a/", "bob"]
    assert paging(Params({"Marker": marker, "MaxItems": "5"})).after_pair() == ("/a/", "bob")
    with pytest.raises(InvalidInput):
        decode_marker("!!!")
    with pytest.raises(InvalidInput):
        paging(Params({"Marker": encode_marker(1, 2, 3)})).after_pair()
    with pytest.raises(ValidationError):
        paging(Params({"MaxItems": "1001"}))
    assert paging(Params({})).max_items == 100
