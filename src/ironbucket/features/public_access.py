"""Block Public Access settings: the four flags, their stored form, and how levels combine.

https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
The account's and the bucket's settings (and an access point's) are combined by taking, flag
by flag, the most restrictive: a flag on at any level is on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

CONFIG = "publicAccessBlock"  # the bucket configuration document's name
FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


@dataclass(frozen=True, slots=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    def flags(self) -> tuple[bool, bool, bool, bool]:
        return (self.block_public_acls, self.ignore_public_acls, self.block_public_policy,
                self.restrict_public_buckets)

    def __or__(self, other: PublicAccessBlock) -> PublicAccessBlock:
        return PublicAccessBlock(*(a or b for a, b in zip(self.flags(), other.flags(), strict=True)))

    def dumps(self) -> str:
        return json.dumps(dict(zip(FLAGS, self.flags(), strict=True)), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | None) -> PublicAccessBlock | None:
        """The stored form back; a document that cannot be read counts as everything blocked
        (fail closed)."""
        if text is None:
            return None
        try:
            stored = json.loads(text)
            return cls(*(stored[name] is True for name in FLAGS))
        except (ValueError, KeyError, TypeError):
            return ALL_BLOCKED


NOTHING_BLOCKED = PublicAccessBlock()
ALL_BLOCKED = PublicAccessBlock(True, True, True, True)


def effective(*levels: PublicAccessBlock | None) -> PublicAccessBlock:
    """The settings in force: each flag on if it is on at any level that has settings."""
    result = NOTHING_BLOCKED
    for level in levels:
        if level is not None:
            result = result | level
    return result
