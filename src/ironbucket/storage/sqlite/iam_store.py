"""The ``IamStore`` half of ``SqliteMetadataStore`` (a mixin: the store supplies the plumbing).

IAM entities are configuration: every mutation goes through ``_write_config``, which invalidates
every worker's cache, and single-entity reads are ``_cached``. So a deleted user's key, or a
detached policy, is seen by the very next request on any worker. Recording key use is the one
exception: it is bookkeeping, not configuration, and must not flush every cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from ironbucket.storage.interfaces import (
    AccessKey,
    IamGroup,
    IamRole,
    IamUser,
    KeyUse,
    ManagedPolicy,
    PolicyEntity,
    PolicyVersion,
    PrincipalPolicies,
)
from ironbucket.storage.sqlite import iam_entities as entities
from ironbucket.storage.sqlite import iam_keys as keys
from ironbucket.storage.sqlite import iam_policies as policies
from ironbucket.storage.sqlite.iam_codec import name_key
from ironbucket.storage.sqlite.iam_principal import principal_policies

P = ParamSpec("P")
T = TypeVar("T")


class SqliteIamStore:
    if TYPE_CHECKING:  # provided by SqliteMetadataStore
        def _read(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                  *args: P.args, **kwargs: P.kwargs) -> T: ...

        async def _write(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                         *args: P.args, **kwargs: P.kwargs) -> T: ...

        async def _write_config(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                                *args: P.args, **kwargs: P.kwargs) -> T: ...

        def _cached(self, key: tuple[str, ...], fn: Callable[Concatenate[sqlite3.Connection, P], T],
                    *args: P.args, **kwargs: P.kwargs) -> T: ...

    # --- users -----------------------------------------------------------------------------------------
    async def iam_create_user(self, user: IamUser) -> None:
        await self._write_config(entities.create_user, user)

    async def iam_get_user(self, account_id: str, name: str) -> IamUser | None:
        return self._cached(("iam-user", account_id, name_key(name)), entities.get_user, account_id, name)

    async def iam_list_users(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                             limit: int) -> list[IamUser]:
        return self._read(entities.list_users, account_id, path_prefix, after, limit)

    async def iam_update_user(self, user_id: str, new_name: str | None, new_path: str | None) -> None:
        await self._write_config(entities.update_user, user_id, new_name, new_path)

    async def iam_delete_user(self, user_id: str) -> None:
        await self._write_config(entities.delete_user, user_id)

    # --- groups ----------------------------------------------------------------------------------------
    async def iam_create_group(self, group: IamGroup) -> None:
        await self._write_config(entities.create_group, group)

    async def iam_get_group(self, account_id: str, name: str) -> IamGroup | None:
        return self._cached(("iam-group", account_id, name_key(name)), entities.get_group, account_id, name)

    async def iam_list_groups(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                              limit: int) -> list[IamGroup]:
        return self._read(entities.list_groups, account_id, path_prefix, after, limit)

    async def iam_update_group(self, group_id: str, new_name: str | None, new_path: str | None) -> None:
        await self._write_config(entities.update_group, group_id, new_name, new_path)

    async def iam_delete_group(self, group_id: str) -> None:
        await self._write_config(entities.delete_group, group_id)

    async def iam_add_group_member(self, group_id: str, user_id: str, max_groups: int) -> None:
        await self._write_config(entities.add_member, group_id, user_id, max_groups)

    async def iam_remove_group_member(self, group_id: str, user_id: str) -> None:
        await self._write_config(entities.remove_member, group_id, user_id)

    async def iam_list_group_members(self, group_id: str, after: str | None, limit: int) -> list[IamUser]:
        return self._read(entities.list_members, group_id, after, limit)

    async def iam_list_user_groups(self, user_id: str, after: str | None, limit: int) -> list[IamGroup]:
        return self._read(entities.list_user_groups, user_id, after, limit)

    # --- roles -----------------------------------------------------------------------------------------
    async def iam_create_role(self, role: IamRole) -> None:
        await self._write_config(entities.create_role, role)

    async def iam_get_role(self, account_id: str, name: str) -> IamRole | None:
        return self._cached(("iam-role", account_id, name_key(name)), entities.get_role, account_id, name)

    async def iam_list_roles(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                             limit: int) -> list[IamRole]:
        return self._read(entities.list_roles, account_id, path_prefix, after, limit)

    async def iam_update_role(self, role_id: str, *, trust_policy: str | None = None,
                              description: str | None = None,
                              max_session_duration: int | None = None) -> None:
        await self._write_config(entities.update_role, role_id, trust_policy, description,
                                 max_session_duration)

    async def iam_delete_role(self, role_id: str) -> None:
        await self._write_config(entities.delete_role, role_id)

    async def iam_tag(self, kind: str, entity_id: str, add: Mapping[str, str], remove: Sequence[str],
                      max_tags: int) -> None:
        await self._write_config(entities.tag, kind, entity_id, dict(add), tuple(remove), max_tags)

    # --- inline policies -------------------------------------------------------------------------------
    async def iam_put_inline_policy(self, kind: str, entity_id: str, name: str, document: str, size: int,
                                    max_total: int) -> None:
        await self._write_config(policies.put_inline, kind, entity_id, name, document, size, max_total)

    async def iam_get_inline_policy(self, entity_id: str, name: str) -> str | None:
        return self._read(policies.get_inline, entity_id, name)

    async def iam_delete_inline_policy(self, kind: str, entity_id: str, name: str) -> None:
        await self._write_config(policies.delete_inline, kind, entity_id, name)

    async def iam_list_inline_policies(self, entity_id: str, after: str | None, limit: int) -> list[str]:
        return self._read(policies.list_inline, entity_id, after, limit)

    async def iam_inline_policies(self, entity_id: str) -> list[tuple[str, str]]:
        return self._read(policies.all_inline, entity_id)

    # --- managed policies ------------------------------------------------------------------------------
    async def iam_create_policy(self, policy: ManagedPolicy, document: str) -> None:
        await self._write_config(policies.create_policy, policy, document)

    async def iam_get_policy(self, account_id: str, name: str) -> ManagedPolicy | None:
        return self._cached(("iam-policy", account_id, name_key(name)), policies.get_policy, account_id, name)

    async def iam_list_policies(self, account_id: str, path_prefix: str, after: tuple[str, str] | None,
                                limit: int, *, only_attached: bool = False,
                                usage: str | None = None) -> list[ManagedPolicy]:
        return self._read(policies.list_policies, account_id, path_prefix, after, limit, only_attached, usage)

    async def iam_delete_policy(self, policy_id: str) -> None:
        await self._write_config(policies.delete_policy, policy_id)

    async def iam_create_policy_version(self, policy_id: str, document: str, set_default: bool, now: float,
                                        max_versions: int) -> PolicyVersion:
        return await self._write_config(policies.create_version, policy_id, document, set_default, now,
                                        max_versions)

    async def iam_get_policy_version(self, policy_id: str, version_id: str) -> PolicyVersion | None:
        return self._read(policies.get_version, policy_id, version_id)

    async def iam_list_policy_versions(self, policy_id: str) -> list[PolicyVersion]:
        return self._read(policies.list_versions, policy_id)

    async def iam_delete_policy_version(self, policy_id: str, version_id: str) -> None:
        await self._write_config(policies.delete_version, policy_id, version_id)

    async def iam_set_default_policy_version(self, policy_id: str, version_id: str, now: float) -> None:
        await self._write_config(policies.set_default_version, policy_id, version_id, now)

    # --- attachments and boundaries --------------------------------------------------------------------
    async def iam_attach_policy(self, kind: str, entity_id: str, policy_id: str, max_attached: int) -> None:
        await self._write_config(policies.attach, kind, entity_id, policy_id, max_attached)

    async def iam_detach_policy(self, kind: str, entity_id: str, policy_id: str) -> None:
        await self._write_config(policies.detach, kind, entity_id, policy_id)

    async def iam_attached_policies(self, entity_id: str) -> list[ManagedPolicy]:
        return self._read(policies.attached, entity_id)

    async def iam_set_boundary(self, kind: str, entity_id: str, policy_id: str | None) -> None:
        await self._write_config(policies.set_boundary, kind, entity_id, policy_id)

    async def iam_list_policy_entities(self, policy_id: str, usage: str | None, kind: str | None,
                                       path_prefix: str, after: tuple[str, str] | None,
                                       limit: int) -> list[PolicyEntity]:
        return self._read(policies.entities, policy_id, usage, kind, path_prefix, after, limit)

    # --- access keys -----------------------------------------------------------------------------------
    async def iam_create_access_key(self, key: AccessKey, owner_id: str | None, max_keys: int) -> None:
        await self._write_config(keys.create_key, key, owner_id, max_keys)

    async def iam_list_access_keys(self, account_id: str, owner_id: str | None) -> list[AccessKey]:
        return self._read(keys.list_keys, account_id, owner_id)

    async def iam_key_owner(self, access_key_id: str) -> str | None:
        return self._read(keys.owner_of, access_key_id)

    async def iam_update_access_key(self, access_key_id: str, active: bool) -> None:
        await self._write_config(keys.update_key, access_key_id, active)

    async def iam_delete_access_key(self, access_key_id: str) -> None:
        await self._write_config(keys.delete_key, access_key_id)

    async def iam_record_key_use(self, uses: Sequence[KeyUse]) -> None:
        await self._write(keys.record_uses, tuple(uses))

    async def iam_key_last_used(self, access_key_id: str) -> KeyUse | None:
        return self._read(keys.last_used, access_key_id)

    # --- for the policy engine -------------------------------------------------------------------------
    async def iam_principal_policies(self, account_id: str, kind: str, name: str) -> PrincipalPolicies:
        return self._cached(("iam-principal", account_id, kind, name_key(name)), principal_policies,
                            account_id, kind, name)
