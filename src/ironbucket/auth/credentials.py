"""Access keys and where authentication finds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ironbucket.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class Credential:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    principal: Principal
    active: bool = True
    # Temporary (STS) credentials only: the token the request must carry, and when it dies.
    session_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None


class CredentialStore(Protocol):
    """Looks up an access key. Implementations must return fresh data (a key deactivated on
    one worker is refused by every worker on its next request)."""

    async def lookup(self, access_key_id: str) -> Credential | None: ...

    def note_use(self, access_key_id: str, service: str, region: str, now: float) -> None:
        """A request authenticated with this key (for GetAccessKeyLastUsed); must be cheap."""
        ...
