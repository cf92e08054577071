"""S3 Versioning end to end with boto3: bucket states, version ids, delete markers, the null
version when suspended, reads / copies / tags / ACLs / deletes by version id, DeleteObjects,
ListObjectVersions pagination, and the version actions in authorization."""

from __future__ import annotations

import re
import urllib.request
from typing import Any

from tests.integration import iam_helpers as h
from tests.integration.server import RunningServer
from tests.integration.test_auth import _multipart, _presigned_post


def _versioned(s3: Any, bucket: str, status: str = "Enabled") -> str:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
    return bucket


def _put(s3: Any, bucket: str, key: str, body: bytes) -> str:
    return str(s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"])


def _headers(error: Any) -> dict[str, str]:
    return dict(error.response["ResponseMetadata"]["HTTPHeaders"])


def _page(s3: Any, **kwargs: Any) -> tuple[dict[str, Any], list[tuple[str, str, bool, bool]]]:
    """One ListObjectVersions page and its entries (key, version id, is marker, is latest) in the
    order S3 sent them (boto3 splits versions and delete markers into two lists)."""
    raw: list[bytes] = []
    def keep(http_response: Any, **_: Any) -> None:
        raw.append(http_response.content)
    s3.meta.events.register("after-call.s3.ListObjectVersions", keep)
    try:
        page = s3.list_object_versions(**kwargs)
    finally:
        s3.meta.events.unregister("after-call.s3.ListObjectVersions", keep)
    entries = re.findall(rb"<(Version|DeleteMarker)><Key>([^<]*)</Key><VersionId>([^<]*)</VersionId>"
                         rb"<IsLatest>(true|false)</IsLatest>", raw[-1])
    return page, [(k.decode(), v.decode(), kind == b"DeleteMarker", latest == b"true")
                  for kind, k, v, latest in entries]


def _versions(s3: Any, bucket: str) -> list[tuple[str, str, bool, bool]]:
    page, entries = _page(s3, Bucket=bucket)
    assert not page["IsTruncated"]
    assert len(entries) == len(page.get("Versions", [])) + len(page.get("DeleteMarkers", []))
    return entries


# --- bucket states -------------------------------------------------------------------------------
def test_states_and_never_back_to_unversioned(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    _versioned(s3, bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    _versioned(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "Disabled"}) == ("MalformedXML", 400)
    assert h.fails(s3.put_bucket_versioning, Bucket=bucket,
                   VersioningConfiguration={"Status": "enabled"}) == ("MalformedXML", 400)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_mfa_delete_disabled_needs_no_header(s3: Any, bucket: str) -> None:
    # MFA Delete itself is covered by test_mfa_delete.py; "Disabled" on a bucket that never had
    # it is accepted without x-amz-mfa.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled",
                                                                     "MFADelete": "Disabled"})
    got = s3.get_bucket_versioning(Bucket=bucket)
    assert (got["Status"], got["MFADelete"]) == ("Enabled", "Disabled")


def test_unversioned_bucket_has_no_version_header(s3: Any, bucket: str) -> None:
    answer = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "VersionId" not in answer
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"


# --- versions and delete markers ----------------------------------------------------------------
def test_every_write_keeps_the_earlier_versions(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    ids = [_put(s3, bucket, "k", f"body {n}".encode()) for n in range(3)]
    assert len(set(ids)) == 3 and "null" not in ids
    for n, vid in enumerate(ids):
        got = s3.get_object(Bucket=bucket, Key="k", VersionId=vid)
        assert got["Body"].read() == f"body {n}".encode() and got["VersionId"] == vid
        assert s3.head_object(Bucket=bucket, Key="k", VersionId=vid)["VersionId"] == vid
    latest = s3.get_object(Bucket=bucket, Key="k")
    assert latest["VersionId"] == ids[2] and latest["Body"].read() == b"body 2"
    assert _versions(s3, bucket) == [("k", ids[2], False, True), ("k", ids[1], False, False),
                                     ("k", ids[0], False, False)]


def test_delete_marker_hides_the_key_and_keeps_versions(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "k", b"one")
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    marker = deleted["VersionId"]
    assert deleted["DeleteMarker"] is True and marker not in (v1, "null")
    # GET / HEAD of the key: 404 with the marker headers
    error = h.failure(s3.get_object, Bucket=bucket, Key="k")
    assert error.response["Error"]["Code"] == "NoSuchKey"
    assert _headers(error)["x-amz-delete-marker"] == "true"
    assert _headers(error)["x-amz-version-id"] == marker
    error = h.failure(s3.head_object, Bucket=bucket, Key="k")
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert _headers(error)["x-amz-delete-marker"] == "true"
    # GET / HEAD of the marker itself by version id: 405
    error = h.failure(s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert (error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "MethodNotAllowed", 405)
    assert _headers(error)["x-amz-delete-marker"] == "true"
    assert error.response["Error"]["Method"] == "GET"
    assert error.response["Error"]["ResourceType"] == "DeleteMarker"
    assert "last-modified" in _headers(error)
    # tagging a marker is refused the same way
    error = h.failure(s3.put_object_tagging, Bucket=bucket, Key="k", VersionId=marker,
                      Tagging={"TagSet": []})
    assert error.response["Error"]["Code"] == "MethodNotAllowed"
    assert error.response["Error"]["Method"] == "PUT"
    error = h.failure(s3.head_object, Bucket=bucket, Key="k", VersionId=marker)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert _headers(error)["x-amz-delete-marker"] == "true"
    # the earlier version is intact and listed; the key is gone from ListObjects
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert _versions(s3, bucket) == [("k", marker, True, True), ("k", v1, False, False)]
    # a second delete stacks a second marker
    second = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    assert _versions(s3, bucket)[0] == ("k", second, True, True)
    # deleting the markers by id brings the object back
    for m in (second, marker):
        answer = s3.delete_object(Bucket=bucket, Key="k", VersionId=m)
        assert answer["DeleteMarker"] is True and answer["VersionId"] == m
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    assert h.fails(s3.delete_bucket, Bucket=bucket) == ("BucketNotEmpty", 409)


def test_deleting_a_version_is_permanent(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "k", b"one")
    v2 = _put(s3, bucket, "k", b"two")
    answer = s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
    assert answer["VersionId"] == v2 and "DeleteMarker" not in answer
    assert h.fails(s3.get_object, Bucket=bucket, Key="k", VersionId=v2) == ("NoSuchVersion", 404)
    latest = s3.get_object(Bucket=bucket, Key="k")
    assert latest["VersionId"] == v1 and latest["Body"].read() == b"one"  # v1 is the latest again
    assert _versions(s3, bucket) == [("k", v1, False, True)]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=v1)
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)  # no version left: the bucket may go


def test_deleting_a_missing_version_succeeds(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    answer = s3.delete_object(Bucket=bucket, Key="nothing", VersionId="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_malformed_version_ids(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    vid = _put(s3, bucket, "k", b"one")
    invalid = ("InvalidArgument", 400)
    for bad in ("not-an-id", vid + "x", vid[:-1] + "+"):
        assert h.fails(s3.get_object, Bucket=bucket, Key="k", VersionId=bad) == invalid
        assert h.fails(s3.get_object_tagging, Bucket=bucket, Key="k", VersionId=bad) == invalid
        assert h.fails(s3.delete_object, Bucket=bucket, Key="k", VersionId=bad) == invalid
        assert h.fails(s3.copy_object, Bucket=bucket, Key="copy",
                       CopySource={"Bucket": bucket, "Key": "k", "VersionId": bad}) == invalid
        assert h.fails(s3.list_object_versions, Bucket=bucket, KeyMarker="k",
                       VersionIdMarker=bad) == invalid
    error = h.failure(s3.get_object, Bucket=bucket, Key="k", VersionId="not-an-id")
    assert error.response["Error"]["Message"] == "Invalid version id specified"
    # in DeleteObjects, per key: NoSuchVersion, and the other keys still go
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "bad"},
                                                                  {"Key": "k", "VersionId": vid}]})
    assert [(e["VersionId"], e["Code"]) for e in result["Errors"]] == [("bad", "NoSuchVersion")]
    assert [d["VersionId"] for d in result["Deleted"]] == [vid]
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)


def test_large_versions_keep_their_blobs(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    bodies = [bytes([n]) * (300_000 + n) for n in range(3)]  # above the inline threshold
    ids = [_put(s3, bucket, "big", b) for b in bodies]
    s3.delete_object(Bucket=bucket, Key="big")
    s3.delete_object(Bucket=bucket, Key="big", VersionId=ids[1])
    for n in (0, 2):
        assert s3.get_object(Bucket=bucket, Key="big", VersionId=ids[n])["Body"].read() == bodies[n]


# --- the null version --------------------------------------------------------------------------
def test_objects_from_before_versioning_are_the_null_version(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"old")
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "k", b"new")
    assert _versions(s3, bucket) == [("k", v1, False, True), ("k", "null", False, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"old"


def test_suspended_puts_replace_only_the_null_version(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "k", b"enabled 1")
    v2 = _put(s3, bucket, "k", b"enabled 2")
    _versioned(s3, bucket, "Suspended")
    assert _put(s3, bucket, "k", b"suspended 1") == "null"
    assert _versions(s3, bucket) == [("k", "null", False, True), ("k", v2, False, False),
                                     ("k", v1, False, False)]
    assert _put(s3, bucket, "k", b"suspended 2") == "null"  # replaces the null version in place
    assert _versions(s3, bucket) == [("k", "null", False, True), ("k", v2, False, False),
                                     ("k", v1, False, False)]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"suspended 2"
    # a delete while suspended: a null delete marker, which replaces the null version
    answer = s3.delete_object(Bucket=bucket, Key="k")
    assert answer["DeleteMarker"] is True and answer["VersionId"] == "null"
    assert _versions(s3, bucket) == [("k", "null", True, True), ("k", v2, False, False),
                                     ("k", v1, False, False)]
    # resumed: new ids again, and the null marker stays in the history
    _versioned(s3, bucket)
    v3 = _put(s3, bucket, "k", b"enabled 3")
    assert v3 != "null"
    assert _versions(s3, bucket) == [("k", v3, False, True), ("k", "null", True, False),
                                     ("k", v2, False, False), ("k", v1, False, False)]
    # suspended again: a put replaces the older null (the marker), not the Enabled-era versions
    _versioned(s3, bucket, "Suspended")
    _put(s3, bucket, "k", b"suspended 3")
    assert _versions(s3, bucket) == [("k", "null", False, True), ("k", v3, False, False),
                                     ("k", v2, False, False), ("k", v1, False, False)]
    for vid, body in ((v1, b"enabled 1"), (v2, b"enabled 2"), (v3, b"enabled 3"), ("null", b"suspended 3")):
        assert s3.get_object(Bucket=bucket, Key="k", VersionId=vid)["Body"].read() == body


def test_multipart_and_copy_get_version_ids(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "src", b"first")
    v2 = _put(s3, bucket, "src", b"second")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src",
                                                                   "VersionId": v1})
    assert copied["CopySourceVersionId"] == v1 and copied["VersionId"] not in (v1, "null")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"first"
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"p")["ETag"]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert done["VersionId"] not in ("", "null")
    assert s3.head_object(Bucket=bucket, Key="mp")["VersionId"] == done["VersionId"]
    # restoring: an older version copied onto its own key becomes the latest, the rest stays
    restored = s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src",
                                                                     "VersionId": v1})
    assert restored["CopySourceVersionId"] == v1
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == b"first"
    history = [(vid, latest) for key, vid, _, latest in _versions(s3, bucket) if key == "src"]
    assert history == [(restored["VersionId"], True), (v2, False), (v1, False)]
    assert h.fails(s3.copy_object, Bucket=bucket, Key="src",
                   CopySource={"Bucket": bucket, "Key": "src"}) == ("InvalidRequest", 400)
    # copying a delete marker by version id is refused
    marker = s3.delete_object(Bucket=bucket, Key="src")["VersionId"]
    assert h.fails(s3.copy_object, Bucket=bucket, Key="dst2",
                   CopySource={"Bucket": bucket, "Key": "src", "VersionId": marker})[1] in (400, 404)


# --- tags and ACLs by version --------------------------------------------------------------------
def test_tagging_and_acl_by_version(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    v1 = _put(s3, bucket, "k", b"one")
    v2 = _put(s3, bucket, "k", b"two")
    answer = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1,
                                   Tagging={"TagSet": [{"Key": "era", "Value": "first"}]})
    assert answer["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"] == [
        {"Key": "era", "Value": "first"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []  # the latest (v2) has none
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v2)["VersionId"] == v2
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=v1)
    assert s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"] == []
    acl = s3.get_object_acl(Bucket=bucket, Key="k", VersionId=v1)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    # an ACL set on one version stays on that version
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    owner = acl["Owner"]["ID"]
    answer = s3.put_object_acl(Bucket=bucket, Key="k", VersionId=v1, GrantFullControl=f"id={owner}",
                               GrantRead=f"id={owner}")
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == v1
    assert sorted(g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="k", VersionId=v1)[
        "Grants"]) == ["FULL_CONTROL", "READ"]
    assert [g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="k")["Grants"]] == ["FULL_CONTROL"]
    assert h.fails(s3.get_object_tagging, Bucket=bucket, Key="k",
                   VersionId="BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB") == ("NoSuchVersion", 404)


# --- DeleteObjects -------------------------------------------------------------------------------
def test_delete_objects_with_and_without_version_ids(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    a1 = _put(s3, bucket, "a", b"a1")
    a2 = _put(s3, bucket, "a", b"a2")
    b1 = _put(s3, bucket, "b", b"b1")
    c_marker = s3.delete_object(Bucket=bucket, Key="c")["VersionId"]  # a marker on a missing key
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a", "VersionId": a1}, {"Key": "b"}, {"Key": "c", "VersionId": c_marker}]})
    deleted = {(d["Key"], d.get("VersionId")): d for d in result["Deleted"]}
    assert "Errors" not in result
    assert "DeleteMarker" not in deleted[("a", a1)]
    made = deleted[("b", None)]
    assert made["DeleteMarker"] is True and made["DeleteMarkerVersionId"] not in ("", "null", b1)
    gone_marker = deleted[("c", c_marker)]
    assert gone_marker["DeleteMarker"] is True and gone_marker["DeleteMarkerVersionId"] == c_marker
    assert _versions(s3, bucket) == [("a", a2, False, True),
                                     ("b", made["DeleteMarkerVersionId"], True, True),
                                     ("b", b1, False, False)]


# --- ListObjectVersions pagination ---------------------------------------------------------------
def test_version_id_marker_pagination_over_one_key(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    made = [_put(s3, bucket, "k", str(n).encode()) for n in range(12)]
    made.append(s3.delete_object(Bucket=bucket, Key="k")["VersionId"])  # a marker mid-history
    made += [_put(s3, bucket, "k", str(n).encode()) for n in range(12, 24)]
    seen: list[tuple[str, str, bool, bool]] = []
    kwargs: dict[str, Any] = {}
    pages = 0
    while True:
        page, entries = _page(s3, Bucket=bucket, MaxKeys=4, **kwargs)
        pages += 1
        assert len(entries) == (4 if page["IsTruncated"] else 1)
        seen += entries
        if not page["IsTruncated"]:
            break
        assert page["NextKeyMarker"] == "k" and page["NextVersionIdMarker"] == entries[-1][1]
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert pages == 7
    assert [vid for _, vid, _, _ in seen] == list(reversed(made))  # newest first, none twice
    assert [latest for *_, latest in seen] == [True] + [False] * 24
    assert [marker for _, _, marker, _ in seen].index(True) == 12


def test_pagination_across_keys_and_markers(s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    expected: list[tuple[str, str, bool, bool]] = []
    for key in ("a", "b/1", "b/2", "c"):
        history = [_put(s3, bucket, key, b"x") for _ in range(3)]
        marker = s3.delete_object(Bucket=bucket, Key=key)["VersionId"]
        expected += [(key, marker, True, True)] + [(key, vid, False, False) for vid in reversed(history)]
    walked: list[tuple[str, str, bool, bool]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page, entries = _page(s3, Bucket=bucket, MaxKeys=3, **kwargs)
        walked += entries
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}
    assert walked == expected
    # with a delimiter, b/ rolls up into one common prefix
    rolled = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in [*rolled["Versions"], *rolled["DeleteMarkers"]]} == {"a", "c"}


def test_browser_post_into_a_versioned_bucket(server: RunningServer, s3: Any, bucket: str) -> None:
    _versioned(s3, bucket)
    first = _put(s3, bucket, "form.txt", b"from put")
    body, content_type = _multipart(_presigned_post(server, bucket, "form.txt"), "form.txt", b"from post")
    request = urllib.request.Request(f"{server.endpoint}/{bucket}", data=body, method="POST",
                                     headers={"Content-Type": content_type})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 204
        posted = answer.headers["x-amz-version-id"]
    assert posted not in (None, "null", first)
    assert _versions(s3, bucket) == [("form.txt", posted, False, True), ("form.txt", first, False, False)]
