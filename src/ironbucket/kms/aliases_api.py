"""CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

An alias belongs to an account and points at one of its customer managed keys. Changing one
needs the action on the alias (IAM policies only: an alias has no resource policy) and on each
key involved (key policy + IAM). ``alias/aws/`` is reserved for AWS managed keys.
"""

from __future__ import annotations

import re
from typing import Any

from ironbucket.kms import lookup, states
from ironbucket.kms.access import authorize_account, authorize_key, authorized_key
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import (
    AlreadyExistsException,
    InvalidAliasNameException,
    InvalidMarkerException,
    NotFoundException,
)
from ironbucket.kms.identifiers import alias_arn, parse
from ironbucket.kms.render import alias_entry, page
from ironbucket.storage.kms_records import KmsAlias

_NAME = re.compile(r"alias/[a-zA-Z0-9/_-]+")
RESERVED = "alias/aws/"


def _alias_name(call: KmsCall) -> str:
    name = call.params.required("AliasName", max_len=256)
    if not _NAME.fullmatch(name):
        raise InvalidAliasNameException(f"Alias {name} must begin with alias/ and contain only "
                                        "alphanumeric characters, /, _ and -.")
    if name.startswith(RESERVED):
        raise InvalidAliasNameException(f"Alias {name} uses the alias/aws/ prefix, reserved for "
                                        "AWS managed keys.")
    return name


async def _target(call: KmsCall, action: str) -> Any:
    ref = parse(call.params.required("TargetKeyId"))
    if ref.is_alias or (ref.account_id not in (None, call.account_id)):
        raise NotFoundException(f"Invalid keyId '{ref.text}'")
    key = await authorized_key(call, ref.text, action, aliases=False)
    if key.manager != lookup.CUSTOMER:
        raise NotFoundException(f"Key '{key.arn}' cannot be the target of an alias: it is an AWS managed key")
    states.admit(key, "CreateAlias")
    return key


async def create_alias(call: KmsCall) -> None:
    name = _alias_name(call)
    arn = alias_arn(call.region, call.account_id, name)
    await authorize_account(call, "kms:CreateAlias", arn)
    key = await _target(call, "kms:CreateAlias")
    if not await call.meta.kms_create_alias(KmsAlias(call.account_id, name, key.key_id, call.now, call.now)):
        raise AlreadyExistsException(f"An alias with the name {arn} already exists")


async def _existing(call: KmsCall, name: str, action: str) -> KmsAlias:
    arn = alias_arn(call.region, call.account_id, name)
    await authorize_account(call, action, arn)
    alias = await call.meta.kms_get_alias(call.account_id, name)
    if alias is None:
        raise NotFoundException(f"Alias {arn} is not found.")
    old = await lookup.load(call, alias.key_id)
    if old is None:
        raise NotFoundException(f"Alias {arn} is not found.")
    await authorize_key(call, action, old)
    return alias


async def update_alias(call: KmsCall) -> None:
    name = _alias_name(call)
    alias = await _existing(call, name, "kms:UpdateAlias")
    key = await _target(call, "kms:UpdateAlias")
    await call.meta.kms_put_alias(KmsAlias(call.account_id, name, key.key_id, alias.created_at, call.now))


async def delete_alias(call: KmsCall) -> None:
    name = _alias_name(call)
    await _existing(call, name, "kms:DeleteAlias")
    await call.meta.kms_delete_alias(call.account_id, name)


async def list_aliases(call: KmsCall) -> dict[str, Any]:
    p = call.params
    limit = p.integer("Limit", 1, 100) or 50
    marker = p.string("Marker", max_len=320) or ""
    if marker and not marker.startswith("alias/"):
        raise InvalidMarkerException()
    key_text = p.string("KeyId")
    await authorize_account(call, "kms:ListAliases")  # IAM alone: KeyId only filters the list
    if key_text is not None:
        key = await lookup.resolve(call, key_text, aliases=False)
        found = [a for a in await call.meta.kms_key_aliases(key.key_id) if a.name > marker][:limit + 1]
    else:
        found = await call.meta.kms_list_aliases(call.account_id, marker, limit + 1)
    items, paging = page(found, limit, lambda a: a.name)
    return {"Aliases": [alias_entry(a, call.region) for a in items], **paging}
