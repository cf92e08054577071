"""Remembers signatures that verified, so an identical signed request is not re-hashed.

A signature check is a pure function of the request's signed parts and the secret. Presigned
URLs are fetched again and again (players seeking, CDNs, browsers), so a successful check is
remembered by everything that went into it, together with the Credential object it was made
with: a changed, rotated or deactivated key is a different object (see StoredCredentials),
so it can never match. Only the HMAC work is skipped — expiry, clock skew, session tokens
and the key's status are checked on every request, and failures are never remembered.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from ironbucket.auth.credentials import Credential

T = TypeVar("T")
MAX_ENTRIES = 1024


class SignatureMemo(Generic[T]):
    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[Credential, T]] = {}

    def get(self, key: Hashable, credential: Credential) -> T | None:
        hit = self._entries.get(key)
        if hit is None or hit[0] is not credential:
            return None
        return hit[1]

    def remember(self, key: Hashable, credential: Credential, result: T) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (credential, result)
