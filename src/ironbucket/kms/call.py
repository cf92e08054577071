"""What a KMS operation runs with, whether it came over HTTP or from inside the server (S3
asking for a data key on its caller's behalf, with ``via_service`` set).

``kms_now`` is the clock of key deletion and rotation windows: the real time plus an offset
that only the test-only ``--kms-test-clock-offset`` option sets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ironbucket.auth.principal import Principal
from ironbucket.authz.context import Keys
from ironbucket.authz.engine import Labelled
from ironbucket.kms.keyring import Keyring
from ironbucket.kms.protocol import Params
from ironbucket.storage.interfaces import MetadataStore

if TYPE_CHECKING:
    from ironbucket.authz.authorize import Decided


@dataclass(slots=True)
class KmsCall:
    meta: MetadataStore
    keyring: Keyring
    principal: Principal
    region: str
    now: float
    base_keys: Callable[[], Keys]  # the global condition keys of the request
    action: str = ""
    params: Params = field(default_factory=lambda: Params({}))
    decisions: list[Decided] = field(default_factory=list)
    via_service: str | None = None  # e.g. "s3.us-east-1.amazonaws.com" when S3 calls
    clock_offset: float = 0.0
    endpoint: Labelled | None = None  # the private endpoint's policy, when the request came through one

    @property
    def account_id(self) -> str:
        return self.principal.account_id

    @property
    def kms_now(self) -> float:
        return self.now + self.clock_offset


Handler = Callable[[KmsCall], Any]
