"""Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
GetAccessKeyLastUsed. Without ``UserName`` they act on the caller's own keys (an IAM user's, or
the root user's). The secret is returned once, by CreateAccessKey, and stored sealed under the
master key."""

from __future__ import annotations

from dataclasses import dataclass

from ironbucket.auth.stored_credentials import StoredCredentials
from ironbucket.errors import InternalError
from ironbucket.http.query_protocol import iso8601
from ironbucket.http.xml import XmlWriter
from ironbucket.iam.accounts import new_access_key_id, new_secret_access_key
from ironbucket.iam.call import IamCall, caller_user_name, find_user
from ironbucket.iam.errors import NoSuchEntity
from ironbucket.iam.paging import encode_marker, paging, write_truncation
from ironbucket.iam.params import ACCESS_KEY_ID, EXISTING_USER_NAME, invalid
from ironbucket.storage.interfaces import AccessKey

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
ACCESS_KEYS_PER_USER = 2


@dataclass(frozen=True, slots=True)
class KeyOwner:
    user_id: str | None  # None: the account's root user
    name: str | None


async def key_owner(call: IamCall) -> KeyOwner:
    name = caller_user_name(call.principal, call.params.optional("UserName", EXISTING_USER_NAME))
    if name is None:
        return KeyOwner(None, None)
    user = await find_user(call, name)
    return KeyOwner(user.user_id, user.name)


def _status(key: AccessKey) -> str:
    return "Active" if key.active else "Inactive"


def keyring(call: IamCall) -> StoredCredentials:
    credentials = call.ctx.services.credentials
    if not isinstance(credentials, StoredCredentials):
        raise InternalError("This server's credential store cannot hold IAM access keys.")
    return credentials


async def create_access_key(call: IamCall) -> XmlWriter:
    owner = await key_owner(call)
    key_id, secret = new_access_key_id(), new_secret_access_key()
    key = AccessKey(access_key_id=key_id, account_id=call.account_id,
                    owner_kind="root" if owner.user_id is None else "user", owner_name=owner.name or "root",
                    sealed_secret=keyring(call).seal_secret(key_id, secret), active=True,
                    created_at=call.now)
    await call.meta.iam_create_access_key(key, owner.user_id, ACCESS_KEYS_PER_USER)
    w = call.result()
    w.start("AccessKey").element("UserName", owner.name).element("AccessKeyId", key_id)
    w.element("Status", "Active").element("SecretAccessKey", secret)
    w.element("CreateDate", iso8601(call.now)).end()
    return w


async def _owned_key(call: IamCall) -> tuple[KeyOwner, str]:
    owner = await key_owner(call)
    key_id = call.params.required("AccessKeyId", ACCESS_KEY_ID)
    keys = await call.meta.iam_list_access_keys(call.account_id, owner.user_id)
    if not any(k.access_key_id == key_id for k in keys):
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found")
    return owner, key_id


async def list_access_keys(call: IamCall) -> XmlWriter:
    owner = await key_owner(call)
    paged = paging(call.params)
    after = paged.after_text() or ""
    keys = [k for k in await call.meta.iam_list_access_keys(call.account_id, owner.user_id)
            if k.access_key_id > after]
    keys.sort(key=lambda k: k.access_key_id)
    items, truncated = keys[:paged.max_items], len(keys) > paged.max_items
    w = call.result().start("AccessKeyMetadata")
    for k in items:
        w.start("member").element("UserName", owner.name).element("AccessKeyId", k.access_key_id)
        w.element("Status", _status(k)).element("CreateDate", iso8601(k.created_at)).end()
    w.end()
    write_truncation(w, truncated, encode_marker(items[-1].access_key_id) if items else None)
    return w


async def update_access_key(call: IamCall) -> None:
    status = call.params.choice("Status", ("Active", "Inactive"))
    if status is None:
        raise invalid("Status", None, "Member must not be null")
    _, key_id = await _owned_key(call)
    await call.meta.iam_update_access_key(key_id, status == "Active")


async def delete_access_key(call: IamCall) -> None:
    _, key_id = await _owned_key(call)
    await call.meta.iam_delete_access_key(key_id)


async def get_access_key_last_used(call: IamCall) -> XmlWriter:
    key_id = call.params.required("AccessKeyId", ACCESS_KEY_ID)
    key = await call.meta.get_access_key(key_id)
    if key is None or key.account_id != call.account_id:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found")
    used = await call.meta.iam_key_last_used(key_id)
    w = call.result()
    if key.owner_kind == "user":
        w.element("UserName", key.owner_name)
    w.start("AccessKeyLastUsed")
    if used is None:
        w.element("ServiceName", "N/A").element("Region", "N/A")
    else:
        w.element("LastUsedDate", iso8601(used.used_at)).element("ServiceName", used.service)
        w.element("Region", used.region)
    w.end()
    return w
