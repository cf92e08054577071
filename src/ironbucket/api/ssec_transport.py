"""SSE-C only over TLS, as AWS requires: a request carrying a customer-provided key (or its
copy-source variant) over plain HTTP is refused before anything else happens — the key has
already crossed the network in the clear, but at least nothing is done with it.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html
"""

from __future__ import annotations

from collections.abc import Iterable

from ironbucket.authz.context import client_facts
from ironbucket.config import Settings
from ironbucket.errors import InvalidRequest
from ironbucket.http.request import Request

INSECURE_SSEC = ("Requests specifying Server Side Encryption with Customer provided keys must be "
                 "made over a secure connection.")
_SSEC_HEADERS = frozenset(
    f"{prefix}server-side-encryption-customer-{part}"
    for prefix in ("x-amz-", "x-amz-copy-source-")
    for part in ("algorithm", "key", "key-md5")
)


def refuse_ssec_over_http(request: Request, settings: Settings, names: Iterable[str] | None = None) -> None:
    """``--allow-ssec-over-http`` lifts this (local tests); a trusted proxy's
    ``X-Forwarded-Proto: https`` counts as TLS, as it does for aws:SecureTransport. ``names``:
    where the customer key may be instead of the headers (a browser POST's form fields)."""
    if settings.allow_ssec_over_http or _SSEC_HEADERS.isdisjoint(
            request.headers.keys() if names is None else names):
        return
    if not client_facts(request, settings.trusted_proxies)[1]:
        raise InvalidRequest(INSECURE_SSEC)
