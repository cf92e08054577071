"""``[[private_endpoints]]``: strict parsing at startup, which endpoint a request came through,
the condition keys it then carries, and the network origin of VPC access points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ironbucket import config
from ironbucket.auth.authentication import anonymous
from ironbucket.auth.payload import payload_check
from ironbucket.authz.access_points import AccessPoint
from ironbucket.authz.context import request_keys
from ironbucket.authz.endpoints import arrived_through, endpoint_policy, require_network_origin
from ironbucket.errors import AccessDenied
from ironbucket.features.public_access import ALL_BLOCKED
from ironbucket.http.request import Body, Request
from ironbucket.policy import PolicyKind, parse_policy
from ironbucket.private_endpoints import PrivateEndpoint

GOOD_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]})


def load(tmp_path: Path, body: str) -> config.Settings:
    (tmp_path / "endpoint.json").write_text(GOOD_POLICY)
    (tmp_path / "no-principal.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    (tmp_path / "not-json.json").write_text("{nope")
    toml = tmp_path / "ironbucket.toml"
    toml.write_text(body)
    return config.load({"config": str(toml)}, env={})


def test_endpoints_are_parsed_with_their_policy(tmp_path: Path) -> None:
    settings = load(tmp_path, """
[[private_endpoints]]
id = "vpce-0123456789abcdef0"
vpc = "vpc-0a1b2c3d"
listen = "127.0.0.2:9100"
policy_file = "endpoint.json"

[[private_endpoints]]
id = "vpce-1a2b3c4d"
vpc = "vpc-0a1b2c3d"
source_cidrs = ["10.1.0.0/16", "fd00::/8"]
""")
    first, second = settings.private_endpoints
    assert (first.id, first.vpc, first.listen, first.source_cidrs) == (
        "vpce-0123456789abcdef0", "vpc-0a1b2c3d", "127.0.0.2:9100", ())
    assert first.policy_file == tmp_path / "endpoint.json"  # relative to the config file
    assert first.policy is not None and "s3:getobject" in first.policy.text.lower()
    assert (second.listen, second.source_cidrs, second.policy) == (None, ("10.1.0.0/16", "fd00::/8"), None)


ENDPOINT = '[[private_endpoints]]\nid = "vpce-1a2b3c4d"\nvpc = "vpc-1a2b3c4d"\n'


@pytest.mark.parametrize(("body", "message"), [
    ('[[private_endpoints]]\nid = "vpce-xyz"\nvpc = "vpc-1a2b3c4d"\nlisten = "127.0.0.2:1"\n', "id must"),
    ('[[private_endpoints]]\nvpc = "vpc-1a2b3c4d"\nlisten = "127.0.0.2:1"\n', "id must"),
    ('[[private_endpoints]]\nid = "vpce-1a2b3c4d"\nvpc = "vpc-12"\nlisten = "127.0.0.2:1"\n', "vpc must"),
    ('[[private_endpoints]]\nid = "vpce-1a2b3c4d"\nlisten = "127.0.0.2:1"\n', "vpc must"),
    (ENDPOINT, "needs listen"),
    (ENDPOINT + 'source_cidrs = []\n', "needs listen"),
    (ENDPOINT + 'listen = "127.0.0.2"\n', "listen must be HOST:PORT"),
    (ENDPOINT + 'listen = "127.0.0.2:99999"\n', "listen must be HOST:PORT"),
    (ENDPOINT + 'source_cidrs = ["10.0.0.0/33"]\n', "source_cidrs"),
    (ENDPOINT + 'source_cidrs = "10.0.0.0/8"\n', "source_cidrs must be a list"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\npolicy_file = "missing.json"\n', "cannot read policy_file"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\npolicy_file = "not-json.json"\n', "not a valid endpoint policy"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\npolicy_file = "no-principal.json"\n', "Principal"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\nport = 3\n', "unknown key 'port'"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\n' + ENDPOINT + 'listen = "127.0.0.2:2"\n', "declared twice"),
    (ENDPOINT + 'listen = "127.0.0.2:1"\n' + ENDPOINT.replace("1a2b3c4d\"\nvpc", "2a2b3c4d\"\nvpc")
     + 'listen = "127.0.0.2:1"\n', "two private endpoints listen"),
    ('private_endpoints = "vpce-1a2b3c4d"\n', "array of tables"),
])
def test_bad_endpoints_are_refused_at_startup(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load(tmp_path, body)


def request(client_ip: str, *, listener: str | None = None, forwarded: str | None = None) -> Request:
    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b""}

    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return Request(method="GET", raw_path="/", query_string="", query={}, query_items=[], headers=headers,
                   body=Body(receive, 0), client_ip=client_ip, client_port=1, server=("", 0), scheme="http",
                   request_id="1", received_at=0.0, listener_endpoint=listener)


BY_LISTENER = PrivateEndpoint("vpce-aaaaaaaa", "vpc-aaaaaaaa", listen="127.0.0.2:9")
BY_SOURCE = PrivateEndpoint("vpce-bbbbbbbb", "vpc-bbbbbbbb", source_cidrs=("127.0.0.3/32", "10.9.0.0/16"))
ENDPOINTS = (BY_LISTENER, BY_SOURCE)


@pytest.mark.parametrize(("req", "proxies", "expected"), [
    (request("127.0.0.1", listener="vpce-aaaaaaaa"), (), BY_LISTENER),
    (request("127.0.0.3", listener="vpce-aaaaaaaa"), (), BY_LISTENER),  # the listener decides
    (request("127.0.0.3"), (), BY_SOURCE),
    (request("10.9.4.5"), (), BY_SOURCE),
    (request("127.0.0.1"), (), None),
    (request("127.0.0.1", forwarded="127.0.0.3"), (), None),  # an untrusted client's claim
    (request("192.0.2.1", forwarded="10.9.0.7"), ("192.0.2.0/24",), BY_SOURCE),  # a trusted proxy's
    (request("192.0.2.1", forwarded="198.51.100.1"), ("192.0.2.0/24",), None),
])
def test_which_endpoint_a_request_came_through(req: Request, proxies: tuple[str, ...],
                                               expected: PrivateEndpoint | None) -> None:
    assert arrived_through(req, ENDPOINTS, proxies) is expected
    assert arrived_through(req, (), proxies) is None


def keys_of(req: Request) -> dict[str, tuple[str, ...]]:
    auth = anonymous("us-east-1", payload_check(None, {}, signing=None))
    return request_keys(req, auth, now=0.0, trusted_proxies=(), resource_account=None)


def test_through_an_endpoint_vpc_keys_replace_source_ip() -> None:
    req = request("127.0.0.3")
    req.endpoint = BY_SOURCE
    keys = keys_of(req)
    assert keys["aws:sourcevpce"] == ("vpce-bbbbbbbb",)
    assert keys["aws:sourcevpc"] == ("vpc-bbbbbbbb",)
    assert keys["aws:vpcsourceip"] == ("127.0.0.3",)
    assert "aws:sourceip" not in keys
    plain = keys_of(request("127.0.0.1"))
    assert plain["aws:sourceip"] == ("127.0.0.1",)
    assert not {"aws:sourcevpce", "aws:sourcevpc", "aws:vpcsourceip"} & plain.keys()


def test_endpoint_policy_is_labelled_once() -> None:
    endpoint = PrivateEndpoint("vpce-cccccccc", "vpc-cccccccc", listen="127.0.0.2:1",
                               policy=parse_policy(GOOD_POLICY, PolicyKind.ENDPOINT))
    labelled = endpoint_policy(endpoint)
    assert labelled is not None and labelled.label == "endpoint policy of vpce-cccccccc"
    assert endpoint_policy(endpoint) is labelled
    assert endpoint_policy(BY_LISTENER) is None and endpoint_policy(None) is None


def point(origin: str = "Internet", vpc: str | None = None) -> AccessPoint:
    return AccessPoint("ap", "111122223333", "data", "111122223333", "ap-x-s3alias", "us-east-1", 0.0,
                       ALL_BLOCKED, origin, vpc)


@pytest.mark.parametrize(("access_point", "endpoint", "allowed"), [
    (point(), None, True),
    (point(), BY_LISTENER, True),
    (point("VPC", "vpc-aaaaaaaa"), BY_LISTENER, True),
    (point("VPC", "vpc-aaaaaaaa"), BY_SOURCE, False),  # another VPC's endpoint
    (point("VPC", "vpc-aaaaaaaa"), None, False),  # the public listener
])
def test_vpc_access_points_take_only_their_vpc(access_point: AccessPoint, endpoint: PrivateEndpoint | None,
                                               allowed: bool) -> None:
    if allowed:
        require_network_origin(access_point, endpoint)
    else:
        with pytest.raises(AccessDenied):
            require_network_origin(access_point, endpoint)


def test_access_point_records_keep_their_vpc_and_old_ones_load() -> None:
    made = point("VPC", "vpc-aaaaaaaa")
    assert AccessPoint.loads(made.dumps()) == made
    old = json.loads(point().dumps())
    del old["vpc_id"]  # records written before VPC access points existed
    loaded = AccessPoint.loads(json.dumps(old))
    assert (loaded.network_origin, loaded.vpc_id) == ("Internet", None)
