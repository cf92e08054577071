"""Placeholder until the bucket default-encryption branch lands (same interface)."""

from __future__ import annotations

from ironbucket.api.context import Services
from ironbucket.features.default_encryption import SSE_S3_DEFAULT, DefaultEncryption


async def default_encryption(services: Services, bucket: str) -> DefaultEncryption:
    return SSE_S3_DEFAULT
