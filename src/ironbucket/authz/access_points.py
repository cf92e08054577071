"""Access points: named entries to a bucket, each with its own policy and Block Public Access.

Stored as server settings (one commit per change): the record under
``access-point/<account>/<name>``, its policy under ``access-point-policy/<account>/<name>``, and
``access-point-alias/<alias>`` -> ``<account>/<name>``. Reads go through the store's
generation-checked cache, so every worker sees a change on its next request.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points.html
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass

from ironbucket.features.public_access import PublicAccessBlock
from ironbucket.storage.interfaces import MetadataStore

RECORD, POLICY, ALIAS = "access-point/", "access-point-policy/", "access-point-alias/"
ALIAS_SUFFIX = "-s3alias"
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,48})[a-z0-9]")
_ALIAS_ALPHABET = string.ascii_lowercase + string.digits
# arn:aws:s3:<region>:<account>:accesspoint/<name>[/object/<key>]
_ARN = re.compile(r"arn:aws:s3:([a-z0-9-]+):(\d{12}):accesspoint/([a-z0-9-]+)(?:/object/(.*))?", re.S)
# A virtual host's first label naming an access point: <name>-<account>
_HOST_LABEL = re.compile(r"(.+)-(\d{12})")


@dataclass(frozen=True, slots=True)
class AccessPoint:
    name: str
    account_id: str
    bucket: str
    bucket_account_id: str
    alias: str
    region: str
    created_at: float
    public_access_block: PublicAccessBlock
    network_origin: str = "Internet"  # or "VPC": only through a private endpoint of vpc_id
    vpc_id: str | None = None

    @property
    def arn(self) -> str:
        return f"arn:aws:s3:{self.region}:{self.account_id}:accesspoint/{self.name}"

    def resource_arn(self, key: str | None) -> str:
        return self.arn if key is None else f"{self.arn}/object/{key}"

    def dumps(self) -> str:
        return json.dumps({
            "name": self.name, "account_id": self.account_id, "bucket": self.bucket,
            "bucket_account_id": self.bucket_account_id, "alias": self.alias, "region": self.region,
            "created_at": self.created_at, "public_access_block": self.public_access_block.dumps(),
            "network_origin": self.network_origin, "vpc_id": self.vpc_id, "v": 1})

    @classmethod
    def loads(cls, text: str) -> AccessPoint:
        d = json.loads(text)
        blocked = PublicAccessBlock.loads(d["public_access_block"])
        assert blocked is not None
        return cls(d["name"], d["account_id"], d["bucket"], d["bucket_account_id"], d["alias"], d["region"],
                   d["created_at"], blocked, d["network_origin"], d.get("vpc_id"))


def valid_name(name: str) -> bool:
    """AWS's rules: 3-50 characters, lowercase letters, digits and hyphens, starting and ending
    with a letter or digit, and not ending in the alias suffix."""
    return bool(_NAME.fullmatch(name)) and not name.endswith(ALIAS_SUFFIX) and "--" not in name


def new_alias(name: str) -> str:
    tail = "".join(secrets.choice(_ALIAS_ALPHABET) for _ in range(26))
    return f"{name[:20].rstrip('-')}-{tail}{ALIAS_SUFFIX}"


def parse_arn(arn: str) -> tuple[str, str, str | None] | None:
    """(account, name, key or None) of an access point ARN (with or without /object/<key>)."""
    match = _ARN.fullmatch(arn)
    return None if match is None else (match.group(2), match.group(3), match.group(4))


def host_label(label: str) -> tuple[str, str] | None:
    """(name, account) when a virtual host's bucket label has the access point form."""
    match = _HOST_LABEL.fullmatch(label)
    return None if match is None else (match.group(1), match.group(2))


async def get(meta: MetadataStore, account_id: str, name: str) -> AccessPoint | None:
    text = await meta.get_setting(f"{RECORD}{account_id}/{name}")
    return None if text is None else AccessPoint.loads(text)


async def by_alias(meta: MetadataStore, alias: str) -> AccessPoint | None:
    target = await meta.get_setting(ALIAS + alias)
    if target is None:
        return None
    account_id, _, name = target.partition("/")
    return await get(meta, account_id, name)


async def policy_text(meta: MetadataStore, account_id: str, name: str) -> str | None:
    return await meta.get_setting(f"{POLICY}{account_id}/{name}")


async def create(meta: MetadataStore, point: AccessPoint) -> None:
    await meta.put_settings({f"{RECORD}{point.account_id}/{point.name}": point.dumps(),
                             ALIAS + point.alias: f"{point.account_id}/{point.name}"})


async def delete(meta: MetadataStore, point: AccessPoint) -> None:
    await meta.put_settings({f"{RECORD}{point.account_id}/{point.name}": None, ALIAS + point.alias: None,
                             f"{POLICY}{point.account_id}/{point.name}": None})


async def put_policy(meta: MetadataStore, point: AccessPoint, text: str | None) -> None:
    await meta.put_setting(f"{POLICY}{point.account_id}/{point.name}", text)


async def list_for(meta: MetadataStore, account_id: str, after: str, limit: int) -> list[AccessPoint]:
    prefix = f"{RECORD}{account_id}/"
    rows = await meta.list_settings(prefix, prefix + after if after else "", limit)
    return [AccessPoint.loads(value) for _, value in rows]
