"""object_headers: what a version's GET/HEAD headers are, and that computing them once per
version (kept with the version) never hands one version's headers to another."""

from __future__ import annotations

import dataclasses

import pytest

from ironbucket.api.object_headers import object_headers
from ironbucket.storage.interfaces import NULL_VERSION, ObjectVersion


def _version(**changes: object) -> ObjectVersion:
    base = ObjectVersion(bucket="b", key="k", version_id=NULL_VERSION, last_modified=0.0,
                         owner_account_id="123456789012", size=5, etag="abc")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


CASES: list[tuple[str, dict[str, object], bool, dict[str, str]]] = [
    # (name, version fields, versioned bucket, headers expected besides the four always there)
    ("plain", {}, False, {}),
    ("versioned bucket", {}, True, {"x-amz-version-id": NULL_VERSION}),
    ("a version id", {"version_id": "v1"}, False, {"x-amz-version-id": "v1"}),
    ("metadata", {"system_metadata": {"content-type": "text/plain", "cache-control": "no-cache"},
                  "user_metadata": {"a": "1"}}, False,
     {"cache-control": "no-cache", "x-amz-meta-a": "1"}),
    ("tags and class", {"tags": {"t": "v"}, "storage_class": "GLACIER"}, False,
     {"x-amz-tagging-count": "1", "x-amz-storage-class": "GLACIER"}),
]


@pytest.mark.parametrize(("fields", "versioned", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_headers(fields: dict[str, object], versioned: bool, expected: dict[str, str]) -> None:
    version = _version(**fields)
    for _ in range(2):  # computed, then remembered: the same answer
        headers = object_headers(version, versioned_bucket=versioned)
        assert headers.pop("last-modified") == "Thu, 01 Jan 1970 00:00:00 GMT"
        assert headers.pop("etag") == '"abc"' and headers.pop("accept-ranges") == "bytes"
        content_type = version.system_metadata.get("content-type", "binary/octet-stream")
        assert headers.pop("content-type") == content_type
        assert headers == expected


def test_each_call_returns_a_dict_of_its_own() -> None:
    version = _version()
    first = object_headers(version, versioned_bucket=False)
    first["content-range"] = "bytes 0-1/5"  # what a handler adds for its response
    first["etag"] = "changed"
    second = object_headers(version, versioned_bucket=False)
    assert "content-range" not in second and second["etag"] == '"abc"'


def test_a_changed_version_does_not_inherit_the_headers_of_the_one_it_came_from() -> None:
    version = _version(tags={"t": "v"})
    assert object_headers(version, versioned_bucket=False)["x-amz-tagging-count"] == "1"
    retagged = dataclasses.replace(version, tags={"t": "v", "u": "w"})
    assert object_headers(retagged, versioned_bucket=False)["x-amz-tagging-count"] == "2"
    assert retagged.derived is not version.derived and retagged == dataclasses.replace(retagged)


def test_versioned_and_unversioned_answers_are_kept_apart() -> None:
    version = _version()
    assert "x-amz-version-id" not in object_headers(version, versioned_bucket=False)
    assert object_headers(version, versioned_bucket=True)["x-amz-version-id"] == NULL_VERSION
    assert "x-amz-version-id" not in object_headers(version, versioned_bucket=False)
