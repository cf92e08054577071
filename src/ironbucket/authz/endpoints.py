"""Which private endpoint a request came through, and what that means for authorization:
its condition keys, its endpoint policy, and the network origin of VPC access points.

https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html
"""

from __future__ import annotations

from collections.abc import Sequence

from ironbucket.authz.access_points import AccessPoint
from ironbucket.authz.context import client_facts
from ironbucket.authz.engine import Labelled
from ironbucket.errors import AccessDenied
from ironbucket.http.request import Request
from ironbucket.private_endpoints import PrivateEndpoint, by_source, through_listener


def arrived_through(request: Request, endpoints: Sequence[PrivateEndpoint],
                    trusted_proxies: tuple[str, ...]) -> PrivateEndpoint | None:
    """The endpoint's own listener decides; on the normal listeners, the client's address (the
    peer's, or behind a trusted proxy the forwarded one) against the endpoints' source_cidrs."""
    if not endpoints:
        return None
    if request.listener_endpoint is not None:
        return through_listener(endpoints, request.listener_endpoint)
    return by_source(endpoints, client_facts(request, trusted_proxies)[0])


_LABELLED: dict[str, Labelled] = {}


def endpoint_policy(endpoint: PrivateEndpoint | None) -> Labelled | None:
    """The endpoint policy, labelled for the trace; compiled at startup, wrapped once."""
    if endpoint is None or endpoint.policy is None:
        return None
    known = _LABELLED.get(endpoint.id)
    if known is None or known.policy is not endpoint.policy:
        known = _LABELLED[endpoint.id] = Labelled.of(endpoint.policy_label, endpoint.policy)
    return known


def require_network_origin(point: AccessPoint, endpoint: PrivateEndpoint | None) -> None:
    """A VPC access point answers only requests through a private endpoint of its VPC."""
    if point.network_origin != "VPC":
        return
    if endpoint is None or endpoint.vpc != point.vpc_id:
        raise AccessDenied()
