"""The pure rules of S3 Versioning: states, version ids, PutBucketVersioning's document."""

from __future__ import annotations

import re

import pytest

from ironbucket.errors import InvalidArgument, InvalidBucketState, MalformedXML, S3Error
from ironbucket.features import versioning
from ironbucket.features.versioning import ENABLED, SUSPENDED, UNVERSIONED, VersioningRequest
from ironbucket.storage.interfaces import NULL_VERSION, Bucket


def _bucket(state: str = UNVERSIONED, object_lock: bool = False) -> Bucket:
    return Bucket(name="b", owner_account_id="111122223333", region="us-east-1", created_at=0.0,
                  versioning=state, object_lock=object_lock)


def test_version_ids_are_unique_url_safe_and_never_null() -> None:
    ids = {versioning.new_version_id() for _ in range(2000)}
    assert len(ids) == 2000 and NULL_VERSION not in ids
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", i) for i in ids)
    # 2000 ids would start with "-" ~31 times by chance: none may (the aws CLI takes
    # `--version-id -abc` for an option).
    assert not any(i.startswith("-") for i in ids)


@pytest.mark.parametrize(("state", "is_null"), [(UNVERSIONED, True), (SUSPENDED, True), (ENABLED, False)])
def test_write_version_id(state: str, is_null: bool) -> None:
    assert (versioning.write_version_id(state) == NULL_VERSION) is is_null


@pytest.mark.parametrize(("status", "mfa", "error"), [
    ("Enabled", None, None),
    ("Suspended", "Disabled", None),
    (None, None, None),
    ("enabled", None, MalformedXML),  # values are case-sensitive
    ("Disabled", None, MalformedXML),  # there is no way back to unversioned
    ("", None, MalformedXML),
    ("Enabled", "On", MalformedXML),
])
def test_validate_request(status: str | None, mfa: str | None, error: type[S3Error] | None) -> None:
    if error is None:
        assert versioning.validate_request(status, mfa) == VersioningRequest(status, mfa)
    else:
        with pytest.raises(error):
            versioning.validate_request(status, mfa)


@pytest.mark.parametrize(("current", "status", "after"), [
    (UNVERSIONED, ENABLED, ENABLED),
    (UNVERSIONED, SUSPENDED, SUSPENDED),
    (ENABLED, SUSPENDED, SUSPENDED),
    (SUSPENDED, ENABLED, ENABLED),
    (ENABLED, None, ENABLED),  # no Status: nothing changes
    (UNVERSIONED, None, UNVERSIONED),
])
def test_next_state(current: str, status: str | None, after: str) -> None:
    assert versioning.next_state(_bucket(current), VersioningRequest(status, None), None) == after


@pytest.mark.parametrize(("mfa", "header"), [("Enabled", None), (None, "arn:aws:iam::1:mfa/x 123456"),
                                              ("Disabled", "serial 123456")])
def test_mfa_delete_does_not_change_the_state(mfa: str | None, header: str | None) -> None:
    # MfaDelete and x-amz-mfa are checked and stored by api/mfa_delete.py, not here.
    assert versioning.next_state(_bucket(SUSPENDED), VersioningRequest(ENABLED, mfa), header) == ENABLED


def test_object_lock_buckets_cannot_be_suspended() -> None:
    with pytest.raises(InvalidBucketState):
        versioning.next_state(_bucket(ENABLED, object_lock=True), VersioningRequest(SUSPENDED, None), None)
    assert versioning.next_state(_bucket(ENABLED, object_lock=True),
                                 VersioningRequest(ENABLED, None), None) == ENABLED


@pytest.mark.parametrize(("value", "ok"), [
    ("null", True),
    ("A" * 32, True),
    ("abc-_XYZ0123456789abcdefghijklmn", True),
    ("", False),
    ("A" * 31, False),
    ("A" * 33, False),
    ("A" * 31 + "+", False),  # not URL-safe base64
    ("A" * 31 + "/", False),
    ("NULL", False),
    ("../../etc/passwd", False),
])
def test_check_version_id(value: str, ok: bool) -> None:
    assert versioning.is_version_id(value) is ok
    if ok:
        versioning.check_version_id(value)
    else:
        with pytest.raises(InvalidArgument) as raised:
            versioning.check_version_id(value, "version-id-marker")
        assert raised.value.fields["ArgumentName"] == "version-id-marker"
