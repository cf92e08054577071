"""Private endpoints end to end: one server with its normal listener on 127.0.0.1 and private
endpoints on other loopback addresses (all of 127.0.0.0/8 is loopback on Linux):

- vpce-aaaaaaaa (vpc-aaaaaaaa): its own listener on 127.0.0.2, no endpoint policy
- vpce-bbbbbbbb (vpc-bbbbbbbb): its own listener on 127.0.0.2, a policy allowing only
  s3:GetObject on one bucket
- vpce-cccccccc (vpc-cccccccc): no listener; clients from 127.0.0.3 on the normal listener
- vpce-dddddddd (vpc-dddddddd): its own listener on 127.0.0.2, no policy (another VPC)
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.iam_helpers import (
    ACCESS_DENIED,
    Creds,
    client,
    explain,
    fails,
    failure,
    read,
    s3,
    unique,
)
from tests.integration.server import RunningServer, clean_env, free_port, start_server

GET_ONLY_BUCKET = unique("vpce-get-only")
A, B, C, D = "vpce-aaaaaaaa", "vpce-bbbbbbbb", "vpce-cccccccc", "vpce-dddddddd"


@dataclasses.dataclass
class Endpoints:
    server: RunningServer  # the normal listener
    via: dict[str, RunningServer]  # the same server through each endpoint with a listener
    root: Creds


@pytest.fixture(autouse=True)
def _no_proxy_bypass(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    base = tmp_path_factory.mktemp("vpce")
    (base / "get-only.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{GET_ONLY_BUCKET}/*"}]}))
    port = free_port()
    ports = {name: free_port("127.0.0.2") for name in (A, B, D)}
    (base / "ironbucket.toml").write_text(f"""
address = "127.0.0.1:{port}"

[[private_endpoints]]
id = "{A}"
vpc = "vpc-aaaaaaaa"
listen = "127.0.0.2:{ports[A]}"

[[private_endpoints]]
id = "{B}"
vpc = "vpc-bbbbbbbb"
listen = "127.0.0.2:{ports[B]}"
policy_file = "get-only.json"

[[private_endpoints]]
id = "{C}"
vpc = "vpc-cccccccc"
source_cidrs = ["127.0.0.3/32"]

[[private_endpoints]]
id = "{D}"
vpc = "vpc-dddddddd"
listen = "127.0.0.2:{ports[D]}"
""")
    server = start_server(base / "data", port=port, extra_args=["--config", str(base / "ironbucket.toml")])
    try:
        via = {name: dataclasses.replace(server, host="127.0.0.2", port=p) for name, p in ports.items()}
        yield Endpoints(server, via, Creds(server.access_key, server.secret_key))
    finally:
        server.stop()


def test_banner_lists_the_endpoints(endpoints: Endpoints) -> None:
    log = endpoints.server.log()
    assert f"private endpoint {A} (vpc-aaaaaaaa): http://127.0.0.2:{endpoints.via[A].port}" in log
    assert f"private endpoint {C} (vpc-cccccccc): from 127.0.0.3/32" in log


def test_bucket_policy_deny_unless_source_vpce(endpoints: Endpoints) -> None:
    public, through_a = s3(endpoints.server, endpoints.root), s3(endpoints.via[A], endpoints.root)
    bucket = unique("vpce-only")
    public.create_bucket(Bucket=bucket)
    public.put_object(Bucket=bucket, Key="k", Body=b"data")
    public.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
         "Condition": {"StringNotEquals": {"aws:SourceVpce": A}}}]}))
    assert read(through_a, bucket, "k") == b"data"
    through_a.put_object(Bucket=bucket, Key="k2", Body=b"more")
    assert fails(public.get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    # Another endpoint is not the one the policy names.
    assert fails(s3(endpoints.via[D], endpoints.root).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    public.delete_bucket_policy(Bucket=bucket)  # the owner's lockout exemption
    assert read(public, bucket, "k2") == b"more"


def test_endpoint_policy_caps_everyone_even_root(endpoints: Endpoints) -> None:
    public, through_b = s3(endpoints.server, endpoints.root), s3(endpoints.via[B], endpoints.root)
    public.create_bucket(Bucket=GET_ONLY_BUCKET)
    public.put_object(Bucket=GET_ONLY_BUCKET, Key="k", Body=b"data")
    assert read(through_b, GET_ONLY_BUCKET, "k") == b"data"
    denied = failure(through_b.put_object, Bucket=GET_ONLY_BUCKET, Key="k", Body=b"new")
    assert denied.response["Error"]["Code"] == "AccessDenied"
    public.put_object(Bucket=GET_ONLY_BUCKET, Key="k", Body=b"new")  # the same, not through it
    assert read(through_b, GET_ONLY_BUCKET, "k") == b"new"
    assert fails(through_b.list_objects_v2, Bucket=GET_ONLY_BUCKET) == ACCESS_DENIED
    assert fails(through_b.list_buckets) == ACCESS_DENIED
    # IAM and S3 Control requests through the endpoint meet its policy too.
    assert fails(client(endpoints.via[B], "iam", endpoints.root).list_users)[0] == "AccessDenied"
    client(endpoints.server, "iam", endpoints.root).list_users()
    account_id = client(endpoints.server, "sts", endpoints.root).get_caller_identity()["Account"]
    ctl = client(endpoints.via[B], "s3control", endpoints.root, proxies={"http": endpoints.via[B].endpoint})
    assert fails(ctl.list_access_points, AccountId=account_id) == ACCESS_DENIED
    # So do KMS requests.
    assert fails(client(endpoints.via[B], "kms", endpoints.root).list_keys)[0] == "AccessDeniedException"
    client(endpoints.server, "kms", endpoints.root).list_keys()
    # The decision trace names the endpoint policy.
    trace = explain(endpoints.server.data_dir, denied.response["ResponseMetadata"]["RequestId"])
    assert f"endpoint policy of {B}" in trace
    # Through an access point (of this endpoint's VPC), the endpoint policy must allow the access
    # point's ARN as well as the bucket's; this one names only the bucket.
    ctl = client(endpoints.server, "s3control", endpoints.root, proxies={"http": endpoints.server.endpoint})
    alias = ctl.create_access_point(AccountId=account_id, Name=unique("in-b"), Bucket=GET_ONLY_BUCKET,
                                    VpcConfiguration={"VpcId": "vpc-bbbbbbbb"})["Alias"]
    through_ap = failure(through_b.get_object, Bucket=alias, Key="k")
    assert through_ap.response["Error"]["Code"] == "AccessDenied"
    trace = explain(endpoints.server.data_dir, through_ap.response["ResponseMetadata"]["RequestId"])
    assert f"endpoint policy of {B}: no statement applies" in trace


def anonymous_get(server: RunningServer, bucket: str, key: str, source: str) -> int:
    """An anonymous GET from a chosen loopback source address (boto3 cannot bind its socket)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10, source_address=(source, 0))
    try:
        connection.request("GET", f"/{bucket}/{key}")
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_source_cidrs_and_the_vpc_condition_keys(endpoints: Endpoints) -> None:
    public = s3(endpoints.server, endpoints.root)
    bucket = unique("vpce-keys")
    public.create_bucket(Bucket=bucket)
    public.delete_public_access_block(Bucket=bucket)  # aws:VpcSourceIp grants count as public
    for key in ("vpce/x", "vpc-ip/x", "source-ip/x"):
        public.put_object(Bucket=bucket, Key=key, Body=b"x")

    def grant(prefix: str, condition: dict[str, Any]) -> dict[str, Any]:
        return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/{prefix}/*", "Condition": condition}

    public.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        grant("vpce", {"StringEquals": {"aws:SourceVpce": C}}),
        grant("vpc-ip", {"IpAddress": {"aws:VpcSourceIp": "127.0.0.3/32"}}),
        grant("source-ip", {"IpAddress": {"aws:SourceIp": ["127.0.0.3/32", "127.0.0.4/32"]}})]}))
    server = endpoints.server
    # From 127.0.0.3 the request comes through vpce-cccccccc: no aws:SourceIp, VPC keys instead.
    assert anonymous_get(server, bucket, "vpce/x", "127.0.0.3") == 200
    assert anonymous_get(server, bucket, "vpc-ip/x", "127.0.0.3") == 200
    assert anonymous_get(server, bucket, "source-ip/x", "127.0.0.3") == 403
    # From 127.0.0.4 it does not: aws:SourceIp is there, the VPC keys are not.
    assert anonymous_get(server, bucket, "source-ip/x", "127.0.0.4") == 200
    assert anonymous_get(server, bucket, "vpce/x", "127.0.0.4") == 403
    assert anonymous_get(server, bucket, "vpc-ip/x", "127.0.0.4") == 403
    # A forwarding header from an untrusted client changes nothing.
    connection = http.client.HTTPConnection(server.host, server.port, timeout=10,
                                            source_address=("127.0.0.4", 0))
    connection.request("GET", f"/{bucket}/vpce/x", headers={"X-Forwarded-For": "127.0.0.3"})
    assert connection.getresponse().status == 403
    connection.close()


def test_vpc_access_point_answers_only_through_its_vpc(endpoints: Endpoints) -> None:
    public = s3(endpoints.server, endpoints.root)
    ctl = client(endpoints.server, "s3control", endpoints.root, proxies={"http": endpoints.server.endpoint})
    account_id = client(endpoints.server, "sts", endpoints.root).get_caller_identity()["Account"]
    bucket = unique("vpce-ap")
    public.create_bucket(Bucket=bucket)
    public.put_object(Bucket=bucket, Key="k", Body=b"private")
    name = unique("inside")
    made = ctl.create_access_point(AccountId=account_id, Name=name, Bucket=bucket,
                                   VpcConfiguration={"VpcId": "vpc-aaaaaaaa"})
    got = ctl.get_access_point(AccountId=account_id, Name=name)
    assert (got["NetworkOrigin"], got["VpcConfiguration"]) == ("VPC", {"VpcId": "vpc-aaaaaaaa"})
    listed = ctl.list_access_points(AccountId=account_id, Bucket=bucket)["AccessPointList"]
    assert [(p["Name"], p["NetworkOrigin"], p["VpcConfiguration"]) for p in listed] == [
        (name, "VPC", {"VpcId": "vpc-aaaaaaaa"})]
    assert fails(ctl.create_access_point, AccountId=account_id, Name=unique("bad"), Bucket=bucket,
                 VpcConfiguration={"VpcId": "not-a-vpc"}) == ("InvalidRequest", 400)
    alias = made["Alias"]
    # The bucket itself answers only requests that came through a VPC access point.
    public.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringNotEquals": {"s3:AccessPointNetworkOrigin": "VPC"}}}]}))
    assert read(s3(endpoints.via[A], endpoints.root), alias, "k") == b"private"
    assert fails(public.get_object, Bucket=alias, Key="k") == ACCESS_DENIED
    assert fails(s3(endpoints.via[D], endpoints.root).get_object, Bucket=alias, Key="k") == ACCESS_DENIED
    assert fails(s3(endpoints.via[A], endpoints.root).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    # An Internet access point on the same bucket does not carry the VPC origin.
    internet = ctl.create_access_point(AccountId=account_id, Name=unique("outside"), Bucket=bucket)
    assert fails(public.get_object, Bucket=internet["Alias"], Key="k") == ACCESS_DENIED
    public.delete_bucket_policy(Bucket=bucket)
    assert read(public, internet["Alias"], "k") == b"private"


POLICY_OK = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}, separators=(",", ":"))


@pytest.mark.parametrize(("endpoint", "files", "message"), [
    ('id = "vpce-nothex!"\nvpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:1"', {}, "id must look like vpce-"),
    ('id = "vpce-aaaaaaaa"\nvpc = "vpc-aaaaaaaa"', {}, "needs listen (HOST:PORT) and/or source_cidrs"),
    ('id = "vpce-aaaaaaaa"\nvpc = "vpc-aaaaaaaa"\nsource_cidrs = ["127.0.0.300/32"]', {}, "source_cidrs"),
    ('id = "vpce-aaaaaaaa"\nvpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:1"\npolicy_file = "gone.json"', {},
     "cannot read policy_file"),
    ('id = "vpce-aaaaaaaa"\nvpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:1"\npolicy_file = "p.json"',
     {"p.json": POLICY_OK.replace('"Principal":"*",', "")}, "not a valid endpoint policy"),
    ('id = "vpce-aaaaaaaa"\nvpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:1"\npolicy_file = "p.json"',
     {"p.json": POLICY_OK.replace("Allow", "Permit")}, "not a valid endpoint policy"),
])
def test_bad_endpoint_configuration_stops_the_server(tmp_path: Path, endpoint: str, files: dict[str, str],
                                                     message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    toml = tmp_path / "ironbucket.toml"
    toml.write_text(f'address = "127.0.0.1:{free_port()}"\n[[private_endpoints]]\n{endpoint}\n')
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "serve", "--config", str(toml),
                           "--data-dir", str(tmp_path / "data")], env=clean_env(), capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "private_endpoints[0]" in proc.stderr


def test_an_endpoint_listener_that_cannot_bind_stops_the_server(tmp_path: Path,
                                                                endpoints: Endpoints) -> None:
    taken = endpoints.via[A].port  # held by the running server
    toml = tmp_path / "ironbucket.toml"
    toml.write_text(f'address = "127.0.0.1:{free_port()}"\n[[private_endpoints]]\nid = "vpce-aaaaaaaa"\n'
                    f'vpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:{taken}"\n')
    proc = subprocess.run([sys.executable, "-m", "ironbucket", "serve", "--config", str(toml),
                           "--data-dir", str(tmp_path / "data")], env=clean_env(), capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"private endpoint vpce-aaaaaaaa: cannot listen on 127.0.0.2:{taken}" in proc.stderr


def test_every_worker_serves_the_endpoint_listener(tmp_path: Path) -> None:
    port, endpoint_port = free_port(), free_port("127.0.0.2")
    toml = tmp_path / "ironbucket.toml"
    toml.write_text(f'address = "127.0.0.1:{port}"\n[[private_endpoints]]\nid = "{A}"\n'
                    f'vpc = "vpc-aaaaaaaa"\nlisten = "127.0.0.2:{endpoint_port}"\n')
    server = start_server(tmp_path / "data", port=port, workers=2, extra_args=["--config", str(toml)])
    try:
        root = Creds(server.access_key, server.secret_key)
        public = s3(server, root)
        bucket = unique("vpce-workers")
        public.create_bucket(Bucket=bucket)
        public.put_object(Bucket=bucket, Key="k", Body=b"data")
        public.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": A}}}]}))
        # Fresh connections, spread by the kernel over both workers' sockets.
        for _ in range(8):
            assert read(s3(dataclasses.replace(server, host="127.0.0.2", port=endpoint_port), root),
                        bucket, "k") == b"data"
            assert fails(s3(server, root).get_object, Bucket=bucket, Key="k") == ACCESS_DENIED
    finally:
        server.stop()
