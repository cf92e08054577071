"""``ironbucket explain REQUEST-ID``: the decision trace of a past request, from the request id
a client sees in the error response."""

from __future__ import annotations

from tests.integration.iam_helpers import (
    allow,
    bucket_arn,
    client,
    deny,
    explain,
    failure,
    new_account,
    new_user,
    policy,
    s3,
    unique,
)
from tests.integration.server import RunningServer


def test_explain_shows_the_deciding_statements(server: RunningServer) -> None:
    account = new_account(server, "explain")
    iam, root = client(server, "iam", account.root), s3(server, account.root)
    bucket = unique("explain")
    root.create_bucket(Bucket=bucket)
    root.put_object(Bucket=bucket, Key="locked/k", Body=b"v")
    user_arn, creds = new_user(iam, inline=policy(allow("s3:GetObject", "*", sid="ReadAll")))
    root.put_bucket_policy(Bucket=bucket, Policy=policy(
        deny("s3:GetObject", bucket_arn(bucket, "locked/*"), principal={"AWS": user_arn}, sid="NoLocked")))
    user = s3(server, creds)
    denied = failure(user.get_object, Bucket=bucket, Key="locked/k")
    assert denied.response["Error"]["Code"] == "AccessDenied"
    request_id = denied.response["ResponseMetadata"]["RequestId"]
    assert request_id == denied.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    unlisted = failure(user.list_objects_v2, Bucket=bucket)
    out = explain(server.data_dir, request_id)
    first = out.splitlines()[0]
    assert request_id in first and user_arn in first and "403" in first and "AccessDenied" in first
    assert f"DENY s3:GetObject on arn:aws:s3:::{bucket}/locked/k: explicit deny" in out
    assert f"bucket policy of {bucket} statement 0 (NoLocked): Deny matched" in out
    assert "statement 0 (ReadAll): Allow matched" in out
    # Nothing allows listing: the trace says so (flushed with the first one).
    listed = explain(server.data_dir, unlisted.response["ResponseMetadata"]["RequestId"], wait=0)
    assert f"DENY s3:ListBucket on arn:aws:s3:::{bucket}: no policy allows this action" in listed
    assert f"bucket policy of {bucket}: no statement applies" in listed
