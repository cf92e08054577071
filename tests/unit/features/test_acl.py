"""Canned ACLs, x-amz-grant-* headers, publicness, and Object Ownership rules (pure)."""

from __future__ import annotations

import pytest

from ironbucket.errors import InvalidArgument, InvalidRequest, S3Error
from ironbucket.features import acl, ownership
from ironbucket.features.acl import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    CANONICAL_USER,
    GROUP,
    LOG_DELIVERY,
    Grant,
)

OWNER, BUCKET_OWNER = "a" * 64, "b" * 64
FULL = Grant(CANONICAL_USER, OWNER, "FULL_CONTROL")


@pytest.mark.parametrize(("name", "for_bucket", "expected"), [
    ("private", False, {FULL}),
    ("public-read", False, {FULL, Grant(GROUP, ALL_USERS, "READ")}),
    ("public-read-write", True, {FULL, Grant(GROUP, ALL_USERS, "READ"), Grant(GROUP, ALL_USERS, "WRITE")}),
    ("authenticated-read", False, {FULL, Grant(GROUP, AUTHENTICATED_USERS, "READ")}),
    ("bucket-owner-read", False, {FULL, Grant(CANONICAL_USER, BUCKET_OWNER, "READ")}),
    ("bucket-owner-full-control", False, {FULL, Grant(CANONICAL_USER, BUCKET_OWNER, "FULL_CONTROL")}),
    ("bucket-owner-full-control", True, {FULL}),  # on a bucket the owner is the bucket owner
    ("log-delivery-write", True, {FULL, Grant(GROUP, LOG_DELIVERY, "WRITE"),
                                  Grant(GROUP, LOG_DELIVERY, "READ_ACP")}),
])
def test_canned_acls(name: str, for_bucket: bool, expected: set[Grant]) -> None:
    assert set(acl.canned(name, OWNER, BUCKET_OWNER, for_bucket=for_bucket)) == expected


def test_bucket_owner_acls_on_the_owners_own_object_add_nothing() -> None:
    assert acl.canned("bucket-owner-full-control", OWNER, OWNER, for_bucket=False) == (FULL,)


@pytest.mark.parametrize(("headers", "expected"), [
    ({}, acl.RequestedAcl()),
    ({"x-amz-acl": "public-read"}, acl.RequestedAcl(canned="public-read")),
    ({"x-amz-grant-read": f'id="{OWNER}"'}, acl.RequestedAcl(grants=(Grant(CANONICAL_USER, OWNER, "READ"),))),
    ({"x-amz-grant-read": f'id={OWNER.upper()}, uri="{ALL_USERS}"'},
     acl.RequestedAcl(grants=(Grant(CANONICAL_USER, OWNER, "READ"), Grant(GROUP, ALL_USERS, "READ")))),
    ({"x-amz-grant-write-acp": 'emailAddress="x@example.com"'},
     acl.RequestedAcl(grants=(Grant(acl.EMAIL, "x@example.com", "WRITE_ACP"),))),
    ({"x-amz-grant-full-control": f'id="{OWNER}"', "x-amz-grant-write": f'uri="{LOG_DELIVERY}"'},
     acl.RequestedAcl(grants=(Grant(CANONICAL_USER, OWNER, "FULL_CONTROL"),
                              Grant(GROUP, LOG_DELIVERY, "WRITE")))),
])
def test_request_headers(headers: dict[str, str], expected: acl.RequestedAcl) -> None:
    assert acl.from_headers(headers) == expected


@pytest.mark.parametrize(("headers", "error"), [
    ({"x-amz-acl": "public-read", "x-amz-grant-read": f'id="{OWNER}"'}, InvalidRequest),
    ({"x-amz-acl": "world-writable"}, InvalidArgument),
    ({"x-amz-grant-read": 'id="not-hex"'}, InvalidArgument),
    ({"x-amz-grant-read": 'uri="http://acs.amazonaws.com/groups/global/Everyone"'}, InvalidArgument),
    ({"x-amz-grant-read": 'name="x"'}, InvalidArgument),
    ({"x-amz-grant-read": ""}, InvalidArgument),
    ({"x-amz-grant-read": 'emailAddress="nobody"'}, InvalidArgument),
])
def test_bad_request_headers(headers: dict[str, str], error: type[S3Error]) -> None:
    with pytest.raises(error):
        acl.from_headers(headers)


@pytest.mark.parametrize(("grants", "public"), [
    ((FULL,), False),
    ((FULL, Grant(GROUP, ALL_USERS, "READ")), True),
    ((Grant(GROUP, AUTHENTICATED_USERS, "WRITE"),), True),
    ((Grant(GROUP, LOG_DELIVERY, "WRITE"), Grant(CANONICAL_USER, BUCKET_OWNER, "READ")), False),
])
def test_acl_is_public(grants: tuple[Grant, ...], public: bool) -> None:
    assert acl.acl_is_public(grants) is public


def test_stored_form_round_trips_and_refuses_newer_formats() -> None:
    grants = (FULL, Grant(GROUP, ALL_USERS, "READ"))
    assert acl.load(acl.dump(grants)) == grants
    with pytest.raises(RuntimeError):
        acl.load('{"v": 99, "grants": []}')


@pytest.mark.parametrize(("mode", "canned", "owner"), [
    ("BucketOwnerEnforced", None, "bucket"),
    ("BucketOwnerEnforced", "public-read", "bucket"),
    ("BucketOwnerPreferred", None, "writer"),
    ("BucketOwnerPreferred", "bucket-owner-full-control", "bucket"),
    ("BucketOwnerPreferred", "bucket-owner-read", "writer"),
    ("ObjectWriter", "bucket-owner-full-control", "writer"),
])
def test_new_object_owner(mode: str, canned: str | None, owner: str) -> None:
    assert ownership.new_object_owner(mode, "bucket", "writer", canned) == owner


@pytest.mark.parametrize(("stored", "mode"), [
    (None, "BucketOwnerEnforced"), ("", "ObjectWriter"), ("ObjectWriter", "ObjectWriter"),
    ("BucketOwnerPreferred", "BucketOwnerPreferred"),
])
def test_effective_mode(stored: str | None, mode: str) -> None:
    assert ownership.effective(stored) == mode
    assert ownership.acls_enabled(mode) is (mode != "BucketOwnerEnforced")
