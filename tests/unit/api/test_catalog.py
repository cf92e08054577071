"""The operation catalog against botocore's S3 model: every AWS operation is in the catalog,
routes to itself from the request AWS's own SDK would send, and declares what it needs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import pytest

from ironbucket.api.catalog import BY_NAME, CATALOG, S3_ROUTER
from ironbucket.api.operation import Operation, Resource, Target

MODEL_PATH = Path(botocore.__file__).parent / "data" / "s3" / "2006-03-01" / "service-2.json.gz"
MODEL: dict[str, Any] = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))
OPERATIONS: dict[str, Any] = MODEL["operations"]
# Operations that exist on the wire but not in botocore's model.
NOT_IN_MODEL = {"PostObject", "PreflightBucket", "PreflightObject"}
# Never authenticated and checked against no IAM action, as on AWS (browsers never sign them).
UNSIGNED = {"PreflightBucket", "PreflightObject"}


def _catalog_entry(name: str) -> Operation:
    for op in CATALOG:
        if op.name == name or name in op.aliases:
            return op
    raise AssertionError(f"{name} is not in the catalog")


def _synthetic_request(name: str) -> tuple[str, Target, dict[str, str], dict[str, str]]:
    """Method, target, query and headers of the smallest request the SDK would send."""
    http = OPERATIONS[name]["http"]
    path, _, literal_query = http["requestUri"].partition("?")
    if path == "/":
        target = Target.SERVICE
    elif "{Key+}" in path:
        target = Target.OBJECT
    else:
        target = Target.BUCKET  # "/{Bucket}" and host-prefixed "/WriteGetObjectResponse"
    query: dict[str, str] = {}
    for part in filter(None, literal_query.split("&")):
        key, _, value = part.partition("=")
        query[key] = value
    headers: dict[str, str] = {}
    input_shape = OPERATIONS[name].get("input", {}).get("shape")
    if input_shape:
        shape = MODEL["shapes"][input_shape]
        for member_name in shape.get("required", []):
            member = shape["members"][member_name]
            if member.get("location") == "querystring":
                query[member["locationName"]] = "1"
            elif member.get("location") == "header":
                headers[member["locationName"].lower()] = "x"
    return http["method"], target, query, headers


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_model_operation_is_catalogued_and_routes_to_itself(name: str) -> None:
    expected = _catalog_entry(name)
    method, target, query, headers = _synthetic_request(name)
    assert S3_ROUTER.route(method, target, query, headers) is expected


@pytest.mark.parametrize("op", CATALOG, ids=lambda op: op.name)
def test_every_catalog_operation_exists_and_declares_what_it_needs(op: Operation) -> None:
    if op.name not in NOT_IN_MODEL:
        assert op.name in OPERATIONS, f"{op.name} is not an S3 operation"
        for alias in op.aliases:
            assert alias in OPERATIONS
    assert op.unsigned == (op.name in UNSIGNED)
    if op.unsigned:
        assert not op.needs and op.method == "OPTIONS"
        return
    assert op.needs, f"{op.name} declares no IAM action"
    for need in op.needs:
        assert need.action.split(":")[0] in {"s3", "s3express", "s3-object-lambda"}
        assert need.action.split(":")[1][:1].isupper()


def test_catalog_names_are_unique() -> None:
    names = [op.name for op in CATALOG] + [a for op in CATALOG for a in op.aliases]
    assert len(names) == len(set(names))
    assert set(BY_NAME) == {op.name for op in CATALOG}


@pytest.mark.parametrize(("name", "actions"), [
    ("ListObjectsV2", {"s3:ListBucket"}),
    ("ListBuckets", {"s3:ListAllMyBuckets"}),
    ("CopyObject", {"s3:PutObject", "s3:GetObject"}),
    ("UploadPartCopy", {"s3:PutObject", "s3:GetObject"}),
    ("GetObjectAttributes", {"s3:GetObject", "s3:GetObjectAttributes"}),
    ("AbortMultipartUpload", {"s3:AbortMultipartUpload"}),
    ("ListParts", {"s3:ListMultipartUploadParts"}),
    ("DeleteBucketTagging", {"s3:PutBucketTagging"}),
])
def test_known_action_mappings(name: str, actions: set[str]) -> None:
    op = BY_NAME[name]
    assert {n.action for n in op.needs if not n.when_headers} == actions


def test_put_object_with_acl_header_also_needs_put_object_acl() -> None:
    needs = {n.action: n for n in BY_NAME["PutObject"].needs}
    assert "x-amz-acl" in needs["s3:PutObjectAcl"].when_headers
    assert "x-amz-tagging" in needs["s3:PutObjectTagging"].when_headers


def test_copy_reads_the_source_not_the_destination() -> None:
    reads = [n for n in BY_NAME["CopyObject"].needs if n.action == "s3:GetObject"]
    assert [n.resource for n in reads] == [Resource.COPY_SOURCE]


@pytest.mark.parametrize("target", [Target.BUCKET, Target.OBJECT])
def test_options_routes_to_the_unsigned_preflight_whatever_the_query(target: Target) -> None:
    for query in ({}, {"uploadId": "u", "partNumber": "1"}, {"X-Amz-Signature": "s", "cors": ""}):
        op = S3_ROUTER.route("OPTIONS", target, query, {"origin": "http://a"})
        assert op.unsigned and op.handler is not None
