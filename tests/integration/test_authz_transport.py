"""Deny unless aws:SecureTransport, over plain HTTP, directly and behind a trusted proxy
(X-Forwarded-Proto / X-Forwarded-For are believed only from --trusted-proxy addresses)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Creds,
    allow,
    bucket_arn,
    client,
    deny,
    fails,
    new_user,
    policy,
    read,
    s3,
    unique,
)
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import aws

HTTPS = {"X-Forwarded-Proto": "https"}


def tls_only(bucket: str) -> str:
    return policy(deny("s3:*", [bucket_arn(bucket), bucket_arn(bucket, "*")], principal="*",
                       condition={"Bool": {"aws:SecureTransport": "false"}}, sid="TlsOnly"))


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server that believes forwarding headers from 127.0.0.1 (where the tests run)."""
    with running_server(tmp_path_factory.mktemp("proxied") / "data",
                        extra_args=["--trusted-proxy", "127.0.0.1/32"]) as running:
        yield running


def root_of(server: RunningServer) -> Creds:
    return Creds(server.access_key, server.secret_key)


def test_secure_transport_deny_over_plain_http(server: RunningServer, cli_env: dict[str, str]) -> None:
    root = s3(server, root_of(server))
    bucket = unique("tls")
    root.create_bucket(Bucket=bucket)
    root.put_object(Bucket=bucket, Key="k", Body=b"v")
    root.put_bucket_policy(Bucket=bucket, Policy=tls_only(bucket))
    for call, kwargs in ((root.get_object, {"Key": "k"}), (root.put_object, {"Key": "k2", "Body": b"x"}),
                         (root.head_object, {"Key": "k"}), (root.list_objects_v2, {}),
                         (root.delete_object, {"Key": "k"}), (root.get_bucket_tagging, {})):
        code, status = fails(call, Bucket=bucket, **kwargs)
        assert status == 403 and code in ("AccessDenied", "403"), call
    # The header is only a claim: nothing believes it without --trusted-proxy.
    claims = s3(server, root_of(server), headers=HTTPS)
    assert fails(claims.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    listing = aws(server, cli_env, "s3", "ls", f"s3://{bucket}/", check=False)
    assert listing.returncode != 0 and b"AccessDenied" in listing.stderr
    # The owner's root can still read and remove the bucket policy (it cannot be locked out).
    assert "TlsOnly" in root.get_bucket_policy(Bucket=bucket)["Policy"]
    root.put_bucket_policy(Bucket=bucket, Policy=tls_only(bucket))
    root.delete_bucket_policy(Bucket=bucket)
    assert read(root, bucket, "k") == b"v"
    assert aws(server, cli_env, "s3", "ls", f"s3://{bucket}/").stdout.split()[-1] == b"k"


def test_forwarded_proto_from_a_trusted_proxy(proxied: RunningServer) -> None:
    root = s3(proxied, root_of(proxied))
    root_https = s3(proxied, root_of(proxied), headers=HTTPS)
    bucket = unique("proxied")
    root.create_bucket(Bucket=bucket)
    root.put_bucket_policy(Bucket=bucket, Policy=tls_only(bucket))
    root_https.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert read(root_https, bucket, "k") == b"v"
    assert root_https.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    assert fails(root.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    plain = s3(proxied, root_of(proxied), headers={"X-Forwarded-Proto": "http"})
    assert fails(plain.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED

    # An IAM user through the proxy: its identity policy allows, the TLS-only deny still applies.
    iam = client(proxied, "iam", root_of(proxied))
    _, creds = new_user(iam, inline=policy(allow("s3:GetObject", bucket_arn(bucket, "*"))))
    assert read(s3(proxied, creds, headers=HTTPS), bucket, "k") == b"v"
    assert fails(s3(proxied, creds).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED


def test_forwarded_for_from_a_trusted_proxy(proxied: RunningServer) -> None:
    root = s3(proxied, root_of(proxied))
    bucket = unique("xff")
    root.create_bucket(Bucket=bucket)
    root.put_object(Bucket=bucket, Key="k", Body=b"v")
    iam = client(proxied, "iam", root_of(proxied))
    _, creds = new_user(iam, inline=policy(allow("s3:GetObject", "*", condition={
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    assert read(s3(proxied, creds, headers={"X-Forwarded-For": "10.1.2.3"}), bucket, "k") == b"v"
    # The right-most address that is not a trusted proxy is the client.
    assert read(s3(proxied, creds, headers={"X-Forwarded-For": "10.9.9.9, 127.0.0.1"}), bucket, "k") == b"v"
    spoofed_left = s3(proxied, creds, headers={"X-Forwarded-For": "10.1.2.3, 192.0.2.7"})
    assert fails(spoofed_left.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    assert fails(s3(proxied, creds).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
