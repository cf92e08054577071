"""Finding keys: by identifier (resolving aliases), lazily completing scheduled deletions and
due automatic rotations, creating keys and their material, and the AWS managed keys."""

from __future__ import annotations

import dataclasses
import uuid

from ironbucket.kms import states
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import KMSInternalException, NotFoundException
from ironbucket.kms.identifiers import alias_arn, parse, require_key
from ironbucket.kms.keyring import Keyring
from ironbucket.kms.policies import default_key_policy, managed_key_policy
from ironbucket.storage.interfaces import MetadataStore
from ironbucket.storage.kms_records import KEY_ENABLED, KmsAlias, KmsKey, KmsMaterial

CUSTOMER = "CUSTOMER"
AWS = "AWS"
MANAGED_SERVICES = frozenset({"s3"})


async def load(call: KmsCall, key_id: str) -> KmsKey | None:
    """The key, or None once it is gone (a deletion whose window has passed is carried out
    here: its material is destroyed, so its ciphertexts never open again)."""
    key = await call.meta.kms_get_key(key_id)
    if key is None:
        return None
    if states.is_deleted(key, call.kms_now):
        await call.meta.kms_delete_key(key_id)
        return None
    if states.rotation_due(key, call.kms_now):
        key = await rotate(call.meta, call.keyring, key, call.kms_now, on_demand=False)
    return key


async def resolve(call: KmsCall, text: str, *, aliases: bool = True) -> KmsKey:
    ref = parse(text)
    if not aliases:
        require_key(ref)
    account = ref.account_id or call.account_id
    if ref.is_alias:
        alias = await call.meta.kms_get_alias(account, ref.value)
        if alias is None and account == call.account_id and _managed_service(ref.value):
            return await aws_managed_key(call.meta, account, _managed_service(ref.value) or "",
                                         keyring=call.keyring, region=call.region, now=call.now)
        if alias is None:
            raise NotFoundException(f"Alias {alias_arn(call.region, account, ref.value)} is not found.")
        key_id = alias.key_id
    else:
        key_id = ref.value
    key = await load(call, key_id)
    if key is None or key.account_id != account or (ref.region and ref.region != key.region):
        shown = f"arn:aws:kms:{ref.region or call.region}:{account}:key/{key_id}"
        raise NotFoundException(f"Key '{shown}' does not exist")
    return key


def _managed_service(alias_name: str) -> str | None:
    service = alias_name.removeprefix("alias/aws/")
    return service if alias_name.startswith("alias/aws/") and service in MANAGED_SERVICES else None


async def create(meta: MetadataStore, keyring: Keyring, *, account_id: str, region: str, now: float,
                 policy: str | None, description: str, manager: str = CUSTOMER,
                 tags: dict[str, str] | None = None, key_id: str | None = None) -> KmsKey:
    key_id = key_id or str(uuid.uuid4())
    key = KmsKey(key_id=key_id, account_id=account_id, region=region, created_at=now,
                 state=KEY_ENABLED, description=description,
                 policy=policy if policy is not None else default_key_policy(account_id),
                 manager=manager, current_material=1, tags=dict(tags or {}))
    material = KmsMaterial(key_id, 1, now, keyring.new_material(key_id, 1))
    await meta.kms_add_material(key, material)
    return key


async def rotate(meta: MetadataStore, keyring: Keyring, key: KmsKey, now: float, *,
                 on_demand: bool) -> KmsKey:
    """New material becomes current; earlier versions stay for the ciphertexts that name them."""
    updated = states.rotated(key, now, on_demand=on_demand)
    version = updated.current_material
    material = KmsMaterial(key.key_id, version, now, keyring.new_material(key.key_id, version))
    await meta.kms_add_material(updated, material)
    return updated


async def aws_managed_key(meta: MetadataStore, account_id: str, service: str = "s3", *,
                          keyring: Keyring, region: str, now: float) -> KmsKey:
    """The account's AWS managed key for ``service`` (alias ``alias/aws/<service>``), created on
    first use. Two workers racing to create it agree on whichever alias was stored first."""
    name = f"alias/aws/{service}"
    alias = await meta.kms_get_alias(account_id, name)
    if alias is None:
        key = await create(meta, keyring, account_id=account_id, region=region, now=now,
                           policy=managed_key_policy(account_id, service, region),
                           description=f"Default key that protects my {service.upper()} objects when "
                                       "no other key is defined", manager=AWS)
        if await meta.kms_create_alias(KmsAlias(account_id, name, key.key_id, now, now)):
            # AWS rotates its managed keys every year.
            rotating = dataclasses.replace(key, rotation_enabled=True,
                                           next_rotation_at=now + 365 * states.DAY)
            await meta.kms_put_key(rotating)
            return rotating
        await meta.kms_delete_key(key.key_id)
        alias = await meta.kms_get_alias(account_id, name)
        if alias is None:
            raise KMSInternalException()
    key_found = await meta.kms_get_key(alias.key_id)
    if key_found is None:
        raise KMSInternalException()
    return key_found
