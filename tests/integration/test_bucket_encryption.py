"""Bucket default encryption end to end: Put/Get/DeleteBucketEncryption with boto3 and the aws CLI,
S3's answers to invalid documents, who may change it, and every worker seeing a change at once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Account,
    allow,
    bucket_arn,
    fails,
    failure,
    new_account,
    new_user,
    policy,
    s3,
    unique,
)
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import aws, aws_json
from tests.integration.test_hostile_input import md5_header
from tests.integration.test_workers import Client, one_per_worker

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SSE_S3 = [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
# A new bucket's (and a deleted configuration's) default, as on S3 since April 2026: SSE-C blocked.
NEW_BUCKET = [{**SSE_S3[0], "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]
SSE_KMS = [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": KEY_ARN},
            "BucketKeyEnabled": True}]


def rules(client_: Any, bucket: str) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = client_.get_bucket_encryption(
        Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    return got


def put(client_: Any, bucket: str, rule_list: list[dict[str, Any]]) -> None:
    client_.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rule_list})


def test_a_new_bucket_has_sse_s3_and_blocks_sse_c(s3: Any, bucket: str) -> None:
    assert rules(s3, bucket) == NEW_BUCKET


def test_put_get_delete(s3: Any, bucket: str) -> None:
    put(s3, bucket, SSE_KMS)
    assert rules(s3, bucket) == SSE_KMS  # exactly as configured: the key ARN, the bucket key
    alias = [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse",
                                                     "KMSMasterKeyID": "alias/no-such-key"}}]
    put(s3, bucket, alias)  # S3 does not look the key up when the default is set
    assert rules(s3, bucket) == [{**alias[0], "BucketKeyEnabled": False}]
    managed = [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": False}]
    put(s3, bucket, managed)  # no key: the AWS managed key aws/s3
    assert rules(s3, bucket) == managed
    response = s3.delete_bucket_encryption(Bucket=bucket)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert rules(s3, bucket) == NEW_BUCKET
    assert s3.delete_bucket_encryption(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_missing_bucket(s3: Any) -> None:
    name = unique("nobucket")
    assert fails(s3.get_bucket_encryption, Bucket=name) == ("NoSuchBucket", 404)
    assert fails(s3.put_bucket_encryption, Bucket=name,
                 ServerSideEncryptionConfiguration={"Rules": SSE_KMS}) == ("NoSuchBucket", 404)
    assert fails(s3.delete_bucket_encryption, Bucket=name) == ("NoSuchBucket", 404)


def test_invalid_documents_change_nothing(server: RunningServer, s3: Any, bucket: str) -> None:
    put(s3, bucket, SSE_KMS)
    by_default = SSE_KMS[0]["ApplyServerSideEncryptionByDefault"]
    for rule_list in ([],  # no rule
                      SSE_KMS + SSE_S3,  # two rules
                      [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "SSE-KMS"}}],
                      [{"BucketKeyEnabled": True}]):  # nothing to apply
        assert fails(put, client_=s3, bucket=bucket, rule_list=rule_list) == ("MalformedXML", 400)
    denied = failure(put, client_=s3, bucket=bucket, rule_list=[
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": KEY_ARN}}])
    assert denied.response["Error"]["Code"] == "InvalidArgument"
    assert denied.response["Error"]["Message"] == (
        "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
    assert fails(put, client_=s3, bucket=bucket, rule_list=[
        {"ApplyServerSideEncryptionByDefault": by_default,
         "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C", "NONE"]}}]) == ("InvalidArgument", 400)

    raw = Client(server)
    try:
        for document in (b"<ServerSideEncryptionConfiguration><Rule>",
                         b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                         b"<SSEAlgorithm>AES256</SSEAlgorithm><Extra/></ApplyServerSideEncryptionByDefault>"
                         b"</Rule></ServerSideEncryptionConfiguration>"):
            status, _, body = raw.request("PUT", f"/{bucket}?encryption", document, md5_header(document))
            assert (status, b"<Code>MalformedXML</Code>" in body) == (400, True)
        valid = (b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                 b"<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                 b"</Rule></ServerSideEncryptionConfiguration>")
        status, _, body = raw.request("PUT", f"/{bucket}?encryption", valid)  # no Content-MD5/checksum
        assert (status, b"<Code>InvalidRequest</Code>" in body) == (400, True)
        wrong_md5 = md5_header(b"something else")
        status, _, body = raw.request("PUT", f"/{bucket}?encryption", valid, wrong_md5)
        assert (status, b"<Code>BadDigest</Code>" in body) == (400, True)
    finally:
        raw.close()
    assert rules(s3, bucket) == SSE_KMS  # every refused Put left the configuration alone


def test_authorization(server: RunningServer, account: Account, iam: Any, root_s3: Any) -> None:
    bucket = unique("enc-authz")
    root_s3.create_bucket(Bucket=bucket)
    _, reader = new_user(iam, inline=policy(allow("s3:GetEncryptionConfiguration", bucket_arn(bucket))))
    _, writer = new_user(iam, inline=policy(allow("s3:PutEncryptionConfiguration", bucket_arn(bucket))))
    reader_s3, writer_s3 = s3(server, reader), s3(server, writer)

    assert rules(reader_s3, bucket) == NEW_BUCKET
    assert fails(put, client_=reader_s3, bucket=bucket, rule_list=SSE_KMS) == ACCESS_DENIED
    assert fails(reader_s3.delete_bucket_encryption, Bucket=bucket) == ACCESS_DENIED
    assert fails(writer_s3.get_bucket_encryption, Bucket=bucket) == ACCESS_DENIED

    put(writer_s3, bucket, SSE_KMS)
    assert rules(reader_s3, bucket) == SSE_KMS
    writer_s3.delete_bucket_encryption(Bucket=bucket)  # Delete is s3:PutEncryptionConfiguration
    assert rules(reader_s3, bucket) == NEW_BUCKET

    # Another account, even its root, has no access without a bucket policy granting it.
    stranger = s3(server, new_account(server, "enc-other").root)
    assert fails(stranger.get_bucket_encryption, Bucket=bucket) == ACCESS_DENIED
    assert fails(put, client_=stranger, bucket=bucket, rule_list=SSE_S3) == ACCESS_DENIED
    assert rules(root_s3, bucket) == NEW_BUCKET


def test_aws_cli(server: RunningServer, cli_env: dict[str, str], s3: Any, bucket: str) -> None:
    assert aws_json(server, cli_env, "s3api", "get-bucket-encryption", "--bucket", bucket) == {
        "ServerSideEncryptionConfiguration": {"Rules": NEW_BUCKET}}
    aws(server, cli_env, "s3api", "put-bucket-encryption", "--bucket", bucket,
        "--server-side-encryption-configuration", json.dumps({"Rules": SSE_KMS}))
    assert aws_json(server, cli_env, "s3api", "get-bucket-encryption", "--bucket", bucket) == {
        "ServerSideEncryptionConfiguration": {"Rules": SSE_KMS}}
    refused = aws(server, cli_env, "s3api", "put-bucket-encryption", "--bucket", bucket,
                  "--server-side-encryption-configuration",
                  json.dumps({"Rules": [{"ApplyServerSideEncryptionByDefault": {
                      "SSEAlgorithm": "AES256", "KMSMasterKeyID": KEY_ARN}}]}), check=False)
    assert refused.returncode != 0 and b"InvalidArgument" in refused.stderr
    aws(server, cli_env, "s3api", "delete-bucket-encryption", "--bucket", bucket)
    assert rules(s3, bucket) == NEW_BUCKET


def test_every_worker_sees_a_change_at_once(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", workers=2) as server:
        a, b = one_per_worker(server)
        try:
            bucket = f"enc-{uuid.uuid4().hex[:10]}"
            assert a.request("PUT", f"/{bucket}")[0] == 200
            for i, algorithm in enumerate(("aws:kms", "AES256", "aws:kms:dsse", "aws:kms")):
                writer, reader = (a, b) if i % 2 else (b, a)
                assert reader.request("GET", f"/{bucket}?encryption")[0] == 200  # warm its cache
                document = (f"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                            f"<SSEAlgorithm>{algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault>"
                            f"<BucketKeyEnabled>{str(i % 2 == 0).lower()}</BucketKeyEnabled>"
                            f"</Rule></ServerSideEncryptionConfiguration>").encode()
                put_status = writer.request("PUT", f"/{bucket}?encryption", document, md5_header(document))[0]
                assert put_status == 200
                status, _, body = reader.request("GET", f"/{bucket}?encryption")
                assert status == 200
                assert f"<SSEAlgorithm>{algorithm}</SSEAlgorithm>".encode() in body
                assert f"<BucketKeyEnabled>{str(i % 2 == 0).lower()}</BucketKeyEnabled>".encode() in body
            assert a.request("DELETE", f"/{bucket}?encryption")[0] == 204
            status, _, body = b.request("GET", f"/{bucket}?encryption")
            assert status == 200 and b"<SSEAlgorithm>AES256</SSEAlgorithm>" in body
            assert b"<BucketKeyEnabled>false</BucketKeyEnabled>" in body
        finally:
            a.close()
            b.close()
