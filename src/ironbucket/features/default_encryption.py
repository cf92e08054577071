"""Placeholder until the bucket default-encryption branch lands (same interface)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DefaultEncryption:
    algorithm: str
    kms_key_id: str | None
    bucket_key_enabled: bool


SSE_S3_DEFAULT = DefaultEncryption("AES256", None, False)
