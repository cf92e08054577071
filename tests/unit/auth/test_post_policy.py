"""POST policies: the S3 API Reference example, botocore's presigned POSTs, and every rule."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ironbucket.auth import sigv4
from ironbucket.auth.authenticate import authenticate_post_policy
from ironbucket.auth.post_policy import (
    check_content_length,
    check_fields,
    parse_policy,
    substitute_filename,
)
from ironbucket.errors import S3Error
from tests.unit.auth.auth_testing import VECTORS, MemoryStore, credential, raises_code, run

EXAMPLE = json.loads((VECTORS / "sigv4" / "s3-post-policy-example.json").read_text())
AKID = "AKIAIOSFODNN7EXAMPLE"
STORE = MemoryStore.of(credential(AKID, EXAMPLE["secret_access_key"]))
SIGNED_AT = sigv4.parse_amz_date("20151229T000000Z") or 0.0
BUCKET = "sigv4examplebucket"


def example_fields(**changes: str | None) -> dict[str, str]:
    fields = {
        **EXAMPLE["form_fields"],
        "Policy": EXAMPLE["policy_base64"],
        "X-Amz-Signature": EXAMPLE["expected_signature"],
    }
    fields["key"] = substitute_filename(fields["key"], "photo.jpg")
    for name, value in changes.items():
        if value is None:
            fields.pop(name, None)
        else:
            fields[name] = value
    return fields


def test_example_policy_and_signature() -> None:
    assert base64.b64decode(EXAMPLE["policy_base64"]).decode() == EXAMPLE["policy_json_text"]
    key = sigv4.signing_key(EXAMPLE["secret_access_key"], EXAMPLE["date"], EXAMPLE["region"], "s3")
    assert sigv4.sign(key, EXAMPLE["policy_base64"]) == EXAMPLE["expected_signature"]


def test_example_authenticates_and_passes_its_policy() -> None:
    fields = example_fields()
    auth = run(authenticate_post_policy(fields, STORE, region="us-east-1", now=SIGNED_AT + 60))
    assert (auth.auth_type, auth.signature_version, auth.access_key_id) == ("POST", "AWS4-HMAC-SHA256", AKID)
    assert auth.signature_age_ms == 60_000
    policy = parse_policy(fields["Policy"])
    check_fields(policy, fields, bucket=BUCKET, now=SIGNED_AT + 60)


def test_field_names_are_case_insensitive() -> None:
    fields = {name.upper(): value for name, value in example_fields().items()}
    run(authenticate_post_policy(fields, STORE, region="us-east-1", now=SIGNED_AT))
    check_fields(parse_policy(EXAMPLE["policy_base64"]), fields, bucket=BUCKET, now=SIGNED_AT)


CONDITION_FAILED = "Invalid according to Policy: Policy Condition failed: "


@pytest.mark.parametrize(
    ("changes", "bucket", "now", "message"),
    [
        ({}, BUCKET, SIGNED_AT + 2 * 86400, "Invalid according to Policy: Policy expired."),
        ({}, "otherbucket", SIGNED_AT, CONDITION_FAILED + '["eq", "$bucket", "sigv4examplebucket"]'),
        (
            {"key": "user/user2/photo.jpg"},
            BUCKET,
            SIGNED_AT,
            CONDITION_FAILED + '["starts-with", "$key", "user/user1/"]',
        ),
        ({"acl": "public-read-write"}, BUCKET, SIGNED_AT, CONDITION_FAILED + '["eq", "$acl", "public-read"]'),
        ({"acl": None}, BUCKET, SIGNED_AT, CONDITION_FAILED + '["eq", "$acl", "public-read"]'),
        (
            {"Content-Type": "text/html"},
            BUCKET,
            SIGNED_AT,
            CONDITION_FAILED + '["starts-with", "$Content-Type", "image/"]',
        ),
        (
            {"Content-Type": "image/png, text/html"},
            BUCKET,
            SIGNED_AT,
            CONDITION_FAILED + '["starts-with", "$Content-Type", "image/"]',
        ),
        (
            {"x-amz-meta-extra": "1"},
            BUCKET,
            SIGNED_AT,
            "Invalid according to Policy: Extra input fields: x-amz-meta-extra",
        ),
        (
            {"success_action_status": "201"},
            BUCKET,
            SIGNED_AT,
            "Invalid according to Policy: Extra input fields: success_action_status",
        ),
    ],
)
def test_policy_failures(changes: dict[str, str | None], bucket: str, now: float, message: str) -> None:
    with pytest.raises(S3Error) as raised:
        check_fields(
            parse_policy(EXAMPLE["policy_base64"]), example_fields(**changes), bucket=bucket, now=now
        )
    assert (raised.value.code, raised.value.status, raised.value.message) == ("AccessDenied", 403, message)


@pytest.mark.parametrize(
    "changes",
    [
        {"Content-Type": "image/png, image/gif"},  # every listed type carries the prefix
        {"x-amz-meta-tag": "anything"},  # starts-with ""
        {"x-amz-meta-tag": None},  # starts-with "" holds for a missing field
        {"x-ignore-me": "1", "file": "ignored", "X-IGNORE-too": "2"},
    ],
)
def test_policy_passes(changes: dict[str, str | None]) -> None:
    check_fields(
        parse_policy(EXAMPLE["policy_base64"]), example_fields(**changes), bucket=BUCKET, now=SIGNED_AT
    )


def encode(document: Any) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("", "Invalid Policy: Expecting '{' but found End-of-Input"),
        ("!!!", "Invalid Policy: invalid Base64 encoding."),
        (base64.b64encode(b"{nope").decode(), "Invalid Policy: Invalid JSON."),
        (encode([]), "Invalid Policy: Invalid JSON."),
        (encode({"conditions": []}), "Invalid Policy: Policy missing expiration."),
        (
            encode({"expiration": "tomorrow", "conditions": []}),
            "Invalid Policy: Invalid 'expiration' value: 'tomorrow'",
        ),
        (encode({"expiration": "2030-01-01T00:00:00Z"}), "Invalid Policy: Policy missing conditions."),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": {}}),
            "Invalid Policy: Invalid 'conditions' value: must be a List.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": ["x"]}),
            "Invalid Policy: Invalid condition test: must be a List or Object.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"a": "1", "b": "2"}]}),
            "Invalid Policy: Invalid Simple-Condition: "
            "Simple-Conditions must have exactly one property specified.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [{"a": 1}]}),
            "Invalid Policy: Invalid Simple-Condition: value must be a string.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [["matches", "$a", "b"]]}),
            "Invalid Policy: Invalid Condition: unknown operation 'matches'.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [["eq", "$a"]]}),
            "Invalid Policy: Invalid eq: wrong number of arguments.",
        ),
        (
            encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 1]]}),
            "Invalid Policy: Invalid content-length-range: wrong number of arguments.",
        ),
    ],
)
def test_malformed_policies(policy: str, message: str) -> None:
    with pytest.raises(S3Error) as raised:
        parse_policy(policy)
    assert (raised.value.code, raised.value.message) == ("InvalidPolicyDocument", message)


@pytest.mark.parametrize(
    ("size", "code"),
    [(9, "EntityTooSmall"), (10, ""), (1000, ""), (1001, "EntityTooLarge")],
)
def test_content_length_range(size: int, code: str) -> None:
    policy = parse_policy(
        encode({"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 10, "1000"]]})
    )
    try:
        check_content_length(policy, size)
    except S3Error as error:
        assert error.code == code
        assert error.fields["ProposedSize"] == str(size)
    else:
        assert code == ""


def test_substitute_filename() -> None:
    assert substitute_filename("uploads/${filename}", "a b.png") == "uploads/a b.png"
    assert substitute_filename("fixed", "x") == "fixed"
    assert substitute_filename("${filename}", None) == ""


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"X-Amz-Signature": "0" * 64}, "SignatureDoesNotMatch"),
        ({"Policy": None}, "InvalidArgument"),
        ({"X-Amz-Date": None}, "InvalidArgument"),
        ({"X-Amz-Algorithm": "AWS4-HMAC-SHA1"}, "InvalidArgument"),
        ({"X-Amz-Credential": "AKIAUNKNOWN/20151229/us-east-1/s3/aws4_request"}, "InvalidAccessKeyId"),
        ({"X-Amz-Credential": "AKIAIOSFODNN7EXAMPLE/20151229/eu-west-1/s3/aws4_request"}, "InvalidArgument"),
        ({"X-Amz-Date": "20151230T000000Z"}, "InvalidArgument"),
        ({"x-amz-security-token": "t"}, "InvalidToken"),
    ],
)
def test_post_authentication_failures(changes: dict[str, str | None], code: str) -> None:
    assert (
        raises_code(
            authenticate_post_policy(example_fields(**changes), STORE, region="us-east-1", now=SIGNED_AT)
        )
        == code
    )


def test_expired_policy_is_refused_at_authentication() -> None:
    got = raises_code(
        authenticate_post_policy(example_fields(), STORE, region="us-east-1", now=SIGNED_AT + 3 * 86400)
    )
    assert got == "AccessDenied"


def test_anonymous_post() -> None:
    auth = run(authenticate_post_policy({"key": "k", "acl": "public-read"}, STORE, region="us-east-1", now=0))
    assert auth.is_anonymous and auth.auth_type == ""


@pytest.mark.parametrize("signature_version", ["s3v4", "s3"])
def test_botocore_presigned_post(signature_version: str) -> None:
    session = boto3.session.Session(
        aws_access_key_id=AKID, aws_secret_access_key=EXAMPLE["secret_access_key"], region_name="us-east-1"
    )
    client = session.client(
        "s3", endpoint_url="https://s3.example.test", config=Config(signature_version=signature_version)
    )
    post = client.generate_presigned_post(
        "bucket",
        "uploads/${filename}",
        Fields={"acl": "private", "Content-Type": "image/png"},
        Conditions=[
            {"acl": "private"},
            ["starts-with", "$Content-Type", "image/"],
            ["content-length-range", 1, 1024],
        ],
        ExpiresIn=600,
    )
    fields = dict(post["fields"])
    now = time.time()
    auth = run(authenticate_post_policy(fields, STORE, region="us-east-1", now=now))
    assert auth.signature_version == ("AWS4-HMAC-SHA256" if signature_version == "s3v4" else "AWS")
    fields["key"] = substitute_filename(fields["key"], "cat.png")
    policy = parse_policy(fields["policy"])
    check_fields(policy, fields, bucket="bucket", now=now)
    check_content_length(policy, 100)
    fields["signature" if signature_version == "s3" else "x-amz-signature"] = "AAAA"
    assert (
        raises_code(authenticate_post_policy(fields, STORE, region="us-east-1", now=now))
        == "SignatureDoesNotMatch"
    )
